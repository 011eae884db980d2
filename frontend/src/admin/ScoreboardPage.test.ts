import { describe, expect, it } from "vitest";
import type { ScoreboardRow } from "../lib/api";
import { scoreChanges } from "./ScoreboardPage";

const row = (id: string, rank: number, testAccuracy: number | null): ScoreboardRow =>
  ({ rank, group: { id, name: id } as ScoreboardRow["group"], testAccuracy, photoCount: 10 }) as ScoreboardRow;

describe("scoreChanges", () => {
  it("marks nothing on the first poll", () => {
    expect(scoreChanges(null, [row("a", 1, 0.5)])).toEqual({});
  });
  it("marks moves and new or better scores, not worse or equal ones", () => {
    const before = new Map([["a", row("a", 1, 0.8)], ["b", row("b", 2, 0.5)], ["c", row("c", 3, null)], ["d", row("d", 4, 0.2)]]);
    const next = [row("b", 1, 0.9), row("a", 2, 0.8), row("c", 3, 0.3), row("d", 4, 0.1)];
    expect(scoreChanges(before, next)).toEqual({
      b: { moved: "up", improved: true },
      a: { moved: "down" },
      c: { improved: true },
    });
  });
});
