"""The committed descriptor set is the compiled `.proto` files, and lives apart from the SDK's."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_tools import protoc

from zeebind.sidecar.protocol import dapr

PROTO_DIR = Path(str(resources.files("zeebind.sidecar").joinpath("proto")))


def test_the_descriptor_set_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "dapr.binpb"
    include = str(Path(protoc.__file__).parent / "_proto")
    code = protoc.main(
        [
            "protoc",
            f"-I{PROTO_DIR}",
            f"-I{include}",
            "--include_imports",
            f"--descriptor_set_out={out}",
            "dapr.proto",
            "rpc_status.proto",
            "appcallback.proto",
        ]
    )
    assert code == 0
    fresh = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    committed = descriptor_pb2.FileDescriptorSet.FromString((PROTO_DIR / "dapr.binpb").read_bytes())
    assert fresh == committed, "run the protoc command at the top of dapr.proto"


def test_the_messages_are_in_a_private_pool() -> None:
    assert dapr.pool is not descriptor_pool.Default()
    request = dapr.InvokeBindingRequest(name="b", data=b"x", metadata={"k": "v"}, operation="o")
    from dapr.proto.runtime.v1 import binding_pb2

    same = binding_pb2.InvokeBindingRequest.FromString(request.SerializeToString())
    assert (same.name, same.data, dict(same.metadata), same.operation) == (
        "b",
        b"x",
        {"k": "v"},
        "o",
    )


def test_binding_events_read_as_the_sdk_writes_them() -> None:
    from dapr.proto.runtime.v1 import appcallback_pb2

    request = dapr.BindingEventRequest(name="w", data=b"{}", metadata={"X-Zeebe-Job-Key": "1"})
    same = appcallback_pb2.BindingEventRequest.FromString(request.SerializeToString())
    assert (same.name, same.data, dict(same.metadata)) == ("w", b"{}", {"X-Zeebe-Job-Key": "1"})
    answer = appcallback_pb2.BindingEventResponse(data=b'{"a":1}', to=["out"], store_name="s")
    answer.states.add(key="k", value=b"v")
    ours = dapr.BindingEventResponse.FromString(answer.SerializeToString())
    assert (ours.data, list(ours.to), ours.store_name) == (b'{"a":1}', ["out"], "s")
    listed = appcallback_pb2.ListInputBindingsResponse(bindings=["a", "b"])
    assert list(dapr.ListInputBindingsResponse.FromString(listed.SerializeToString()).bindings) == [
        "a",
        "b",
    ]
