"""The FEEL built-in function library, one module per function group."""
