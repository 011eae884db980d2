"""Domain errors become typed GraphQL errors only in the GraphQL layer."""

from __future__ import annotations

from graphql import GraphQLError

from pictolab.contract.errors import BadInput, DomainError, ErrorCode, FailedPrecondition, NotFound
from pictolab.graphql import mask_unexpected


def as_graphql(exc: Exception) -> GraphQLError:
    """What graphql-core hands the view for an exception raised in a resolver."""
    return GraphQLError(str(exc), path=["field"], original_error=exc)


def test_a_domain_error_keeps_its_message_code_and_details():
    error = mask_unexpected(as_graphql(FailedPrecondition("Training is not open now.", phase="COLLECT")))
    assert error.message == "Training is not open now."
    assert error.extensions == {"code": "FAILED_PRECONDITION", "phase": "COLLECT"}
    assert error.path == ["field"]


def test_each_subclass_has_its_code_and_an_explicit_code_wins():
    assert NotFound("x").code == ErrorCode.NOT_FOUND == "NOT_FOUND"
    assert BadInput("x").extensions == {"code": "BAD_USER_INPUT"}
    assert DomainError("too big", code=ErrorCode.PAYLOAD_TOO_LARGE, maxBytes=3).extensions == \
        {"code": "PAYLOAD_TOO_LARGE", "maxBytes": 3}


def test_anything_else_is_still_masked():
    error = mask_unexpected(as_graphql(KeyError("secret path /etc")))
    assert error.message == "Internal error" and error.extensions == {"code": "INTERNAL"}
