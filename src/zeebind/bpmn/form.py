"""Form resource metadata read at deploy time: the form id from the form's JSON."""

from __future__ import annotations

import json

from zeebind.bpmn.errors import BpmnValidationError, Problem


def parse_form(resource_name: str, content: bytes) -> str:
    """Return the `id` of a Camunda form (`.form` JSON), or raise BpmnValidationError."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BpmnValidationError(
            resource_name, [Problem("", f"Expected the form to be a JSON document, but {err}")]
        ) from err
    if not isinstance(document, dict):
        raise BpmnValidationError(
            resource_name, [Problem("", "Expected the form to be a JSON object")]
        )
    form_id = document.get("id")
    if not isinstance(form_id, str) or not form_id.strip():
        raise BpmnValidationError(
            resource_name, [Problem("", "Expected the form id to be present, but none given")]
        )
    return form_id
