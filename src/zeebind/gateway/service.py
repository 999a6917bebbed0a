"""The gateway's RPC handlers, independent of the transport.

The gRPC server (`zeebind.gateway.server`) and the in-process client call the same object:

    service = GatewayService(broker)
    response = await service.unary("CreateProcessInstance", request, CallContext())
    async for batch in service.stream("ActivateJobs", request, CallContext(deadline=...)): ...

Every failure leaves as a `GatewayError` carrying the gRPC status a client sees.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from zeebind.broker import Backpressure, Broker, CommandRejected
from zeebind.gateway import commands, responses
from zeebind.gateway.errors import GatewayClosing, GatewayError
from zeebind.gateway.protocol import pb
from zeebind.gateway.status import broker_error
from zeebind.protocol import Record

logger = logging.getLogger(__name__)

T = TypeVar("T")

GATEWAY_VERSION = "8.8.0"
# Unanswered long polls end this long before the client's own deadline, so it sees OK, not
# DEADLINE_EXCEEDED (clients put their deadline 10 s, or 2x, above the request timeout).
DEADLINE_MARGIN_S = 1.0

# Batches go out in several ActivateJobsResponse messages if one would not fit the 4 MiB limit.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024 - 64 * 1024


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the transport knows about one call."""

    # Absolute, on the running loop's clock (`loop.time()`); None = the client set no deadline.
    deadline: float | None = None
    # Lower-case header names; an empty `authorization` header is dropped (no token).
    metadata: Mapping[str, str] = field(default_factory=dict)


