"""The DMN model namespaces Zeebe reads (DMN 1.1 to 1.5) and the version of a document."""

from __future__ import annotations

from zeebind.bpmn.document import XmlElement, namespace

# The model namespace of each DMN version Zeebe (dmn-scala) reads, by version.
DMN_NAMESPACES = {
    "1.1": "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "1.2": "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "1.3": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "1.4": "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "1.5": "https://www.omg.org/spec/DMN/20230324/MODEL/",
}


def _normalized(uri: str) -> str:
    """Tools differ in http/https and the trailing slash; the versions do not depend on either."""
    return uri.removeprefix("https://").removeprefix("http://").rstrip("/")


_VERSIONS = {_normalized(uri): version for version, uri in DMN_NAMESPACES.items()}


def dmn_version(root: XmlElement) -> str | None:
    """The DMN version of a document by its root's namespace (None for a non-DMN namespace)."""
    return _VERSIONS.get(_normalized(namespace(root)))
