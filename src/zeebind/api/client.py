"""`ZeebeClient`: pyzeebe's client API (both naming generations) over any `GatewayClient`.

    client = ZeebeClient.embedded(app)                      # in this process, no socket
    client = ZeebeClient.connect("localhost:26500", insecure=True)
    client = ZeebeClient.camunda_cloud(client_id, client_secret, cluster_id, region)

    await client.deploy_resource("order.bpmn")
    started = await client.run_process("order", {"orderId": "A-1"})

Every call is one gateway RPC; a failure raises the class pyzeebe raises for that RPC and status
code (`zeebind.api.errors`).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from google.protobuf.message import Message

from zeebind.api import responses
from zeebind.api.errors import InvalidJSONError, client_error
from zeebind.api.responses import (
    BroadcastSignalResponse,
    CancelProcessInstanceResponse,
    CreateProcessInstanceResponse,
    CreateProcessInstanceWithResultResponse,
    DeployResourceResponse,
    EvaluateDecisionResponse,
    Job,
    PublishMessageResponse,
    TopologyResponse,
)
from zeebind.api.transport import cloud_gateway, embedded_gateway, remote_gateway
from zeebind.client.gateway import GatewayClient
from zeebind.client.oauth import OAuthCredentials
from zeebind.gateway.errors import GatewayError
from zeebind.gateway.protocol import pb

# A resource to deploy: a file path, or (name, content).
Resource = str | os.PathLike[str] | tuple[str, bytes | str]

# pyzeebe's fallback deadline of job activation calls without a request timeout.
DEFAULT_ACTIVATION_DEADLINE_S = 20.0
# The deadline of a with-result call exceeds its request timeout by this much, so the gateway
# answers first.
RESULT_DEADLINE_MARGIN_S = 10.0


class ZeebeClient:
    """An async Zeebe client. Close it (or use `async with`) when done."""

    def __init__(self, gateway: GatewayClient, *, request_timeout: float | None = None) -> None:
        self.gateway = gateway
        self.request_timeout = request_timeout

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def embedded(cls, target: Any) -> ZeebeClient:
        """Calls the engine of an `EngineApp`, a `Broker` or a `GatewayService` in-process."""
        return cls(embedded_gateway(target))

    @classmethod
    def connect(
        cls,
        address: str | None = None,
        *,
        insecure: bool = False,
        ca_path: str | os.PathLike[str] | None = None,
        oauth: OAuthCredentials | None = None,
    ) -> ZeebeClient:
        """gRPC to a gateway: TLS (system roots or `ca_path`) unless `insecure`; OAuth optional."""
        return cls(remote_gateway(address, insecure=insecure, ca_path=ca_path, oauth=oauth))

    @classmethod
    def camunda_cloud(
        cls,
        client_id: str | None = None,
        client_secret: str | None = None,
        cluster_id: str | None = None,
        region: str | None = None,
        **options: Any,
    ) -> ZeebeClient:
        """Camunda SaaS by cluster id and region (default `$CAMUNDA_CLUSTER_*`, region bru-2)."""
        return cls(cloud_gateway(client_id, client_secret, cluster_id, region, **options))

    async def close(self) -> None:
        await self.gateway.close()

    async def __aenter__(self) -> ZeebeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- the calls ------------------------------------------------------------------------

    async def topology(self) -> TopologyResponse:
        return responses.topology(await self._call("Topology", pb.TopologyRequest()))

    async def deploy_resource(
        self, *resources: Resource, tenant_id: str | None = None
    ) -> DeployResourceResponse:
        """Deploys BPMN, DMN and form resources given as paths or `(name, content)` pairs."""
        files = [pb.Resource(name=name, content=content) for name, content in _read(resources)]
        request = pb.DeployResourceRequest(resources=files, **_tenant(tenant_id))
        return responses.deploy_resource(await self._call("DeployResource", request))

    # pyzeebe 3.x and 2.x names; both deploy through DeployResource, which every 8.x serves.
    deploy_process = deploy_resource
    deploy_workflow = deploy_resource

    async def run_process(
        self,
        bpmn_process_id: str,
        variables: dict[str, Any] | None = None,
        version: int = -1,
        tenant_id: str | None = None,
    ) -> CreateProcessInstanceResponse:
        request = _creation(bpmn_process_id, variables, version, tenant_id)
        message = await self._call(
            "CreateProcessInstance", request, bpmn_process_id=bpmn_process_id, version=version
        )
        return responses.create_process_instance(message)

    run_workflow = run_process

    async def run_process_with_result(
        self,
        bpmn_process_id: str,
        variables: dict[str, Any] | None = None,
        version: int = -1,
        timeout: int = 0,
        variables_to_fetch: Iterable[str] | None = None,
        tenant_id: str | None = None,
    ) -> CreateProcessInstanceWithResultResponse:
        """Starts an instance and waits for it to complete; `timeout` in ms (0: the gateway's)."""
        request = pb.CreateProcessInstanceWithResultRequest(
            request=_creation(bpmn_process_id, variables, version, tenant_id),
            requestTimeout=timeout,
            fetchVariables=list(variables_to_fetch or []),
        )
        deadline = timeout / 1000 + RESULT_DEADLINE_MARGIN_S if timeout > 0 else None
        message = await self._call(
            "CreateProcessInstanceWithResult",
            request,
            timeout=deadline,
            bpmn_process_id=bpmn_process_id,
            version=version,
        )
        return responses.create_process_instance_with_result(message)

    run_workflow_with_result = run_process_with_result

    async def cancel_process_instance(
        self, process_instance_key: int
    ) -> CancelProcessInstanceResponse:
        request = pb.CancelProcessInstanceRequest(processInstanceKey=process_instance_key)
        await self._call(
            "CancelProcessInstance", request, process_instance_key=process_instance_key
        )
        return CancelProcessInstanceResponse()

    cancel_workflow_instance = cancel_process_instance

    async def publish_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        time_to_live_in_milliseconds: int = 60_000,
        message_id: str | None = None,
        tenant_id: str | None = None,
    ) -> PublishMessageResponse:
        request = pb.PublishMessageRequest(
            name=name,
            correlationKey=correlation_key,
            timeToLive=time_to_live_in_milliseconds,
            messageId=message_id or "",
            variables=_variables(variables),
            **_tenant(tenant_id),
        )
        message: Any = await self._call("PublishMessage", request)
        return PublishMessageResponse(key=message.key, tenant_id=message.tenantId)

    async def broadcast_signal(
        self,
        signal_name: str,
        variables: dict[str, Any] | None = None,
        tenant_id: str | None = None,
    ) -> BroadcastSignalResponse:
        request = pb.BroadcastSignalRequest(
            signalName=signal_name, variables=_variables(variables), **_tenant(tenant_id)
        )
        message: Any = await self._call("BroadcastSignal", request)
        return BroadcastSignalResponse(key=message.key, tenant_id=message.tenantId)

    async def evaluate_decision(
        self,
        decision_key: int | None = None,
        decision_id: str | None = None,
        variables: dict[str, Any] | None = None,
        tenant_id: str | None = None,
    ) -> EvaluateDecisionResponse:
        if decision_key is None and decision_id is None:
            raise ValueError("decision_key or decision_id must be given")
        fields: dict[str, Any] = {"variables": _variables(variables), **_tenant(tenant_id)}
        if decision_key is not None:
            fields["decisionKey"] = decision_key
        if decision_id is not None:
            fields["decisionId"] = decision_id
        message = await self._call(
            "EvaluateDecision",
            pb.EvaluateDecisionRequest(**fields),
            decision_key=decision_key,
            decision_id=decision_id,
        )
        return responses.evaluate_decision(message)

    async def set_variables(
        self, element_instance_key: int, variables: dict[str, Any], local: bool = False
    ) -> int:
        """Sets variables on a scope (a process instance key is the root scope); returns the
        command's key."""
        request = pb.SetVariablesRequest(
            elementInstanceKey=element_instance_key, variables=_variables(variables), local=local
        )
        message: Any = await self._call("SetVariables", request)
        return int(message.key)

    async def resolve_incident(self, incident_key: int) -> None:
        await self._call("ResolveIncident", pb.ResolveIncidentRequest(incidentKey=incident_key))

    async def delete_resource(self, resource_key: int) -> None:
        await self._call("DeleteResource", pb.DeleteResourceRequest(resourceKey=resource_key))

    # --- jobs -----------------------------------------------------------------------------

    async def activate_jobs(
        self,
        job_type: str,
        *,
        worker: str = "zeebind",
        timeout: int = 10_000,
        max_jobs_to_activate: int = 32,
        variables_to_fetch: Sequence[str] | None = None,
        request_timeout: int = -1,
        tenant_ids: Sequence[str] | None = None,
    ) -> list[Job]:
        """Activates up to `max_jobs_to_activate` jobs; `request_timeout` ms long-polls (-1:
        answer at once, 0: the gateway's long-polling time)."""
        request = pb.ActivateJobsRequest(
            type=job_type,
            worker=worker,
            timeout=timeout,
            maxJobsToActivate=max_jobs_to_activate,
            fetchVariable=list(variables_to_fetch or []),
            requestTimeout=request_timeout,
            tenantIds=list(tenant_ids or []),
        )
        deadline = (
            request_timeout / 1000 * 2 + 1 if request_timeout > 0 else DEFAULT_ACTIVATION_DEADLINE_S
        )
        jobs: list[Job] = []
        try:
            async for message in self.gateway.stream("ActivateJobs", request, timeout=deadline):
                jobs.extend(responses.job(raw) for raw in message.jobs)  # type: ignore[attr-defined]
        except GatewayError as err:
            raise client_error("ActivateJobs", err) from None
        return jobs

    async def stream_jobs(
        self,
        job_type: str,
        *,
        worker: str = "zeebind",
        timeout: int = 10_000,
        variables_to_fetch: Sequence[str] | None = None,
        tenant_ids: Sequence[str] | None = None,
        stream_timeout: float | None = None,
    ) -> AsyncIterator[Job]:
        """Jobs pushed as they become activatable (StreamActivatedJobs), until closed."""
        request = pb.StreamActivatedJobsRequest(
            type=job_type,
            worker=worker,
            timeout=timeout,
            fetchVariable=list(variables_to_fetch or []),
            tenantIds=list(tenant_ids or []),
        )
        try:
            async for raw in self.gateway.stream(
                "StreamActivatedJobs", request, timeout=stream_timeout
            ):
                yield responses.job(raw)
        except GatewayError as err:
            raise client_error("StreamActivatedJobs", err) from None

    async def complete_job(self, job_key: int, variables: dict[str, Any] | None = None) -> None:
        request = pb.CompleteJobRequest(jobKey=job_key, variables=_variables(variables))
        await self._call("CompleteJob", request, job_key=job_key)

    async def fail_job(
        self,
        job_key: int,
        retries: int,
        message: str = "",
        retry_back_off_ms: int = 0,
        variables: dict[str, Any] | None = None,
    ) -> None:
        request = pb.FailJobRequest(
            jobKey=job_key,
            retries=retries,
            errorMessage=message,
            retryBackOff=retry_back_off_ms,
            variables=_variables(variables),
        )
        await self._call("FailJob", request, job_key=job_key)

    async def throw_error(
        self,
        job_key: int,
        error_code: str,
        message: str = "",
        variables: dict[str, Any] | None = None,
    ) -> None:
        request = pb.ThrowErrorRequest(
            jobKey=job_key,
            errorCode=error_code,
            errorMessage=message,
            variables=_variables(variables),
        )
        await self._call("ThrowError", request, job_key=job_key)

    async def update_job_retries(self, job_key: int, retries: int) -> None:
        request = pb.UpdateJobRetriesRequest(jobKey=job_key, retries=retries)
        await self._call("UpdateJobRetries", request, job_key=job_key)

    async def update_job_timeout(self, job_key: int, timeout: int) -> None:
        request = pb.UpdateJobTimeoutRequest(jobKey=job_key, timeout=timeout)
        await self._call("UpdateJobTimeout", request, job_key=job_key)

    # --- plumbing -------------------------------------------------------------------------

    async def _call(
        self, rpc: str, request: Message, *, timeout: float | None = None, **context: Any
    ) -> Any:
        try:
            return await self.gateway.unary(
                rpc, request, timeout=timeout if timeout is not None else self.request_timeout
            )
        except GatewayError as err:
            raise client_error(rpc, err, **context) from None


def _variables(variables: dict[str, Any] | None) -> str:
    try:
        return json.dumps(variables or {})
    except (TypeError, ValueError) as err:
        raise InvalidJSONError(f"the variables are not JSON: {err}") from None


def _creation(
    bpmn_process_id: str, variables: dict[str, Any] | None, version: int, tenant_id: str | None
) -> Message:
    return pb.CreateProcessInstanceRequest(
        bpmnProcessId=bpmn_process_id,
        version=version,
        variables=_variables(variables),
        **_tenant(tenant_id),
    )


def _tenant(tenant_id: str | None) -> dict[str, str]:
    return {"tenantId": tenant_id} if tenant_id else {}


def _read(resources: Sequence[Resource]) -> list[tuple[str, bytes]]:
    read: list[tuple[str, bytes]] = []
    for resource in resources:
        if isinstance(resource, tuple):
            name, content = resource
            read.append((name, content.encode() if isinstance(content, str) else content))
        else:
            path = Path(resource)
            read.append((path.name, path.read_bytes()))
    return read
