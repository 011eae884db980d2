// Generated from pictolab.contract.errors.ErrorCode; do not edit. Regenerate with
//   python -m pictolab.contract.errors --typescript > frontend/src/lib/errorCodes.generated.ts

/** The `extensions.code` values the services send (pictolab.contract.errors.ErrorCode). */
export type ServerErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "FAILED_PRECONDITION"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNAVAILABLE"
  | "INTERNAL"
  | "GRAPHQL_VALIDATION_FAILED"
  | "QUERY_TOO_COMPLEX"
  | "BUSY"
  | "BAD_REQUEST";
