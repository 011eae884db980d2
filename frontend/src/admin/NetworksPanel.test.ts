import { describe, expect, it } from "vitest";
import { splitNetworks } from "./NetworksPanel";

describe("splitNetworks", () => {
  it("reads commas, spaces, Japanese commas and new lines", () => {
    expect(splitNetworks(" 203.0.113.0/24, 198.51.100.0/26、2001:db8::/64\n10.0.0.0/8 ")).toEqual(
      ["203.0.113.0/24", "198.51.100.0/26", "2001:db8::/64", "10.0.0.0/8"]);
  });
  it("gives nothing for an empty field (the server's default applies)", () => {
    expect(splitNetworks("  ,  ")).toEqual([]);
  });
});
