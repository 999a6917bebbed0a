"""`zeebind run` with job worker components that cannot work: one line naming the component and
the field, exit code 2, no traceback; and a worker without an app is reported, not fatal."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from jobworker_processes import Sidecar, component, running, write_components

pytestmark = pytest.mark.slow


def test_a_bad_value_stops_start_up_naming_component_and_field(tmp_path: Path) -> None:
    folder = write_components(
        tmp_path / "c",
        component(
            "orders",
            "jobworker",
            gatewayAddr="127.0.0.1:1",
            usePlainTextConnection="true",
            jobType="orders",
            maxJobsActive="-5",
        ),
    )
    done = subprocess.run(
        [sys.executable, "-m", "zeebind", "run", "--resources-path", str(folder), "--no-engine"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        f"zeebind run: error: {folder / 'components.yaml'}: component 'orders': "
        "field 'maxJobsActive': must be positive, not -5"
    )


def test_without_an_app_port_the_worker_is_not_read(tmp_path: Path) -> None:
    folder = write_components(
        tmp_path / "c",
        component(
            "orders",
            "jobworker",
            gatewayAddr="127.0.0.1:1",
            usePlainTextConnection="true",
            jobType="orders",
        ),
    )
    with running(Sidecar(folder)) as sidecar:
        sidecar.wait_line(
            re.escape(
                "input bindings orders are not read: "
                "no --app-port given (app channel not initialized)"
            )
        )
