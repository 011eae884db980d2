import { describe, expect, it } from "vitest";
import { classLabel, NEUTRAL_EMOJI } from "./classes";

describe("classLabel", () => {
  it("uses the server's emoji and shows a leading copy of it once", () => {
    expect(classLabel({ id: "a", name: "バナナ", emoji: "🍌" }, 1)).toEqual({ emoji: "🍌", name: "バナナ" });
    expect(classLabel({ id: "a", name: "🧱 れんが", emoji: "🧱" }, 0)).toEqual({ emoji: "🧱", name: "れんが" });
  });
  it("never picks an object by position when the emoji is missing", () => {
    for (const index of [0, 1, 2, 7]) {
      expect(classLabel({ id: "b", name: "バナナ", emoji: null }, index)).toEqual({ emoji: NEUTRAL_EMOJI, name: "バナナ" });
    }
    expect(classLabel({ id: "c", name: "🍎 りんご" }, 3)).toEqual({ emoji: "🍎", name: "りんご" });
  });
  it("keeps a bilingual name whole, with the emoji the server read from it", () => {
    // The BFF reads "りんご / apple" part by part (bff/workshops.py table_emoji).
    expect(classLabel({ id: "d", name: "りんご / apple", emoji: "🍎" }, 0)).toEqual({ emoji: "🍎", name: "りんご / apple" });
    expect(classLabel({ id: "e", name: "🍎 りんご / apple", emoji: "🍎" }, 0)).toEqual({ emoji: "🍎", name: "りんご / apple" });
  });
});
