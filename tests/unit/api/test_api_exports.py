"""The package's public names: the lazy error list of `zeebind` matches `zeebind.api.errors`."""

from __future__ import annotations

import zeebind
import zeebind.api.errors as api_errors


def test_zeebind_exports_every_error_of_the_api_and_nothing_else() -> None:
    exported_errors = set(zeebind.__all__) - {"__version__", *zeebind._API}
    error_classes = {
        name
        for name in api_errors.__all__
        if isinstance(getattr(api_errors, name), type)
        and issubclass(getattr(api_errors, name), BaseException)
    }
    assert exported_errors == error_classes
    for name in exported_errors:
        assert getattr(zeebind, name) is getattr(api_errors, name)
