"""zeebind: Zeebe workflows driven through Dapr's Zeebe bindings, with an embedded Zeebe engine."""

__version__ = "0.1.0"
__all__ = ["__version__"]
