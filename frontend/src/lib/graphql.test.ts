import { describe, expect, it } from "vitest";
import { ERROR_MESSAGES, friendlyError } from "./errors";
import { codeForStatus, gql, GraphQLRequestError, multipartBody, parseGraphQLResponse, type Document, type ErrorCode } from "./graphql";

/** A query text standing in for a generated document (the client posts its text). */
const doc = (text: string) => text as unknown as Document<unknown, Record<string, unknown>>;
import { plainText, renderRuby } from "./i18n";

describe("parseGraphQLResponse", () => {
  it("returns data", () => {
    expect(parseGraphQLResponse(200, '{"data": {"me": {"id": "g1"}}}')).toEqual({ me: { id: "g1" } });
  });

  it("turns the first GraphQL error into a typed error with its extensions.code", () => {
    const body = JSON.stringify({ data: null, errors: [{ message: "no such class", extensions: { code: "NOT_FOUND" } }] });
    try {
      parseGraphQLResponse(200, body);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GraphQLRequestError);
      expect((err as GraphQLRequestError).code).toBe("NOT_FOUND");
      expect((err as GraphQLRequestError).message).toBe("no such class");
      expect((err as GraphQLRequestError).retryable).toBe(false);
    }
  });

  it.each([
    [413, "<html>Request Entity Too Large</html>", "PAYLOAD_TOO_LARGE", false],
    [429, "", "RATE_LIMITED", true],
    [502, "Bad Gateway", "UNAVAILABLE", true],
    [503, "{}", "UNAVAILABLE", true],
    [403, '{"error": "outside the venue"}', "FORBIDDEN", false],
    [400, "oops", "BAD_USER_INPUT", false],
  ] as const)("HTTP %d without GraphQL errors -> %s", (status, body, code, retryable) => {
    try {
      parseGraphQLResponse(status, body);
      expect.unreachable();
    } catch (err) {
      expect((err as GraphQLRequestError).code).toBe(code);
      expect((err as GraphQLRequestError).retryable).toBe(retryable);
    }
  });

  it("codeForStatus maps a failed connection to NETWORK", () => {
    expect(codeForStatus(0)).toBe("NETWORK");
  });
});

describe("gql", () => {
  it("posts JSON with the session cookie and maps a network failure to NETWORK", async () => {
    const seen: RequestInit[] = [];
    const ok = (async (_url: string, init: RequestInit) => {
      seen.push(init);
      return new Response('{"data": {"workshop": null}}', { status: 200 });
    }) as unknown as typeof fetch;
    await expect(gql(doc("query { workshop { id } }"), { a: 1 }, ok)).resolves.toEqual({ workshop: null });
    expect(seen[0].credentials).toBe("same-origin");
    expect(seen[0].method).toBe("POST");
    expect(JSON.parse(seen[0].body as string)).toEqual({ query: "query { workshop { id } }", variables: { a: 1 } });

    const down = (async () => { throw new TypeError("Failed to fetch"); }) as unknown as typeof fetch;
    await expect(gql(doc("{ me { id } }"), {}, down)).rejects.toMatchObject({ code: "NETWORK", retryable: true });
  });
});

describe("multipartBody", () => {
  it("follows the GraphQL multipart request spec", async () => {
    const file = new Blob(["jpeg"], { type: "image/jpeg" });
    const form = multipartBody("mutation($classId: ID!, $file: Upload!) { uploadPhoto(classId: $classId, file: $file) { id } }",
      { classId: "c1" }, { "variables.file": file });
    expect(JSON.parse(form.get("operations") as string)).toEqual({
      query: expect.stringContaining("uploadPhoto"), variables: { classId: "c1", file: null },
    });
    expect(JSON.parse(form.get("map") as string)).toEqual({ 0: ["variables.file"] });
    const part = form.get("0") as File;
    expect(await part.text()).toBe("jpeg");
    expect(part.name).toBe("photo.jpg");
  });
});

describe("friendly error messages", () => {
  const codes: ErrorCode[] = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "FAILED_PRECONDITION",
    "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "RATE_LIMITED", "UNAVAILABLE", "INTERNAL", "NETWORK"];

  it.each(codes)("%s has its own message in Japanese and English", (code) => {
    const ja = friendlyError(code, "ja");
    const en = friendlyError(code, "en");
    expect(ja).toBe(ERROR_MESSAGES[code].ja);
    expect(en).toBe(ERROR_MESSAGES[code].en);
    expect(en).not.toMatch(/[぀-ヿ]/);  // no kana in English
    expect(ja).toMatch(/[぀-ゟ]/);      // hiragana in Japanese
    expect(plainText(ja)).not.toContain("{");
  });

  it("gives every code a different message", () => {
    expect(new Set(codes.map((c) => friendlyError(c, "en"))).size).toBe(codes.length);
  });

  it("falls back to the generic message for an unknown code", () => {
    expect(friendlyError("SOMETHING_NEW", "en")).toBe(ERROR_MESSAGES.INTERNAL.en);
    expect(friendlyError(undefined, "ja")).toBe(ERROR_MESSAGES.INTERNAL.ja);
  });

  it("renders furigana as <ruby>", () => {
    const nodes = renderRuby("{先生|せんせい}に きいてね");
    expect(nodes).toHaveLength(2);
    expect(nodes[1]).toBe("に きいてね");
    expect(plainText("{先生|せんせい}に きいてね")).toBe("先生に きいてね");
  });
});
