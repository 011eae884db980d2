"""GraphQL plumbing shared by the BFF and the ML API (graphene 3 + graphql-server 3.0).

graphql-server 3.0's view takes no context, middleware or validation rules in its
constructor, so :class:`PictolabGraphQLView` subclasses it to add them, plus:
typed errors (``extensions.code``: resolvers raise a
:class:`~pictolab.contract.errors.DomainError`, and :func:`mask_unexpected` is the one place
that turns it into a GraphQL error), masking of unexpected exceptions, a depth limit, a cost
limit (fields and list fields, fragments expanded), optional hiding of introspection, a
body limit counted in bytes read (chunked bodies too), strict multipart parsing and the CSRF
preflight rule.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import graphene
from flask import Request, Response, request
from graphene.validation import depth_limit_validator
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    specified_rules,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql_server import execute_sync
from graphql_server.flask.views import GraphQLView
from graphql_server.http.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge

from pictolab.contract.errors import DomainError, ErrorCode, error_body

log = logging.getLogger(__name__)

PREFLIGHT_HEADER = "Apollo-Require-Preflight"
# Real operations are a few kilobytes; only multipart uploads need the big body limit. A
# cap here keeps a megabyte of aliases ({a0: x a1: x ...}) from costing seconds of CPU.
MAX_JSON_BYTES = 64 * 1024
# The depth limit does not stop width: 1000 aliased `photos` lists fit in 20 KB and cost 1000
# database queries. The app's largest operation selects a few dozen fields and a handful of
# lists; these caps leave it ample room.
MAX_FIELDS = 500
MAX_LIST_FIELDS = 50


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


def cost_limit_validator(max_fields: int = MAX_FIELDS,
                         max_list_fields: int = MAX_LIST_FIELDS) -> type[ValidationRule]:
    """A validation rule refusing operations that select more than ``max_fields`` fields or
    more than ``max_list_fields`` list-typed fields, counting every fragment spread as the
    fields it expands to (a few nested fragments multiply fast). Runs before execution, so
    a refused operation costs a parse and a walk, never a resolver."""

    class CostLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            context = self.context
            schema = context.schema
            fragments = {f.name.value: f for f in context.document.definitions
                         if getattr(f, "kind", None) == "fragment_definition"}
            root = schema.get_root_type(node.operation)
            memo: dict[str, tuple[int, int]] = {}

            def walk(selection_set, parent, active: frozenset[str]) -> tuple[int, int]:
                fields = lists = 0
                for selection in selection_set.selections if selection_set else ():
                    if isinstance(selection, FieldNode):
                        fields += 1
                        field = getattr(parent, "fields", {}).get(selection.name.value) if parent else None
                        child = None
                        if field is not None:
                            if isinstance(get_nullable_type(field.type), GraphQLList):
                                lists += 1
                            named = get_named_type(field.type)
                            child = named if is_composite_type(named) else None
                        f, li = walk(selection.selection_set, child, active)
                        fields, lists = fields + f, lists + li
                    elif isinstance(selection, InlineFragmentNode):
                        condition = selection.type_condition
                        target = schema.get_type(condition.name.value) if condition else parent
                        f, li = walk(selection.selection_set, target, active)
                        fields, lists = fields + f, lists + li
                    elif isinstance(selection, FragmentSpreadNode):
                        name = selection.name.value
                        fragment = fragments.get(name)
                        if fragment is None or name in active:
                            continue  # unknown or cyclic: the spec's own rules report it
                        if name not in memo:
                            memo[name] = walk(fragment.selection_set,
                                              schema.get_type(fragment.type_condition.name.value),
                                              active | {name})
                        f, li = memo[name]
                        fields, lists = fields + f, lists + li
                    if fields > max_fields or lists > max_list_fields:
                        break  # already over: no need to expand the rest
                return fields, lists

            fields, lists = walk(node.selection_set, root, frozenset())
            if fields > max_fields or lists > max_list_fields:
                context.report_error(GraphQLError(
                    f"This request asks for too much at once ({fields} fields, {lists} lists; "
                    f"at most {max_fields} and {max_list_fields}). Send smaller requests.",
                    node, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value}))

    return CostLimitRule


def _error_code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


def mask_unexpected(error: GraphQLError) -> GraphQLError:
    """Keep typed and validation errors; hide the text of anything unexpected."""
    original = error.original_error
    if original is None:  # syntax or validation error: about the query itself
        if not _error_code(error):
            error.extensions = {**(error.extensions or {}), "code": ErrorCode.GRAPHQL_VALIDATION_FAILED.value}
        return error
    if isinstance(original, DomainError):  # raised by service code: typed, meant to be seen
        return GraphQLError(original.message, nodes=error.nodes, path=error.path,
                            extensions=original.extensions)
    if isinstance(original, GraphQLError):
        if not _error_code(original) and not _error_code(error):
            error.extensions = {**(error.extensions or {}), "code": ErrorCode.BAD_USER_INPUT.value}
        elif not _error_code(error):
            error.extensions = {**(error.extensions or {}), **(original.extensions or {})}
        return error
    log.error("unexpected error in %s", ".".join(map(str, error.path or [])), exc_info=original)
    return GraphQLError("Internal error", nodes=error.nodes, path=error.path,
                        extensions={"code": ErrorCode.INTERNAL.value})


def _error_response(status: int, message: str, code: ErrorCode) -> Response:
    return Response(json.dumps(error_body(code, message)), status=status, mimetype="application/json")


def _too_large(limit: int, what: str = "A GraphQL request without files") -> Response:
    return _error_response(413, f"{what} may be at most {limit // 1024} KB.", ErrorCode.PAYLOAD_TOO_LARGE)


class PictolabGraphQLView(GraphQLView):
    """GraphQLView with context, validation rules and typed errors.

    ``context_factory(request)`` builds the per-request context object.
    ``require_preflight_for_multipart``: refuse multipart bodies that lack the
    ``Apollo-Require-Preflight`` header (a plain HTML form cannot set it: CSRF).
    """

    def __init__(self, schema: graphene.Schema, *, context_factory: Callable[[Request], Any],
                 max_depth: int = 8, introspection: bool = True, graphiql: bool = False,
                 require_preflight_for_multipart: bool = True, multipart_uploads_enabled: bool = True,
                 max_json_bytes: int = MAX_JSON_BYTES, max_fields: int = MAX_FIELDS,
                 max_list_fields: int = MAX_LIST_FIELDS):
        super().__init__(schema=schema.graphql_schema, graphql_ide="graphiql" if graphiql else None,
                         allow_queries_via_get=False, multipart_uploads_enabled=multipart_uploads_enabled)
        self.context_factory = context_factory
        self.max_json_bytes = max_json_bytes
        # graphql-server logs every GraphQL error (a wrong card, a blurry upload, a poll for an
        # unknown run) at ERROR with a traceback; typed errors are expected answers, and
        # mask_unexpected already logs the unexpected ones, once.
        logging.getLogger("graphql_server.execution").setLevel(logging.CRITICAL)
        self.require_preflight_for_multipart = require_preflight_for_multipart
        rules: Iterable = (*specified_rules, depth_limit_validator(max_depth=max_depth),
                           cost_limit_validator(max_fields, max_list_fields))
        if not introspection:
            rules = (*rules, NoSchemaIntrospectionCustomRule)
        self.validation_rules = tuple(rules)

    allow_queries_via_get = False

    def dispatch_request(self):
        if request.method == "POST" and request.mimetype != "multipart/form-data":
            if (request.content_length or 0) > self.max_json_bytes:
                return _too_large(self.max_json_bytes)
            # Count the bytes actually read: a chunked body has no Content-Length to check,
            # and werkzeug cuts a chunked body at the limit silently, so read one byte more
            # than allowed and refuse if it came. The body stays cached for the view. (Where
            # a before_request hook read the body already, it was read under the app's cap.)
            request.max_content_length = self.max_json_bytes + 1
            if len(request.get_data(cache=True)) > self.max_json_bytes:
                return _too_large(self.max_json_bytes)
        elif request.method == "POST":
            # A multipart request's `operations` gets the JSON body's cap; only file parts may
            # be big. werkzeug stops reading a text part at a few times the cap (its limit also
            # bounds its read buffer, which holds file data too, so it cannot be the cap
            # itself); the exact cap is checked before any JSON or GraphQL parsing. A request
            # without a file part is refused before that parsing too: it has no reason to be
            # multipart, and the body cap of uploads is far above a query's.
            request.max_form_memory_size = 4 * self.max_json_bytes
            too_large = _too_large(self.max_json_bytes, what="A multipart request's 'operations'")
            try:
                has_file = bool(request.files)
                operations = request.form.get("operations") or ""
            except RequestEntityTooLarge:
                return too_large
            if len(operations.encode()) > self.max_json_bytes:
                return too_large
            if not has_file:
                return _error_response(400, "The file part is missing: a multipart request must carry one "
                                            "(send other operations as JSON).", ErrorCode.BAD_USER_INPUT)
        return super().dispatch_request()

    def get_graphql_request_data(self, request, context, data, protocol):
        # graphql-server assumes an object and fails with a 500 on anything else; a batch
        # ([{...}, {...}]) is the likely one, and PictoLab does not support batching.
        if not isinstance(data, dict):
            raise HTTPException(400, "The request body must be one JSON object "
                                     "({\"query\": ...}); batching is not supported")
        return super().get_graphql_request_data(request, context, data, protocol)

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
