"""Resources are parsed safely (no DTDs, entities or network); syntax errors name the resource."""

from __future__ import annotations

import time

import pytest
from bpmn_documents import NAMESPACES

from zeebind.bpmn import BpmnValidationError, Problem, parse_bpmn
from zeebind.dmn.metadata import parse_dmn_metadata

FORBIDDEN = Problem("", "DOCTYPE and ENTITY declarations are not allowed")

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
 <bpmn:process id="p" name="&lol9;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""


def rejection(content: bytes, name: str = "x.bpmn") -> BpmnValidationError:
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn(name, content)
    return caught.value


def test_billion_laughs_is_rejected_without_expanding() -> None:
    started = time.perf_counter()
    error = rejection(BILLION_LAUGHS)
    assert error.problems == [FORBIDDEN]
    assert time.perf_counter() - started < 1


def test_external_entity_is_not_read(tmp_path: pytest.TempPathFactory) -> None:
    content = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<bpmn:process id="p" name="&secret;" isExecutable="true"/></bpmn:definitions>'
    )
    assert rejection(content).problems == [FORBIDDEN]


def test_plain_doctype_is_rejected() -> None:
    content = f"<!DOCTYPE definitions><bpmn:definitions {NAMESPACES}/>".encode()
    assert rejection(content).problems == [FORBIDDEN]


def test_doctype_in_utf16_is_rejected() -> None:
    content = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "b">]>'
        f"<bpmn:definitions {NAMESPACES}/>"
    ).encode("utf-16")
    assert rejection(content).problems == [FORBIDDEN]


def test_dmn_uses_the_same_safe_parser() -> None:
    with pytest.raises(BpmnValidationError) as caught:
        parse_dmn_metadata("x.dmn", BILLION_LAUGHS)
    assert caught.value.problems == [FORBIDDEN]


def test_xml_syntax_error_names_the_resource() -> None:
    error = rejection(b"<bpmn:definitions", name="order.bpmn")
    [problem] = error.problems
    assert problem.element_path == ""
    assert str(error).startswith("'order.bpmn': ")
    assert "(<string>" not in str(error)


@pytest.mark.parametrize("content", [b"", b"not xml at all", b"\xff\xfe\x00"])
def test_garbage_is_a_validation_error(content: bytes) -> None:
    assert rejection(content).problems


def test_root_must_be_bpmn_definitions() -> None:
    assert rejection(b"<definitions/>").problems == [
        Problem("", "Expected a BPMN 2.0 'definitions' root element")
    ]
