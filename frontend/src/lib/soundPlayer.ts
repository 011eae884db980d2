// The reactions' sounds, synthesised with WebAudio (a few oscillator notes each): no audio
// file is shipped or downloaded. A mute toggle (remembered on the device) silences them all.
// No React here: the take-home model page (src/modelPage) plays them too, and this module's
// chunk is served beside that page (vite.config.ts).
import type { ReactionSound } from "./playApi";

const MUTE_KEY = "pictolab.muted";
const listeners = new Set<() => void>();

function readMuted(): boolean {
  try {
    return localStorage.getItem(MUTE_KEY) === "1";
  } catch {
    return false;
  }
}

let muted = typeof localStorage === "undefined" ? false : readMuted();

export function isMuted(): boolean {
  return muted;
}

export function setMuted(value: boolean): void {
  muted = value;
  try {
    localStorage.setItem(MUTE_KEY, value ? "1" : "0");
  } catch {
    /* private mode: the choice lasts until reload */
  }
  listeners.forEach((listener) => listener());
}

export function subscribeMuted(listener: () => void): () => void {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

/** [frequency Hz, start s, length s, wave] per note. */
type Note = [number, number, number, OscillatorType];
export const SOUND_NOTES: Record<ReactionSound, Note[]> = {
  pop: [[880, 0, 0.08, "sine"], [1320, 0.05, 0.06, "sine"]],
  chime: [[1046, 0, 0.35, "triangle"], [1318, 0.1, 0.35, "triangle"], [1568, 0.2, 0.45, "triangle"]],
  boing: [[220, 0, 0.35, "sine"], [330, 0.12, 0.3, "sine"]],
  fanfare: [[523, 0, 0.15, "square"], [659, 0.15, 0.15, "square"], [784, 0.3, 0.15, "square"], [1046, 0.45, 0.4, "square"]],
  whistle: [[1200, 0, 0.25, "sine"], [1800, 0.2, 0.3, "sine"]],
  drum: [[110, 0, 0.12, "triangle"], [110, 0.18, 0.12, "triangle"], [82, 0.36, 0.2, "triangle"]],
};

let context: AudioContext | null = null;

function audioConstructor(): typeof AudioContext | undefined {
  return typeof window === "undefined" ? undefined
    : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext);
}

/** iPad Safari starts audio only from a tap: the first tap anywhere opens the context, so a
 * reaction that arrives later (after the photo went to the AI) can still sound. */
export function unlockAudioOnFirstTap(): void {
  if (typeof document === "undefined") return;
  const unlock = () => {
    document.removeEventListener("pointerdown", unlock, true);
    const Ctor = audioConstructor();
    if (!Ctor) return;
    try {
      context = context ?? new Ctor();
      void context.resume?.();
    } catch {
      /* no audio on this device */
    }
  };
  document.addEventListener("pointerdown", unlock, true);
}

/** Play one of the built-in sounds unless muted; false when nothing was played. */
export function playSound(sound: string | null | undefined): boolean {
  if (!sound || muted || !(sound in SOUND_NOTES)) return false;
  const Ctor = audioConstructor();
  if (!Ctor) return false;
  try {
    context = context ?? new Ctor();
    const ctx = context;
    void ctx.resume?.();
    const now = ctx.currentTime + 0.02;
    for (const [frequency, start, length, wave] of SOUND_NOTES[sound as ReactionSound]) {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = wave;
      oscillator.frequency.setValueAtTime(frequency, now + start);
      if (sound === "boing" || sound === "whistle") {
        oscillator.frequency.exponentialRampToValueAtTime(frequency * 1.6, now + start + length);
      }
      // A soft attack and decay: no clicks, never loud.
      gain.gain.setValueAtTime(0.0001, now + start);
      gain.gain.exponentialRampToValueAtTime(0.18, now + start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(now + start);
      oscillator.stop(now + start + length + 0.02);
    }
    return true;
  } catch {
    return false;  // no audio on this device: the reaction still shows
  }
}
