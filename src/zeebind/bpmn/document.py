"""Safe XML parsing of deployment resources: no DTDs, no entities, no network."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from zeebind.bpmn.errors import BpmnValidationError, Problem

# lxml ships without type stubs here, so elements are typed through this alias.
XmlElement = Any

# A DOCTYPE is refused before lxml sees the bytes, so an entity bomb is never even declared.
# The pattern also matches UTF-16 text (NULs between the letters); `docinfo` is checked as well.
_DOCTYPE = re.compile(
    rb"<\x00?!\x00?(D\x00?O\x00?C\x00?T\x00?Y\x00?P\x00?E|E\x00?N\x00?T\x00?I\x00?T\x00?Y)", re.I
)
_FORBIDDEN = "DOCTYPE and ENTITY declarations are not allowed"


def _safe_parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_document(resource_name: str, content: bytes) -> XmlElement:
    """Parse `content` and return its root element, or raise BpmnValidationError."""
    if _DOCTYPE.search(content):
        raise BpmnValidationError(resource_name, [Problem("", _FORBIDDEN)])
    try:
        root = etree.fromstring(content, parser=_safe_parser())
    except etree.XMLSyntaxError as err:
        # `msg` leaves out lxml's "(<string>, line N)" suffix, which names no real file.
        message = str(err.msg or err)
        raise BpmnValidationError(resource_name, [Problem("", message)]) from err
    except ValueError as err:  # e.g. an encoding declaration lxml refuses
        raise BpmnValidationError(resource_name, [Problem("", str(err))]) from err
    if root is None:
        raise BpmnValidationError(resource_name, [Problem("", "The document is empty")])
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise BpmnValidationError(resource_name, [Problem("", _FORBIDDEN)])
    return root


def local_name(element: XmlElement) -> str:
    """The tag without its namespace; empty for anything that is not an element."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(element: XmlElement) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].partition("}")[0]
