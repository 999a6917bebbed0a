"""The committed descriptor set matches gateway.proto and carries the whole 8.8.0 protocol."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

from zeebind.gateway.protocol import DESCRIPTOR_SET, PROTO_FILE, pb

PACKAGE_DIR = Path(str(resources.files("zeebind.gateway")))

RPCS_IN_ORDER = [
    "ActivateJobs",
    "StreamActivatedJobs",
    "CancelProcessInstance",
    "CompleteJob",
    "CreateProcessInstance",
    "CreateProcessInstanceWithResult",
    "EvaluateDecision",
    "DeployProcess",
    "DeployResource",
    "FailJob",
    "ThrowError",
    "PublishMessage",
    "ResolveIncident",
    "SetVariables",
    "Topology",
    "UpdateJobRetries",
    "ModifyProcessInstance",
    "MigrateProcessInstance",
    "UpdateJobTimeout",
    "DeleteResource",
    "BroadcastSignal",
]


def test_committed_descriptor_set_is_generated_from_the_proto(tmp_path: Path) -> None:
    out = tmp_path / DESCRIPTOR_SET
    code = protoc.main(
        [
            "protoc",
            f"-I{PACKAGE_DIR}",
            f"--descriptor_set_out={out}",
            str(PACKAGE_DIR / PROTO_FILE),
        ]
    )
    assert code == 0
    committed = (PACKAGE_DIR / DESCRIPTOR_SET).read_bytes()
    assert out.read_bytes() == committed, "gateway.binpb is stale: run `make proto`"


def test_service_has_all_21_rpcs_in_documented_order() -> None:
    assert pb.methods == RPCS_IN_ORDER
    streaming = [name for name in pb.methods if pb.server_streaming(name)]
    assert streaming == ["ActivateJobs", "StreamActivatedJobs"]
    assert pb.service.full_name == "gateway_protocol.Gateway"


def test_messages_live_in_a_private_pool_next_to_pyzeebe() -> None:
    from pyzeebe.proto import gateway_pb2

    ours = pb.TopologyRequest
    assert ours.DESCRIPTOR.full_name == gateway_pb2.TopologyRequest.DESCRIPTOR.full_name
    assert ours is not gateway_pb2.TopologyRequest


def _messages(
    file: descriptor_pb2.FileDescriptorProto,
) -> dict[str, descriptor_pb2.DescriptorProto]:
    found: dict[str, descriptor_pb2.DescriptorProto] = {}

    def walk(prefix: str, messages: list[descriptor_pb2.DescriptorProto]) -> None:
        for message in messages:
            found[prefix + message.name] = message
            walk(f"{prefix}{message.name}.", list(message.nested_type))

    walk("", list(file.message_type))
    return found


def test_wire_compatible_with_pyzeebe_8_6_descriptor() -> None:
    """Every field pyzeebe's generated 8.6.6 stubs know has the same number, type and label here."""
    from pyzeebe.proto import gateway_pb2

    theirs = descriptor_pb2.FileDescriptorProto()
    gateway_pb2.DESCRIPTOR.CopyToProto(theirs)
    ours = descriptor_pb2.FileDescriptorProto()
    pb.file.CopyToProto(ours)
    our_messages = _messages(ours)
    for name, message in _messages(theirs).items():
        assert name in our_messages, name
        fields = {field.number: field for field in our_messages[name].field}
        for field in message.field:
            mine = fields[field.number]
            assert (mine.name, mine.type, mine.label, mine.type_name.rsplit(".", 1)[-1]) == (
                field.name,
                field.type,
                field.label,
                field.type_name.rsplit(".", 1)[-1],
            ), f"{name}.{field.name}"
    their_rpcs = [(m.name, m.input_type, m.output_type) for m in theirs.service[0].method]
    our_rpcs = [(m.name, m.input_type, m.output_type) for m in ours.service[0].method]
    assert our_rpcs == their_rpcs


def test_8_8_additions_are_present() -> None:
    job = pb.ActivatedJob(key=2**51 + 1, tags=["a"], kind=pb.ActivatedJob.TASK_LISTENER)
    assert pb.ActivatedJob.FromString(job.SerializeToString()).key == 2251799813685249
    assert not job.HasField("userTask")
    request = pb.CompleteJobRequest(jobKey=1, result=pb.JobResult(denied=True))
    assert request.result.denied
    create = pb.CreateProcessInstanceRequest(operationReference=7, tags=["x"])
    assert create.HasField("operationReference")
    assert pb.Partition.LEADER == 0
    assert pb.Partition.HEALTHY == 0
