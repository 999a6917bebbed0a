from datetime import timedelta
from pathlib import Path

import pytest

from zeebind.bindings.command.settings import ClientSettings
from zeebind.bindings.errors import ComponentError
from zeebind.bindings.metadata import ComponentMetadata
from zeebind.client.oauth import OAuthCredentials


def parse(**values: str) -> ClientSettings:
    return ClientSettings.parse(ComponentMetadata(values))


def test_defaults_are_tls_and_a_45s_keepalive() -> None:
    settings = parse(gatewayAddr="zeebe:26500")
    assert settings == ClientSettings("zeebe:26500", timedelta(seconds=45), False, None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30s", 30), ("PT1M", 60), ("90", 90), ("0", 45), ("", 45)],
)
def test_keepalive_takes_go_iso_or_seconds(text: str, expected: int) -> None:
    assert parse(gatewayAddr="z:1", gatewayKeepAlive=text).keepalive == timedelta(seconds=expected)


def test_a_negative_keepalive_is_refused() -> None:
    with pytest.raises(ComponentError, match="keep alive must be a positive duration"):
        parse(gatewayAddr="z:1", gatewayKeepAlive="-5s")


@pytest.mark.parametrize(
    ("text", "expected"), [("yes", True), ("ON", True), ("0", False), ("f", False)]
)
def test_booleans_parse_both_ways(text: str, expected: bool) -> None:
    assert parse(gatewayAddr="z:1", usePlaintextConnection=text).plaintext is expected


def test_oauth_needs_all_four_fields_listed_in_order() -> None:
    with pytest.raises(ComponentError) as caught:
        parse(gatewayAddr="z:1", tokenScope="zeebe")
    assert caught.value.field == "clientId"
    assert caught.value.problem == (
        "invalid OAuth metadata: when OAuth is configured, clientId, clientSecret, "
        "authorizationServerUrl, and tokenAudience must all be provided; missing: clientId, "
        "clientSecret, authorizationServerUrl, tokenAudience"
    )


def test_an_empty_oauth_value_counts_as_configured() -> None:
    with pytest.raises(
        ComponentError, match="missing: clientId, clientSecret, authorizationServerUrl"
    ):
        parse(gatewayAddr="z:1", clientId="", tokenAudience="zeebe")


def test_complete_oauth_settings() -> None:
    settings = parse(
        gatewayAddr="z:1",
        clientId="id",
        clientSecret="secret",
        authorizationServerUrl="https://login.example/oauth/token",
        tokenAudience="zeebe.example",
        tokenScope="",
    )
    assert settings.oauth == OAuthCredentials(
        "id", "secret", "https://login.example/oauth/token", "zeebe.example", None
    )


def test_the_token_url_must_be_http() -> None:
    with pytest.raises(ComponentError, match="field 'authorizationServerUrl'"):
        parse(
            gatewayAddr="z:1",
            clientId="id",
            clientSecret="s",
            authorizationServerUrl="login.example",
            tokenAudience="a",
        )


def test_a_missing_ca_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ca.pem"
    with pytest.raises(ComponentError, match="expected to find CA certificate but no such file at"):
        parse(gatewayAddr="z:1", caCertificatePath=str(path))


def test_a_ca_file_without_a_certificate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ca.pem"
    path.write_text("hello")
    with pytest.raises(
        ComponentError, match=r"field 'caCertificatePath'.*holds no PEM certificate"
    ):
        parse(gatewayAddr="z:1", caCertificatePath=str(path))


def test_an_unreadable_ca_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ComponentError, match="cannot read CA certificate"):
        parse(gatewayAddr="z:1", caCertificatePath=str(tmp_path))


def test_the_ca_file_is_ignored_on_plaintext(tmp_path: Path) -> None:
    settings = parse(
        gatewayAddr="z:1", usePlainTextConnection="true", caCertificatePath=str(tmp_path / "x")
    )
    assert settings.ca_certificate_path is None
