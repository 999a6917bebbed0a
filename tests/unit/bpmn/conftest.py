"""Fixtures that wrap small inline process bodies into BPMN documents and parse them."""

from __future__ import annotations

import pytest
from bpmn_documents import Parse, Problems, document

from zeebind.bpmn import BpmnValidationError, parse_bpmn
from zeebind.bpmn.model import Process


@pytest.fixture
def parse() -> Parse:
    def parse_one(body: str, *, definitions: str = "") -> Process:
        [process] = parse_bpmn("test.bpmn", document(body, definitions=definitions))
        return process

    return parse_one


@pytest.fixture
def problems() -> Problems:
    """The (element path, message) pairs a body is rejected with."""

    def rejected(body: str, *, definitions: str = "") -> list[tuple[str, str]]:
        with pytest.raises(BpmnValidationError) as caught:
            parse_bpmn("test.bpmn", document(body, definitions=definitions))
        return [(p.element_path, p.message) for p in caught.value.problems]

    return rejected
