"""The Zeebe gateway edge: `gateway_protocol.Gateway` (Zeebe 8.8.0) served over gRPC.

    protocol   the message classes (`pb`), loaded from gateway.proto's descriptor set
    commands   request validation and conversion to broker commands
    responses  broker response records to response messages
    status     broker rejections to gRPC status codes
    service    GatewayService: the transport-independent handlers (also used in-process)
    server     GatewayServer: grpc.aio, health checking, TLS

Importing this package imports nothing else: `protocol` and `errors` stay usable without a broker.
"""
