"""The root of zeebind's exception hierarchy.

ZeebindError
 └── BpmnValidationError   (zeebind.bpmn.errors) an invalid deployment resource, all its problems
"""

from __future__ import annotations


class ZeebindError(Exception):
    """Base class of every error zeebind raises on purpose."""
