import { afterEach, describe, expect, it, vi } from "vitest";
import { PLAY_STRINGS } from "./playStrings";
import { REACTION_SOUNDS } from "./playApi";
import { isMuted, playSound, setMuted, SOUND_NOTES } from "./sounds";

class FakeContext {
  static started = 0;
  currentTime = 0;
  destination = {};
  resume() { return Promise.resolve(); }
  createGain() {
    return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d: unknown) => d };
  }
  createOscillator() {
    return {
      type: "sine", frequency: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
      connect: (node: unknown) => node, start: () => { FakeContext.started += 1; }, stop() {},
    };
  }
}

describe("reaction sounds", () => {
  afterEach(() => { setMuted(false); vi.unstubAllGlobals(); });

  it("synthesises every built-in sound (no audio files) and respects the mute toggle", () => {
    vi.stubGlobal("AudioContext", FakeContext);
    for (const sound of REACTION_SOUNDS) expect(SOUND_NOTES[sound].length).toBeGreaterThan(0);
    expect(playSound("chime")).toBe(true);
    expect(FakeContext.started).toBe(SOUND_NOTES.chime.length);
    setMuted(true);
    expect(isMuted()).toBe(true);
    expect(playSound("chime")).toBe(false);
    expect(FakeContext.started).toBe(SOUND_NOTES.chime.length);
    setMuted(false);
    expect(playSound("http://example.org/a.mp3")).toBe(false);
  });

  it("has every play string in ja and en, and a name for every sound", () => {
    for (const [key, value] of Object.entries(PLAY_STRINGS)) {
      expect(value.ja, key).toBeTruthy();
      expect(value.en, key).toBeTruthy();
      expect(value.en.includes("{"), key).toBe(value.en.includes("${"));
    }
    for (const sound of REACTION_SOUNDS) expect(`sound${sound}` in PLAY_STRINGS).toBe(true);
  });
});
