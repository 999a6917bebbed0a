"""feel."""
