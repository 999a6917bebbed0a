"""Dapr component definitions (`apiVersion: dapr.io/v1alpha1`, `kind: Component`) read from a
folder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zeebind.bindings.errors import ComponentError
from zeebind.bindings.metadata import ComponentMetadata

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Component:
    name: str
    type: str
    version: str
    metadata: ComponentMetadata
    source: Path | None = None

    def error(self, err: ComponentError) -> ComponentError:
        return err.located(source=self.source, component=self.name)


def load_components(folder: Path) -> list[Component]:
    """Every `kind: Component` document in the folder's YAML files, in file-name order.

    Documents of other kinds (Configuration, Subscription, Resiliency …) are skipped, as Dapr does.
    """
    if not folder.is_dir():
        raise ComponentError("the resources path is not a folder", source=folder)
    components: list[Component] = []
    seen: dict[str, Path] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file()):
        for component in parse_components(path.read_text(encoding="utf-8"), source=path):
            if component.name in seen:
                raise ComponentError(
                    f"a component with this name is already defined in {seen[component.name]}",
                    source=path,
                    component=component.name,
                )
            seen[component.name] = path
            components.append(component)
    return components


def parse_components(text: str, *, source: Path | None = None) -> list[Component]:
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as err:
        raise ComponentError(f"not valid YAML: {err}", source=source) from None
    return [
        _component(document, source)
        for document in documents
        if isinstance(document, dict) and document.get("kind") == "Component"
    ]


def _component(document: dict[str, Any], source: Path | None) -> Component:
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise ComponentError("metadata.name is missing", source=source, field="metadata.name")
    api_version = document.get("apiVersion")
    if api_version != "dapr.io/v1alpha1":
        raise ComponentError(
            f"apiVersion must be dapr.io/v1alpha1, not {api_version!r}",
            source=source,
            component=name,
            field="apiVersion",
        )
    spec = document.get("spec")
    if not isinstance(spec, dict):
        raise ComponentError("spec is missing", source=source, component=name, field="spec")
    component_type = spec.get("type")
    if not isinstance(component_type, str) or not component_type:
        raise ComponentError(
            "spec.type is missing", source=source, component=name, field="spec.type"
        )
    version = spec.get("version", "v1")
    try:
        values = dict(_metadata_items(spec.get("metadata") or []))
        component_metadata = ComponentMetadata(values)
    except ComponentError as err:
        raise err.located(source=source, component=name) from None
    return Component(name, component_type, str(version), component_metadata, source)


def _metadata_items(items: Iterable[Any]) -> Iterable[tuple[str, str]]:
    if not isinstance(items, list):
        raise ComponentError(
            "spec.metadata must be a list of name/value items", field="spec.metadata"
        )
    for index, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise ComponentError(f"item {index} has no name", field=f"spec.metadata[{index}].name")
        if "secretKeyRef" in item:
            raise ComponentError(
                "secretKeyRef is not supported (no secret stores); give the value", field=name
            )
        yield name, _text(item.get("value"))


def _text(value: Any) -> str:
    """YAML may type a value (`true`, `45`); Dapr sees the text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
