import { describe, expect, it } from "vitest";
import { stars, sureWord } from "./api";
import { heatmapPixels, spotlightColor } from "./heatmap";
import { ERROR_MESSAGES } from "./errors";
import { STRINGS } from "./strings";

describe("numbers children read", () => {
  it("says how sure in words", () => {
    expect(sureWord(0.93)).toBe("sureVery");
    expect(sureWord(0.6)).toBe("sureSomewhat");
    expect(sureWord(0.2)).toBe("sureLittle");
    expect(sureWord(null)).toBe("sureLittle");
  });
  it("gives one star per fifth of the secret test right", () => {
    expect(stars(8, 10)).toBe(4);
    expect(stars(10, 10)).toBe(5);
    expect(stars(0, 10)).toBe(0);
    expect(stars(3, 0)).toBe(0);
  });
  it("leads with the secret test as counts, in both languages", () => {
    expect(STRINGS.secretScore.ja).toContain("${total}もん{中|ちゅう} ${correct}もん せいかい");
    expect(STRINGS.secretScore.en).toContain("${correct} of ${total} right");
  });
});

describe("the spotlight", () => {
  it("dims what the AI ignored and leaves where it looked clear, in one colour", () => {
    expect(spotlightColor(1)[3]).toBe(0);
    expect(spotlightColor(0)[3]).toBeGreaterThan(150);
    expect(spotlightColor(0.5)[3]).toBeLessThan(spotlightColor(0.1)[3]);
    const pixels = heatmapPixels({ width: 2, height: 1, values: [0, 1] }, "spotlight")!;
    expect([pixels[0], pixels[1], pixels[2]]).toEqual([pixels[4], pixels[5], pixels[6]]);  // no hue to tell apart
  });
});

describe("one register of Japanese", () => {
  it("uses the plain form, never です/ます, on the children's screens", () => {
    const all = [...Object.entries(STRINGS), ...Object.entries(ERROR_MESSAGES)];
    const polite = all.filter(([, v]) => /(です|ます|ません|でした|ました)/.test(v.ja));
    expect(polite.map(([k]) => k)).toEqual([]);
  });
});
