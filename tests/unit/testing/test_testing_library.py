"""The testing library: the plugin's fixtures, time travel, and what failed assertions say."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from zeebind import ZeebeClient
from zeebind.testing import InMemoryEngine, assert_that

REPO = Path(__file__).resolve().parents[3]
BPMN = REPO / "tests" / "fixtures" / "bpmn"

TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="nap" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sleep" />
    <bpmn:intermediateCatchEvent id="sleep">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="sleep" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


async def test_plugin_fixtures(zeebe_engine: InMemoryEngine, zeebe_client: ZeebeClient) -> None:
    assert zeebe_client is zeebe_engine.client
    await zeebe_engine.deploy(BPMN / "no-task.bpmn")
    result = await zeebe_client.run_process_with_result("no-task", {"x": 1})
    zeebe_engine.assert_that(result.process_instance_key).is_completed().has_passed("start")


async def test_time_travel_fires_timers(zeebe_engine: InMemoryEngine) -> None:
    await zeebe_engine.deploy(("nap.bpmn", TIMER))
    key = await zeebe_engine.start_instance("nap")
    start = zeebe_engine.now_ms()

    await zeebe_engine.advance(timedelta(minutes=119))
    assert_that(zeebe_engine, key).is_active().is_waiting_at("sleep")
    await zeebe_engine.increase_time(seconds=59)
    assert_that(zeebe_engine, key).is_waiting_at("sleep")
    await zeebe_engine.advance(1000)

    assert_that(zeebe_engine, key).is_completed().has_passed("sleep", "end", times=1)
    assert zeebe_engine.now_ms() - start == 2 * 3600 * 1000
    assert zeebe_engine.records.of(intent="TRIGGERED").only().value["targetElementId"] == "sleep"


async def test_failures_name_the_expectation_and_list_the_records(
    zeebe_engine: InMemoryEngine,
) -> None:
    await zeebe_engine.deploy(BPMN / "one-task.bpmn")
    key = await zeebe_engine.start_instance("one-task", {"amount": 3})
    instance = zeebe_engine.assert_that(key)

    with pytest.raises(AssertionError) as failed:
        instance.is_completed()
    text = str(failed.value)
    assert text.startswith(f"expected process instance {key} to be completed, but it is active.")
    assert "Its records:" in text
    assert "ELEMENT_ACTIVATED      work" in text
    assert "amount = 3" in text
    assert "work [one-task-work]" in text

    checks = [
        (lambda: instance.has_passed("work"), "to have passed 'work' at least once"),
        (lambda: instance.is_waiting_at("end"), "it waits at ['work']"),
        (lambda: instance.is_not_waiting_at("work"), "not to be waiting at 'work'"),
        (lambda: instance.has_not_passed("start"), "it passed it 1 times"),
        (lambda: instance.has_incident("JOB_NO_RETRIES"), "open incidents are none"),
        (lambda: instance.has_variables({"amount": 4}), "{'amount': 3} differ"),
        (lambda: instance.has_variable("missing"), "to have a variable 'missing'"),
        (lambda: instance.has_variable("amount", 4), "amount = 3"),
        (lambda: instance.is_terminated(), "to be terminated"),
    ]
    for check, message in checks:
        with pytest.raises(AssertionError, match=message.replace("[", r"\[").replace("(", r"\(")):
            check()

    instance.is_started().is_active().has_passed("start").is_waiting_at("work").has_no_incidents()
    await zeebe_engine.fail_job("one-task-work", "no luck", retries=0)
    instance.has_incident("JOB_NO_RETRIES", element_id="work")
    with pytest.raises(AssertionError, match="JOB_NO_RETRIES: no luck"):
        instance.has_no_incidents()
    with pytest.raises(AssertionError, match="there is no record of it"):
        zeebe_engine.assert_that(123).is_started()


async def test_job_helpers_say_when_there_is_no_job(zeebe_engine: InMemoryEngine) -> None:
    with pytest.raises(AssertionError, match="expected a job of type 'nothing'"):
        await zeebe_engine.complete_job("nothing")


async def test_the_engine_needs_starting() -> None:
    engine = InMemoryEngine()
    with pytest.raises(RuntimeError, match="not started"):
        _ = engine.client
    async with engine:
        assert engine.broker is engine.harness.b
    await engine.stop()  # twice is harmless


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_the_example_suite_passes_in_under_a_second(tmp_path: Path, mode: str) -> None:
    """examples/order_test as a user runs it, in a pytest process of its own, in either of
    pytest-asyncio's modes."""
    report = tmp_path / "report.xml"
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
            *("-o", f"asyncio_mode={mode}", "--junitxml", str(report), "examples/order_test"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    cases = ElementTree.parse(report).getroot().iter("testcase")
    seconds = {case.attrib["name"]: float(case.attrib["time"]) for case in cases}
    assert len(seconds) == 5
    assert sum(seconds.values()) < 1.0, seconds
