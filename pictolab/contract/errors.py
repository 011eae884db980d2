"""Error codes (GraphQL ``extensions.code``) and the domain exceptions that carry them.

Service code (the BFF's workshops, photos, training...) raises a :class:`DomainError`
subclass; it knows nothing about GraphQL. Only the GraphQL layer
(:func:`pictolab.graphql.mask_unexpected`) turns one into a GraphQL error whose
``extensions`` are ``{"code": ..., **details}``; any other exception is masked as INTERNAL.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """The ``extensions.code`` values clients of either service may see."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    #: e.g. the wrong workshop phase, a run that has not finished
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    RATE_LIMITED = "RATE_LIMITED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    #: try again later (storage hiccup, ML API busy or shutting down)
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL = "INTERNAL"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    #: the operation asks for too many fields (checked before anything runs)
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


class DomainError(Exception):
    """An error the caller is meant to see: a message, a stable ``code`` and details that
    travel as further ``extensions`` (e.g. ``limit``, ``phase``)."""

    default_code = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, code: str | None = None, **details: Any):
        super().__init__(message)
        self.message = message
        self.code = str(code or self.default_code)
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.details}


class BadInput(DomainError):
    default_code = ErrorCode.BAD_USER_INPUT


class NotFound(DomainError):
    default_code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    default_code = ErrorCode.CONFLICT


class FailedPrecondition(DomainError):
    default_code = ErrorCode.FAILED_PRECONDITION


class Unavailable(DomainError):
    default_code = ErrorCode.UNAVAILABLE


class PayloadTooLarge(DomainError):
    default_code = ErrorCode.PAYLOAD_TOO_LARGE
