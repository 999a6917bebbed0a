"""TLS: a test CA and server certificate, pyzeebe secure channels and zbctl --certPath."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gateway_clients import Camunda8Sdk, Zbctl, node_binary
from pyzeebe import ZeebeClient, create_insecure_channel, create_secure_channel

from zeebind.app import EngineApp
from zeebind.gateway.server import TlsIdentity

pytestmark = pytest.mark.conformance


@dataclass(frozen=True)
class Pki:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    ca_file: Path
    cert_file: Path
    key_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pki(directory: Path) -> Pki:
    now = datetime.datetime.now(datetime.UTC)
    validity = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("zeebind test CA"))
        .issuer_name(_name("zeebind test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.pem",
        key_file=directory / "server.key",
    )
    pki.ca_file.write_bytes(pki.ca_pem)
    pki.cert_file.write_bytes(pki.cert_pem)
    pki.key_file.write_bytes(pki.key_pem)
    return pki


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path)


@pytest.fixture
async def tls_engine(pki: Pki) -> AsyncIterator[EngineApp]:
    identity = TlsIdentity.from_files(pki.cert_file, pki.key_file)
    app = EngineApp(data_dir=None, host="127.0.0.1", port=0, tls=identity)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def test_pyzeebe_secure_channel(tls_engine: EngineApp, pki: Pki) -> None:
    credentials = grpc.ssl_channel_credentials(root_certificates=pki.ca_pem)
    for host in ("localhost", "127.0.0.1"):
        channel = create_secure_channel(
            grpc_address=f"{host}:{tls_engine.port}", channel_credentials=credentials
        )
        try:
            client = ZeebeClient(channel)
            topology = await client.topology()
            assert topology.gateway_version == "8.8.0"
            assert (await client.healthcheck()).status == 1
        finally:
            await channel.close()


async def test_plaintext_client_cannot_talk_to_tls_server(tls_engine: EngineApp) -> None:
    channel = create_insecure_channel(grpc_address=f"127.0.0.1:{tls_engine.port}")
    try:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await channel.unary_unary("/gateway_protocol.Gateway/Topology")(b"", timeout=2)
        assert caught.value.code() in (
            grpc.StatusCode.UNAVAILABLE,
            grpc.StatusCode.DEADLINE_EXCEEDED,
        )
    finally:
        await channel.close()


async def test_zbctl_cert_path(
    tls_engine: EngineApp, pki: Pki, zbctl_path: Path, tmp_path: Path
) -> None:
    zbctl = Zbctl(
        zbctl_path, f"127.0.0.1:{tls_engine.port}", ["--certPath", str(pki.ca_file)], tmp_path
    )
    out = (await zbctl("status")).stdout
    assert "Gateway version: 8.8.0" in out
    untrusted = Zbctl(zbctl_path, f"127.0.0.1:{tls_engine.port}", [], tmp_path)
    result = await untrusted("status", "--requestTimeout", "3s", check=False)
    assert result.returncode != 0
    assert "certificate" in result.stderr


async def test_camunda8_sdk_over_tls(tls_engine: EngineApp, pki: Pki) -> None:
    node = node_binary()
    if node is None:
        pytest.skip("node or @camunda8/sdk not installed: run `make tools`")
    sdk = Camunda8Sdk(
        node,
        f"grpcs://localhost:{tls_engine.port}",
        CAMUNDA_CUSTOM_ROOT_CERT_PATH=str(pki.ca_file),
    )
    assert (await sdk("topology"))["gatewayVersion"] == "8.8.0"


def test_unreadable_or_non_pem_files_are_reported(tmp_path: Path, pki: Pki) -> None:
    from zeebind.gateway.server import TlsConfigError

    with pytest.raises(TlsConfigError, match="cannot read TLS certificate"):
        TlsIdentity.from_files(tmp_path / "missing.pem", pki.key_file)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(TlsConfigError, match="is not a PEM file"):
        TlsIdentity.from_files(pki.cert_file, junk)
