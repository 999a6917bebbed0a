import pytest
from scripted_gateway import ScriptedGateway


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway()
