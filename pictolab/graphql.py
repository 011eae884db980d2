"""GraphQL plumbing shared by the BFF and the ML API (graphene 3 + graphql-server 3.0).

graphql-server 3.0's view takes no context, middleware or validation rules in its
constructor, so :class:`PictolabGraphQLView` subclasses it to add them, plus:
typed errors (``extensions.code``), masking of unexpected exceptions, a depth limit,
optional hiding of introspection, strict multipart parsing and the CSRF preflight rule.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import graphene
from flask import Request, Response, request
from graphene.validation import depth_limit_validator
from graphql import ExecutionResult, GraphQLError, specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql_server import execute_sync
from graphql_server.flask.views import GraphQLView
from graphql_server.http.exceptions import HTTPException

log = logging.getLogger(__name__)

PREFLIGHT_HEADER = "Apollo-Require-Preflight"
# Real operations are a few kilobytes; only multipart uploads need the big body limit. A
# cap here keeps a megabyte of aliases ({a0: x a1: x ...}) from costing seconds of CPU.
MAX_JSON_BYTES = 64 * 1024


class ApiError(GraphQLError):
    """An error the client is meant to see, with a stable machine-readable ``code``.

    Codes used across PictoLab: BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
    CONFLICT, FAILED_PRECONDITION (e.g. wrong workshop phase), RATE_LIMITED,
    PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, UNAVAILABLE, INTERNAL.
    """

    def __init__(self, message: str, code: str = "BAD_USER_INPUT", **extensions: Any):
        super().__init__(message, extensions={"code": code, **extensions})
        self.code = code


class Upload(graphene.Scalar):
    """A file part of a GraphQL multipart request; resolvers get werkzeug's FileStorage."""

    @staticmethod
    def serialize(value):
        return None

    @staticmethod
    def parse_value(value):
        return value

    @staticmethod
    def parse_literal(node, _variables=None):
        raise GraphQLError("Upload values come from multipart file parts, not from the query text")


def _error_code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


def mask_unexpected(error: GraphQLError) -> GraphQLError:
    """Keep typed and validation errors; hide the text of anything unexpected."""
    original = error.original_error
    if original is None:  # syntax or validation error: about the query itself
        if not _error_code(error):
            error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
        return error
    if isinstance(original, GraphQLError):
        if not _error_code(original) and not _error_code(error):
            error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
        elif not _error_code(error):
            error.extensions = {**(error.extensions or {}), **(original.extensions or {})}
        return error
    log.error("unexpected error in %s", ".".join(map(str, error.path or [])), exc_info=original)
    return GraphQLError("Internal error", nodes=error.nodes, path=error.path,
                        extensions={"code": "INTERNAL"})


class PictolabGraphQLView(GraphQLView):
    """GraphQLView with context, validation rules and typed errors.

    ``context_factory(request)`` builds the per-request context object.
    ``require_preflight_for_multipart``: refuse multipart bodies that lack the
    ``Apollo-Require-Preflight`` header (a plain HTML form cannot set it: CSRF).
    """

    def __init__(self, schema: graphene.Schema, *, context_factory: Callable[[Request], Any],
                 max_depth: int = 8, introspection: bool = True, graphiql: bool = False,
                 require_preflight_for_multipart: bool = True, multipart_uploads_enabled: bool = True,
                 max_json_bytes: int = MAX_JSON_BYTES):
        super().__init__(schema=schema.graphql_schema, graphql_ide="graphiql" if graphiql else None,
                         allow_queries_via_get=False, multipart_uploads_enabled=multipart_uploads_enabled)
        self.context_factory = context_factory
        self.max_json_bytes = max_json_bytes
        # graphql-server logs every GraphQL error (a wrong card, a blurry upload, a poll for an
        # unknown run) at ERROR with a traceback; typed errors are expected answers, and
        # mask_unexpected already logs the unexpected ones, once.
        logging.getLogger("graphql_server.execution").setLevel(logging.CRITICAL)
        self.require_preflight_for_multipart = require_preflight_for_multipart
        rules: Iterable = (*specified_rules, depth_limit_validator(max_depth=max_depth))
        if not introspection:
            rules = (*rules, NoSchemaIntrospectionCustomRule)
        self.validation_rules = tuple(rules)

    allow_queries_via_get = False

    def dispatch_request(self):
        if request.mimetype != "multipart/form-data" and (request.content_length or 0) > self.max_json_bytes:
            body = {"errors": [{"message": f"A GraphQL request without files may be at most "
                                           f"{self.max_json_bytes // 1024} KB.",
                                "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
            return Response(json.dumps(body), status=413, mimetype="application/json")
        return super().dispatch_request()

    def get_context(self, request: Request, response) -> Any:
        context = self.context_factory(request)
        try:
            context.response = response
        except AttributeError:
            pass
        return context

    def parse_multipart(self, request) -> dict[str, Any]:
        if self.require_preflight_for_multipart and not request.headers.get(PREFLIGHT_HEADER):
            raise HTTPException(400, f"Multipart requests must carry the {PREFLIGHT_HEADER} header (CSRF protection)")
        try:
            operations = json.loads(request.post_data.get("operations") or "")
            files_map = json.loads(request.post_data.get("map") or "")
        except (json.JSONDecodeError, TypeError):
            raise HTTPException(400, "Multipart 'operations' and 'map' must be JSON") from None
        if not isinstance(operations, dict):
            raise HTTPException(400, "Multipart 'operations' must be a JSON object (batching is not supported)")
        if not isinstance(files_map, dict) or not all(
                isinstance(paths, list) and all(isinstance(p, str) for p in paths) for paths in files_map.values()):
            raise HTTPException(400, "Multipart 'map' must be an object of file field -> list of paths")
        files = request.files
        for field_name, paths in files_map.items():
            if field_name not in files:
                raise HTTPException(400, f"File part {field_name!r} named in 'map' is missing")
            for path in paths:
                _set_path(operations, path, files[field_name])
        return operations

    def execute_operation(self, request_adapter, request_data, context, root_value, allowed_operation_types):
        return execute_sync(
            schema=self.schema,
            query=request_data.document or request_data.query,
            root_value=root_value,
            variable_values=request_data.variables,
            context_value=context,
            operation_name=request_data.operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=request_data.extensions,
            validation_rules=self.validation_rules,
        )

    def process_result(self, request, result: ExecutionResult, strict: bool = False):
        if result.errors:
            result = ExecutionResult(data=result.data, errors=[mask_unexpected(e) for e in result.errors],
                                     extensions=result.extensions)
        return super().process_result(request, result, strict)


def _set_path(operations: dict, path: str, value: Any) -> None:
    """Put ``value`` at a dotted path like ``variables.file`` or ``variables.files.0``,
    refusing paths that do not point at an existing (null) placeholder."""
    keys = path.split(".")
    if keys[0] != "variables" or len(keys) < 2:
        raise HTTPException(400, f"Multipart map path {path!r} must point into 'variables'")
    target: Any = operations
    try:
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if isinstance(target, list):
            index = int(last)
            if target[index] is not None:
                raise KeyError(path)
            target[index] = value
        elif isinstance(target, dict):
            if last not in target or target[last] is not None:
                raise KeyError(path)
            target[last] = value
        else:
            raise KeyError(path)
    except (KeyError, IndexError, ValueError, TypeError):
        raise HTTPException(400, f"Multipart map path {path!r} does not match a null variable") from None