class GatewayService:
    unary_methods: frozenset[str] = frozenset({"Topology", *commands.COMMANDS})
    stream_methods: frozenset[str] = frozenset({"ActivateJobs", "StreamActivatedJobs"})

    def __init__(
        self,
        broker: Broker,
        *,
        long_polling_timeout_ms: int = 10_000,
        request_timeout_ms: int = 15_000,
    ) -> None:
        self.broker = broker
        self.long_polling_timeout_ms = long_polling_timeout_ms
        self.request_timeout_ms = request_timeout_ms
        # Where clients reach this gateway, as Topology reports it; the server sets it once bound.
        self.host = "127.0.0.1"
        self.port = 26500
        self._closing = asyncio.Event()

    def shut_down(self) -> None:
        """Ends waiting calls now: long polls complete empty (OK), job streams and result waits
        fail UNAVAILABLE, so a stopping server has nothing left to cancel."""
        self._closing.set()

    async def _unless_closing(
        self, awaitable: Awaitable[T], orphan: Callable[[T], None] | None = None
    ) -> T:
        """The result of `awaitable`, unless the gateway shuts down first (`GatewayClosing`).

        A result that arrives but cannot be returned (shutdown, or the caller cancelled in the
        same instant) goes to `orphan`, so a job taken from a stream is not lost.
        """
        if self._closing.is_set():
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()  # never started: no "never awaited" warning
            raise GatewayClosing()
        work = asyncio.ensure_future(awaitable)
        closing = asyncio.ensure_future(self._closing.wait())
        returned = False
        try:
            await asyncio.wait((work, closing), return_when=asyncio.FIRST_COMPLETED)
            if not work.done():
                raise GatewayClosing()
            result = work.result()
            returned = True
            return result
        finally:
            closing.cancel()
            if not work.done():
                work.cancel()
            elif (
                not returned
                and orphan is not None
                and not work.cancelled()
                and work.exception() is None
            ):
                orphan(work.result())

    def advertise(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    # --- unary ---------------------------------------------------------------------------------

    async def unary(self, method: str, request: Message, call: CallContext) -> Message:
        if method not in self.unary_methods:
            raise GatewayError(
                grpc.StatusCode.UNIMPLEMENTED,
                f"Method gateway_protocol.Gateway/{method} is unknown",
            )
        try:
            return await self._unary(method, request, call)
        except GatewayError:
            raise
        except (CommandRejected, Backpressure, ConnectionAbortedError) as err:
            raise broker_error(err) from err
        except Exception as err:
            _log_unexpected(method, err)
            raise _internal(err) from err

    async def _unary(self, method: str, request: Message, call: CallContext) -> Message:
        if method == "Topology":
            return self.topology()
        command = commands.COMMANDS[method](request)
        timeout_ms = self.request_timeout_ms
        if method == "CreateProcessInstanceWithResult":
            requested: int = request.requestTimeout  # type: ignore[attr-defined]
            timeout_ms = requested if requested > 0 else self.request_timeout_ms
        submitted = self._submit(command, timeout_ms, method, call.deadline)
        if method == "CreateProcessInstanceWithResult":  # may wait long: not past a shutdown
            record = await self._unless_closing(submitted)
        else:
            record = await submitted
        return responses.RESPONSES[method](record)

    def topology(self) -> Message:
        partition = pb.Partition(
            partitionId=1, role=pb.Partition.LEADER, health=pb.Partition.HEALTHY
        )
        broker = pb.BrokerInfo(
            nodeId=0,
            host=self.host,
            port=self.port,
            partitions=[partition],
            version=GATEWAY_VERSION,
        )
        response: Message = pb.TopologyResponse(
            brokers=[broker],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion=GATEWAY_VERSION,
        )
        return response

    async def _submit(
        self, command: commands.Command, timeout_ms: int, rpc: str, deadline: float | None = None
    ) -> Record:
        """One broker command, bounded by the request timeout and the caller's deadline."""
        timeout_s = timeout_ms / 1000
        if deadline is not None:
            timeout_s = min(timeout_s, deadline - asyncio.get_running_loop().time())
        try:
            return await asyncio.wait_for(
                self.broker.command(
                    command.value_type,
                    command.intent,
                    command.value,
                    key=command.key,
                    operation_reference=command.operation_reference,
                ),
                max(timeout_s, 0),
            )
        except TimeoutError:
            raise GatewayError(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"Time out between gateway and broker: Request {rpc} timed out after "
                f"{round(max(timeout_s, 0) * 1000)} ms",
            ) from None

    # --- streams -------------------------------------------------------------------------------

    def stream(
        self, method: str, request: Message, call: CallContext
    ) -> AsyncGenerator[Message, None]:
        """The call's messages; a caller that stops early should `aclose()` the generator."""
        handlers: dict[str, Callable[[Any, CallContext], AsyncGenerator[Message, None]]] = {
            "ActivateJobs": self._activate_jobs,
            "StreamActivatedJobs": self._stream_activated_jobs,
        }
        handler = handlers.get(method)
        if handler is None:
            raise GatewayError(
                grpc.StatusCode.UNIMPLEMENTED,
                f"Method gateway_protocol.Gateway/{method} is unknown",
            )
        return self._guarded(method, handler(request, call))

    async def _guarded(
        self, method: str, messages: AsyncGenerator[Message, None]
    ) -> AsyncGenerator[Message, None]:
        try:
            async for message in messages:
                yield message
        except GatewayError:
            raise
        except (CommandRejected, Backpressure, ConnectionAbortedError) as err:
            raise broker_error(err) from err
        except Exception as err:
            _log_unexpected(method, err)
            raise _internal(err) from err
        finally:
            await messages.aclose()

    async def _activate_jobs(
        self, request: Any, call: CallContext
    ) -> AsyncGenerator[Message, None]:
        command = commands.activate_jobs(request)
        loop = asyncio.get_running_loop()
        poll_ms = request.requestTimeout or self.long_polling_timeout_ms
        end = loop.time() + max(poll_ms, 0) / 1000
        if call.deadline is not None:
            margin = min(DEADLINE_MARGIN_S, (call.deadline - loop.time()) / 10)
            end = min(end, call.deadline - margin)
        wanted: int = request.maxJobsToActivate
        while True:
            record = await self._submit(
                command.with_value(maxJobsToActivate=wanted),
                self.request_timeout_ms,
                "ActivateJobs",
                call.deadline,
            )
            activated = len(record.value.get("jobs", []))
            if activated:
                for response in responses.activate_jobs_batches(record, MAX_RESPONSE_BYTES):
                    yield response
                wanted -= activated
                if wanted <= 0 or not record.value.get("truncated"):
                    return
                continue
            remaining = end - loop.time()
            if poll_ms < 0 or remaining <= 0:
                return
            try:
                await self._unless_closing(self.broker.wait_for_jobs(request.type, remaining))
            except GatewayClosing:
                return  # an empty, successful long poll: the client polls again elsewhere

    async def _stream_activated_jobs(
        self, request: Any, call: CallContext
    ) -> AsyncGenerator[Message, None]:
        wanted = commands.stream_activated_jobs(request)
        stream = self.broker.open_job_stream(
            job_type=wanted.job_type,
            worker=wanted.worker,
            timeout=wanted.timeout,
            fetch_variables=wanted.fetch_variables,
            tenant_ids=wanted.tenant_ids,
        )
        jobs = aiter(stream)

        def orphan(job: tuple[int, dict[str, Any]]) -> None:
            # Back on the queue: closing the stream hands it back to the engine (YIELD).
            stream.queue.put_nowait(job)

        try:
            while True:
                key, job = await self._unless_closing(anext(jobs), orphan)
                yield responses.activated_job(key, job)
        finally:
            stream.close()


def _log_unexpected(method: str, err: Exception) -> None:
    # One line for operators; the stack only when debugging.
    logger.error(
        "%s failed unexpectedly: %s: %s",
        method,
        type(err).__name__,
        err,
        exc_info=logger.isEnabledFor(logging.DEBUG),
    )


def _internal(err: Exception) -> GatewayError:
    return GatewayError(
        grpc.StatusCode.INTERNAL,
        f"Unexpected error occurred during the request processing: {type(err).__name__}: {err}",
    )
