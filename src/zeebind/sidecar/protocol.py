"""Dapr's runtime messages that the sidecar serves, from the committed descriptor set
`proto/dapr.binpb`.

They live in a private `DescriptorPool`: the official `dapr` SDK registers the same names
(`dapr.proto.runtime.v1.*`, `google.rpc.*`) in protobuf's default pool, and both may share a
process.
"""

from __future__ import annotations

from importlib import resources

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

SERVICE_NAME = "dapr.proto.runtime.v1.Dapr"
APP_CALLBACK_SERVICE = "dapr.proto.runtime.v1.AppCallback"
ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo"


class DaprProtocol:
    def __init__(self, descriptor_set: bytes) -> None:
        files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set)
        self.pool = descriptor_pool.DescriptorPool()
        for file in files.file:
            self.pool.Add(file)
        self.InvokeBindingRequest = self._message("dapr.proto.runtime.v1.InvokeBindingRequest")
        self.InvokeBindingResponse = self._message("dapr.proto.runtime.v1.InvokeBindingResponse")
        self.Status = self._message("google.rpc.Status")
        self.ErrorInfo = self._message("google.rpc.ErrorInfo")
        self.Any = self._message("google.protobuf.Any")
        self.Empty = self._message("google.protobuf.Empty")
        self.BindingEventRequest = self._message("dapr.proto.runtime.v1.BindingEventRequest")
        self.BindingEventResponse = self._message("dapr.proto.runtime.v1.BindingEventResponse")
        self.ListInputBindingsResponse = self._message(
            "dapr.proto.runtime.v1.ListInputBindingsResponse"
        )

    @classmethod
    def load(cls) -> DaprProtocol:
        path = resources.files(__package__).joinpath("proto", "dapr.binpb")
        return cls(path.read_bytes())

    def _message(self, name: str) -> type[Message]:
        cls: type[Message] = message_factory.GetMessageClass(self.pool.FindMessageTypeByName(name))
        return cls


dapr = DaprProtocol.load()
