"""The public Zeebe models of ../shared/bpmn-corpus/ deploy and run on the engine.

Every model that parses deploys. Every executable process with a none start event is started
and driven by a generic job worker (every job completed with no variables, messages and timers
left alone). Processes made only of job-based tasks, pass-through elements, parallel gateways
and none/terminate events must run to completion; the others may stop at a wait state or an
incident (e.g. a condition on a variable the generic worker never sets), but never break the
engine — and the replay check of the harness holds for all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zeebind.bpmn.errors import BpmnValidationError
from zeebind.bpmn.model import (
    BpmnElementType,
    BpmnEventType,
    JobTask,
    Process,
)
from zeebind.bpmn.parser import parse_bpmn
from zeebind.testing import EngineHarness

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "bpmn-corpus"
MODELS = sorted(CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []

_SIMPLE = {
    BpmnElementType.START_EVENT,
    BpmnElementType.END_EVENT,
    BpmnElementType.TASK,
    BpmnElementType.MANUAL_TASK,
    BpmnElementType.PARALLEL_GATEWAY,
    BpmnElementType.INTERMEDIATE_THROW_EVENT,
}


def _needs_only_workers(process: Process) -> bool:
    for element in process.elements.values():
        if isinstance(element, JobTask) and element.event_type in (
            BpmnEventType.UNSPECIFIED,
            BpmnEventType.MESSAGE,
        ):
            continue
        if element.element_type not in _SIMPLE:
            return False
        if element.event_type not in (
            BpmnEventType.NONE,
            BpmnEventType.UNSPECIFIED,
            BpmnEventType.TERMINATE,
        ):
            return False
        if element.loop is not None:
            return False
    return all(flow.condition is None for flow in process.sequence_flows.values())


def _parses(path: Path) -> list[Process] | None:
    try:
        return parse_bpmn(path.name, path.read_bytes())
    except BpmnValidationError:
        return None


@pytest.mark.skipif(not MODELS, reason=f"no BPMN corpus at {CORPUS}")
async def test_corpus_models_deploy_and_simple_ones_run_to_completion() -> None:
    deployable = [(path, processes) for path in MODELS if (processes := _parses(path))]
    # All but the two broken files of the corpus (an empty job type, truncated XML) deploy.
    assert len(deployable) >= len(MODELS) - 2
    completed = 0
    started = 0
    for path, processes in deployable:
        async with EngineHarness() as h:
            await h.deploy((path.name, path.read_bytes()))
            for process in processes:
                if process.none_start_event_id is None:
                    continue
                started += 1
                instance = await h.create_instance(process.bpmn_process_id)
                for _ in range(50):  # a generic worker: every job completed, empty result
                    job_types = list(h.b.engine.state.activatable)
                    if not job_types:
                        break
                    for job_type in job_types:
                        for key, _job in await h.activate_jobs(job_type, max_jobs=100):
                            await h.complete_job(key)
                if _needs_only_workers(process):
                    assert h.is_completed(instance), (
                        f"{path.name}: {process.bpmn_process_id} should complete with a "
                        "generic worker:\n" + h.records().describe()
                    )
                    completed += 1
    print(
        f"corpus: {len(deployable)} of {len(MODELS)} models deploy; {started} processes "
        f"started, {completed} simple ones completed"
    )
    assert completed >= 20, f"only {completed} of {started} corpus processes completed"
