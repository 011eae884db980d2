import { describe, expect, it } from "vitest";
import { dotTitle } from "./ExperimentChart";

const run = { group: { id: "g1", name: "パンダ" }, photoCount: 12, testAccuracy: 0.834, mode: "DEEP" as const };

describe("dotTitle", () => {
  it("speaks Japanese to a Japanese instructor", () => {
    const title = dotTitle(run, "ja");
    expect(title).toBe("パンダ: 写真 12 枚、正解率 83%(じっくり)");
    expect(title).not.toMatch(/photos|DEEP/);
  });
  it("and English to an English one", () => {
    expect(dotTitle({ ...run, mode: "QUICK" }, "en")).toBe("パンダ: 12 photos, 83% (quick)");
  });
});
