import { describe, expect, it } from "vitest";
import { tokenGroupId } from "./Join";

// Tokens made by bff.tokens.make_token (base64url of the group id's 16 bytes and a MAC).
describe("tokenGroupId", () => {
  it("reads the group id a card names, so a re-scan of the same group's card asks nothing", () => {
    expect(tokenGroupId("ASNFZ4mrze8BI0VniavN78yhAM28enqKAaJR4RHJMoA")).toBe("0123456789abcdef0123456789abcdef");
    expect(tokenGroupId("_-7dzLuqmYh3ZlVEMyIRAMYkPHBrvNY8d7tCRLlkiqM")).toBe("ffeeddccbbaa99887766554433221100");
  });
  it("is null for what is not a card's token", () => {
    expect(tokenGroupId("short")).toBeNull();
    expect(tokenGroupId("not base64 at all!")).toBeNull();
  });
});
