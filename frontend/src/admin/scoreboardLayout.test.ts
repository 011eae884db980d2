import { describe, expect, it } from "vitest";
import type { ScoreboardRow } from "../lib/api";
import { revealOrder, scoreboardLayout } from "./scoreboardLayout";

const row = (rank: number, number: number, score: number | null): ScoreboardRow => ({
  rank, group: { id: `g${number}`, name: `G${number}`, number } as ScoreboardRow["group"], testAccuracy: score, photoCount: 0, status: "",
});

describe("scoreboardLayout", () => {
  it("puts 30 groups in two columns of 15 and a few in one", () => {
    expect(scoreboardLayout(30)).toMatchObject({ columns: 2, rowsPerColumn: 15, style: { "--sb-rows": "15" } });
    expect(scoreboardLayout(5)).toMatchObject({ columns: 1, rowsPerColumn: 5 });
  });
});

describe("revealOrder", () => {
  const rows = [row(1, 3, 0.9), row(2, 1, 0.5), row(3, 2, null)];
  it("shows card order while hidden", () => {
    expect(revealOrder(rows, true, null).map((r) => r.row.group.number)).toEqual([1, 2, 3]);
  });
  it("reveals from last place up", () => {
    expect(revealOrder(rows, false, 0).map((r) => r.masked)).toEqual([true, true, true]);
    expect(revealOrder(rows, false, 1).map((r) => r.masked)).toEqual([true, true, false]);
    expect(revealOrder(rows, false, 2).map((r) => r.masked)).toEqual([true, false, false]);
    expect(revealOrder(rows, false, 3).map((r) => r.masked)).toEqual([false, false, false]);
    expect(revealOrder(rows, false, null).map((r) => r.row.rank)).toEqual([1, 2, 3]);
  });
});
