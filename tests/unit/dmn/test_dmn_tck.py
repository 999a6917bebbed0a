"""The DMN TCK runner: loads a folder's models and test cases and reports per folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from zeebind.dmn.tck import main, run_folder

TCK = Path(__file__).resolve().parents[3] / ".." / "shared" / "dmn-tck" / "TestCases"
pytestmark = pytest.mark.skipif(not TCK.is_dir(), reason=f"no DMN TCK at {TCK}")


@pytest.mark.parametrize(
    "folder",
    [
        "compliance-level-2/0004-simpletable-U",
        "compliance-level-2/0118-multi-priority-hitpolicy",
        "compliance-level-3/0034-drg-scopes",
        "compliance-level-3/0085-decision-services",
        "compliance-level-3/0086-import",
    ],
)
def test_folders_pass_completely(folder: str) -> None:
    outcome = run_folder(TCK / folder)
    assert outcome.cases
    failures = [m for case in outcome.cases for m in case.messages]
    assert outcome.cases_passed == len(outcome.cases), failures


def test_main_prints_per_folder_and_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(TCK.parent), "--folder", "0004-simpletable-U"]) == 0
    out = capsys.readouterr().out
    assert "compliance-level-2/0004-simpletable-U: test cases 3/3, result nodes 3/3" in out
    assert "compliance-level-2: test cases 3/3 (100.0%), result nodes 3/3 (100.0%)" in out


def test_a_missing_tck_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nowhere")]) == 1
    assert "error: no TCK test cases at" in capsys.readouterr().err
