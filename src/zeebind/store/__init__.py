"""Durable storage: the record log in SQLite."""

from zeebind.store.database import Database

__all__ = ["Database"]
