"""ZeebeClient.connect over TLS with a private CA, and OAuth credentials that get no token."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gateway_clients import bpmn
from test_gateway_tls import Pki, make_pki

from zeebind import ZeebeClient
from zeebind.api import errors
from zeebind.app import EngineApp
from zeebind.client import OAuthCredentials
from zeebind.gateway.server import TlsIdentity

pytestmark = pytest.mark.conformance


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path)


@pytest.fixture
async def tls_engine(pki: Pki) -> AsyncIterator[EngineApp]:
    identity = TlsIdentity.from_files(pki.cert_file, pki.key_file)
    async with EngineApp(data_dir=None, host="127.0.0.1", port=0, tls=identity) as app:
        yield app


async def test_tls_with_the_private_ca(tls_engine: EngineApp, pki: Pki) -> None:
    async with ZeebeClient.connect(tls_engine.address, ca_path=pki.ca_file) as client:
        await client.deploy_resource(bpmn("no-task.bpmn"))
        result = await client.run_process_with_result("no-task", {"secure": True})
    assert result.variables == {"secure": True}


async def test_tls_without_the_ca_is_unavailable(tls_engine: EngineApp) -> None:
    async with ZeebeClient.connect(tls_engine.address) as client:
        with pytest.raises(errors.ZeebeGatewayUnavailableError):
            await client.topology()


async def test_no_token_is_invalid_credentials(engine: EngineApp) -> None:
    with socket.socket() as probe:  # an authorization server that is not there
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/oauth/token"
    oauth = OAuthCredentials("id", "secret", url, "zeebe.camunda.io")
    async with ZeebeClient.connect(engine.address, insecure=True, oauth=oauth) as client:
        with pytest.raises(errors.InvalidOAuthCredentials, match="failed to obtain access token"):
            await client.topology()
