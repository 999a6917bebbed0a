"""Form resources: the id is read from the form's JSON."""

from __future__ import annotations

import pytest

from zeebind.bpmn import BpmnValidationError
from zeebind.bpmn.form import parse_form


def test_form_id_is_read() -> None:
    content = b'{"components": [], "schemaVersion": 9, "type": "default", "id": "Form_1"}'
    assert parse_form("a.form", content) == "Form_1"


def test_byte_order_mark_is_accepted() -> None:
    assert parse_form("a.form", b'\xef\xbb\xbf{"id": "f"}') == "f"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Expected the form to be a JSON document, but "),
        (b"\xff\xfe", "Expected the form to be a JSON document, but "),
        (b'["id"]', "Expected the form to be a JSON object"),
        (b'{"components": []}', "Expected the form id to be present, but none given"),
        (b'{"id": ""}', "Expected the form id to be present, but none given"),
        (b'{"id": 7}', "Expected the form id to be present, but none given"),
    ],
)
def test_invalid_form_is_rejected(content: bytes, message: str) -> None:
    with pytest.raises(BpmnValidationError) as caught:
        parse_form("a.form", content)
    assert str(caught.value).startswith(f"'a.form': {message}")
