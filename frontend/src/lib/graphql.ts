// A small fetch/XHR GraphQL client for the BFF (no Apollo: the initial JS must stay small).
// Cookies carry the session (credentials: 'same-origin'); uploads follow the GraphQL
// multipart request spec and send `Apollo-Require-Preflight: true`, which the BFF requires
// against CSRF.

import type { TypedDocumentString } from "../gql/graphql";
import type { ErrorCode } from "./errors";

export type { ErrorCode };

export const GRAPHQL_PATH = "/graphql";

export class GraphQLRequestError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(message: string, code: ErrorCode, status = 0) {
    super(message);
    this.name = "GraphQLRequestError";
    this.code = code;
    this.status = status;
  }
  /** Worth sending again later: the network, the server or a rate limit, not the request. */
  get retryable(): boolean {
    return this.code === "NETWORK" || this.code === "UNAVAILABLE" || this.code === "RATE_LIMITED" ||
      this.code === "INTERNAL" || this.status >= 500 || this.status === 429;
  }
}

interface GraphQLErrorEntry { message?: string; extensions?: { code?: string } }
interface GraphQLResponse<T> { data?: T | null; errors?: GraphQLErrorEntry[] }

/** The error an HTTP status means when the body carries no GraphQL error. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 0) return "NETWORK";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "UNAVAILABLE";
  return "BAD_USER_INPUT";
}

/** Turn a status and a (maybe non-JSON) body into data or a typed error. */
export function parseGraphQLResponse<T>(status: number, bodyText: string): T {
  let body: GraphQLResponse<T> | null = null;
  try {
    body = JSON.parse(bodyText) as GraphQLResponse<T>;
  } catch {
    body = null;
  }
  const first = body?.errors?.[0];
  if (first) {
    const code = (first.extensions?.code as ErrorCode | undefined) ?? codeForStatus(status || 400);
    throw new GraphQLRequestError(first.message ?? code, code, status);
  }
  if (status < 200 || status >= 300 || !body || body.data == null) {
    throw new GraphQLRequestError(`HTTP ${status}`, codeForStatus(status), status);
  }
  return body.data;
}

/**
 * An operation written with the generated `graphql()` (src/gql): its text, and in its type the
 * answer and the variables, both generated from bff/schema.graphql (`npm run codegen`).
 */
export type Document<TResult, TVariables> = TypedDocumentString<TResult, TVariables>;
/** The answer's type of a generated document (`any`: a document's variables are contravariant,
 * so no narrower type matches every document). */
export type ResultOf<D> = D extends Document<infer TResult, any> ? TResult : never;

export async function gql<TResult, TVariables>(document: Document<TResult, TVariables>, variables?: TVariables,
                                               fetchImpl: typeof fetch = fetch): Promise<TResult> {
  const query = document.toString();
  let response: Response;
  try {
    response = await fetchImpl(GRAPHQL_PATH, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query, variables: variables ?? {} }),
    });
  } catch (err) {
    throw new GraphQLRequestError(String(err), "NETWORK", 0);
  }
  return parseGraphQLResponse<TResult>(response.status, await response.text());
}

/**
 * The body of a GraphQL multipart request: `operations`, `map`, then one part per file.
 * `files` maps a variable path (e.g. "variables.file") to the blob.
 */
export function multipartBody(query: string, variables: Record<string, unknown>,
                              files: Record<string, Blob>, fileName = "photo.jpg"): FormData {
  const vars: Record<string, unknown> = { ...variables };
  const map: Record<string, string[]> = {};
  Object.keys(files).forEach((path, index) => {
    vars[path.replace(/^variables\./, "")] = null;
    map[String(index)] = [path];
  });
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables: vars }));
  form.append("map", JSON.stringify(map));
  Object.values(files).forEach((blob, index) => form.append(String(index), blob, fileName));
  return form;
}

export interface UploadHandle<T> { promise: Promise<T>; abort: () => void }

/** A multipart GraphQL upload through XMLHttpRequest, for its upload progress events. */
export function gqlUpload<TResult, TVariables>(document: Document<TResult, TVariables>,
                                               variables: Omit<TVariables, "file">, files: Record<string, Blob>,
                                               onProgress?: (fraction: number) => void): UploadHandle<TResult> {
  const query = document.toString();
  const xhr = new XMLHttpRequest();
  const promise = new Promise<TResult>((resolve, reject) => {
    xhr.open("POST", GRAPHQL_PATH);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Apollo-Require-Preflight", "true");
    xhr.setRequestHeader("Accept", "application/json");
    if (onProgress) {
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
      };
    }
    xhr.onload = () => {
      try {
        resolve(parseGraphQLResponse<TResult>(xhr.status, xhr.responseText));
      } catch (err) {
        reject(err);
      }
    };
    xhr.onerror = () => reject(new GraphQLRequestError("network error", "NETWORK", 0));
    xhr.onabort = () => reject(new GraphQLRequestError("aborted", "NETWORK", 0));
    xhr.ontimeout = () => reject(new GraphQLRequestError("timeout", "NETWORK", 0));
    xhr.timeout = 120_000;
    xhr.send(multipartBody(query, variables as Record<string, unknown>, files));
  });
  return { promise, abort: () => xhr.abort() };
}

export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof GraphQLRequestError ? err.code : "INTERNAL";
}
