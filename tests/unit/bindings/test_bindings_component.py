from pathlib import Path

import pytest

from zeebind.bindings.component import load_components, parse_components
from zeebind.bindings.errors import ComponentError
from zeebind.bindings.registry import check

COMMAND = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: zeebe-command
spec:
  type: bindings.zeebe.command
  version: v1
  metadata:
  - name: gatewayAddr
    value: "localhost:26500"
  - name: gatewayKeepAlive
    value: "45s"
  - name: usePlainTextConnection
    value: true
  - name: direction
    value: "output"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_a_component_is_read_with_its_metadata_as_text(tmp_path: Path) -> None:
    write(tmp_path, "zeebe.yaml", COMMAND)
    [component] = load_components(tmp_path)
    assert (component.name, component.type, component.version) == (
        "zeebe-command",
        "bindings.zeebe.command",
        "v1",
    )
    assert component.metadata["usePlainTextConnection"] == "true"
    assert component.metadata["USEPLAINTEXTCONNECTION"] == "true"
    assert component.source == tmp_path / "zeebe.yaml"


def test_other_kinds_and_files_are_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\n",
    )
    write(tmp_path, "notes.txt", "not yaml: [")
    write(
        tmp_path, "b.yml", "---\n" + COMMAND + "---\n" + COMMAND.replace("zeebe-command", "second")
    )
    assert [c.name for c in load_components(tmp_path)] == ["zeebe-command", "second"]


def test_a_duplicate_name_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", COMMAND)
    write(tmp_path, "b.yaml", COMMAND)
    with pytest.raises(ComponentError, match=r"b\.yaml: component 'zeebe-command': .*a\.yaml"):
        load_components(tmp_path)


def test_keys_differing_only_in_case_are_refused() -> None:
    text = COMMAND + "  - name: GATEWAYADDR\n    value: x:1\n"
    with pytest.raises(ComponentError, match="component 'zeebe-command': field 'GATEWAYADDR'"):
        parse_components(text)


def test_secret_references_are_refused_by_name() -> None:
    text = COMMAND + "  - name: clientSecret\n    secretKeyRef:\n      name: s\n      key: k\n"
    with pytest.raises(ComponentError, match="field 'clientSecret': secretKeyRef is not supported"):
        parse_components(text)


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "kind: [")
    with pytest.raises(ComponentError, match=r"bad\.yaml: not valid YAML"):
        load_components(tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("bindings.zeebe.command", "bindings.kafka"),
            r"zeebe\.yaml: component 'zeebe-command': field 'spec\.type': unknown component type "
            r"'bindings\.kafka'",
        ),
        (
            lambda t: t.replace("version: v1", "version: v2"),
            r"field 'spec\.version': unsupported version 'v2'",
        ),
        (
            lambda t: t.replace('"localhost:26500"', '""'),
            r"component 'zeebe-command': field 'gatewayAddr': gatewayAddr is a required attribute",
        ),
        (
            lambda t: t.replace("value: true", "value: ture"),
            r"field 'usePlainTextConnection': \"ture\" is not a boolean",
        ),
        (
            lambda t: t.replace('"45s"', '"45 seconds"'),
            r"field 'gatewayKeepAlive': \"45 seconds\" is not a duration",
        ),
        (
            lambda t: t.replace("dapr.io/v1alpha1", "dapr.io/v2"),
            r"field 'apiVersion': apiVersion must be dapr\.io/v1alpha1",
        ),
    ],
)
def test_a_bad_component_names_file_component_and_field(
    tmp_path: Path, edit: object, message: str
) -> None:
    assert callable(edit)
    write(tmp_path, "zeebe.yaml", edit(COMMAND))
    with pytest.raises(ComponentError, match=message):
        check_all(tmp_path)


def check_all(folder: Path) -> None:
    for component in load_components(folder):
        check(component)
