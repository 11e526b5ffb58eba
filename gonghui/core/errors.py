"""Domain errors with a stable code, turned into form errors on pages and JSON in the API."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no: `code` is stable ('org.parent_closed'), `message` is for people."""

    status = 400

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details = details or {}


class NotFound(DomainError):
    """Also raised for rows outside the caller's scope, so outsiders cannot learn they exist."""

    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
