import pytest
from echo_binding import EchoBinding

from zeebind.sidecar.runtime import Sidecar


@pytest.fixture
def echo() -> EchoBinding:
    return EchoBinding()


@pytest.fixture
def sidecar(echo: EchoBinding) -> Sidecar:
    runtime = Sidecar(app_id="test-app")
    runtime.register("echo", "bindings.echo", "v1", echo)
    runtime.ready = True
    return runtime
