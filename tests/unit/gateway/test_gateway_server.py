"""Server settings that only show under load or over hours: pinned here."""

from __future__ import annotations

from zeebind.gateway.server import SERVER_OPTIONS


def test_server_options_match_zeebes_gateway() -> None:
    options = dict(SERVER_OPTIONS)
    assert options["grpc.max_receive_message_length"] == 4 * 1024 * 1024
    assert options["grpc.max_send_message_length"] == 4 * 1024 * 1024
    # Clients ping every 45 s; the default server (5 min minimum, 2 strikes) would GOAWAY them.
    assert options["grpc.keepalive_permit_without_calls"] == 1
    assert options["grpc.http2.min_ping_interval_without_data_ms"] == 30_000
    assert options["grpc.http2.max_ping_strikes"] == 0
    assert options["grpc.so_reuseport"] == 0
