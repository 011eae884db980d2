"""Error codes (GraphQL ``extensions.code``) and the domain exceptions that carry them.

Service code (the BFF's workshops, photos, training...) and the resolvers of both services
raise a :class:`DomainError` subclass; they know nothing about GraphQL's error format. Only
the GraphQL layer (:func:`pictolab.graphql.mask_unexpected`) turns one into a GraphQL error
whose ``extensions`` are ``{"code": ..., **details}``; any other exception is masked as
INTERNAL. Refusals made before GraphQL runs (a 413, the ML API's 503 BUSY) build their JSON
body with :func:`error_body`. Every code a client can see is an :class:`ErrorCode` member, and
the SPA's ``ErrorCode`` union is generated from it::

    python -m pictolab.contract.errors --typescript > frontend/src/lib/errorCodes.generated.ts

(``tests/pictolab/contract/test_error_codes.py`` fails when that file is stale, or when a code
outside the enum is spelled anywhere in the services.)
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
    #: the ML API runs as many heavy operations as it may (503 + Retry-After; the BFF retries)
    BUSY = "BUSY"
    #: the ML API refused the HTTP request itself (a 4xx without a GraphQL error in its body);
    #: the BFF's ML client names it so, and the same request would fail again
    BAD_REQUEST = "BAD_REQUEST"


class DomainError(Exception):
    """An error the caller is meant to see: a message, a stable ``code`` and details that
    travel as further ``extensions`` (e.g. ``limit``, ``phase``)."""

    default_code = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, code: ErrorCode | None = None, **details: Any):
        super().__init__(message)
        self.message = message
        # ErrorCode(...) refuses a code outside the enum here, where it is raised, rather
        # than in a client that has no message for it.
        self.code = ErrorCode(code or self.default_code)
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code.value, **self.details}


class BadInput(DomainError):
    default_code = ErrorCode.BAD_USER_INPUT


class Unauthenticated(DomainError):
    default_code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    default_code = ErrorCode.FORBIDDEN


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


class RateLimited(DomainError):
    default_code = ErrorCode.RATE_LIMITED


def error_body(code: ErrorCode, message: str, **details: Any) -> dict[str, Any]:
    """The JSON body of a refusal made outside GraphQL execution (a body over the cap, a busy
    ML API), in a GraphQL response's error shape so that clients read both the same way."""
    return {"errors": [{"message": message, "extensions": {"code": ErrorCode(code).value, **details}}]}


TYPESCRIPT_COMMAND = ("python -m pictolab.contract.errors --typescript"
                      " > frontend/src/lib/errorCodes.generated.ts")


def typescript() -> str:
    """``frontend/src/lib/errorCodes.generated.ts``: the codes as a TypeScript union."""
    members = "".join(f'\n  | "{code.value}"' for code in ErrorCode)
    return (
        "// Generated from pictolab.contract.errors.ErrorCode; do not edit. Regenerate with\n"
        f"//   {TYPESCRIPT_COMMAND}\n\n"
        "/** The `extensions.code` values the services send (pictolab.contract.errors.ErrorCode). */\n"
        f"export type ServerErrorCode ={members};\n"
    )


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m pictolab.contract.errors",
                                     description="Print the error codes for the SPA.")
    parser.add_argument("--typescript", action="store_true",
                        help="a TypeScript union (frontend/src/lib/errorCodes.generated.ts)")
    if not parser.parse_args().typescript:
        parser.error("say which language: --typescript")
    sys.stdout.write(typescript())
