"""The gateway protocol's message classes, loaded from the committed descriptor set.

The descriptors go into a private `DescriptorPool`: pyzeebe registers its own generated
`gateway_protocol.*` in protobuf's default pool, and both must live in one process.

    from zeebind.gateway.protocol import pb
    pb.CreateProcessInstanceRequest(bpmnProcessId="order", version=-1)
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

SERVICE_NAME = "gateway_protocol.Gateway"
DESCRIPTOR_SET = "gateway.binpb"
PROTO_FILE = "gateway.proto"


class GatewayProtocol:
    """One attribute per top-level message of `gateway.proto`; nested types hang off it."""

    def __init__(self, descriptor_set: bytes) -> None:
        files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set)
        self.pool = descriptor_pool.DescriptorPool()
        for file in files.file:
            self.pool.Add(file)
        self.file = self.pool.FindFileByName(PROTO_FILE)
        self.service = self.pool.FindServiceByName(SERVICE_NAME)
        self._classes: dict[str, type[Message]] = {
            name: message_factory.GetMessageClass(descriptor)
            for name, descriptor in self.file.message_types_by_name.items()
        }

    @classmethod
    def load(cls) -> GatewayProtocol:
        return cls(resources.files(__package__).joinpath(DESCRIPTOR_SET).read_bytes())

    def __getattr__(self, name: str) -> Any:
        try:
            return self._classes[name]
        except KeyError:
            raise AttributeError(f"gateway_protocol has no message {name!r}") from None

    def request_class(self, method: str) -> type[Message]:
        return self._classes[self.service.methods_by_name[method].input_type.name]

    def response_class(self, method: str) -> type[Message]:
        return self._classes[self.service.methods_by_name[method].output_type.name]

    def server_streaming(self, method: str) -> bool:
        return bool(self.service.methods_by_name[method].server_streaming)

    @property
    def methods(self) -> list[str]:
        return [method.name for method in self.service.methods]


pb = GatewayProtocol.load()
