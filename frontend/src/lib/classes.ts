// A class shows as an emoji and a name. The BFF gives every class an emoji (the instructors'
// choice, else one its built-in table says fits the name, else a neutral shape), so the app
// never guesses by position: a "banana" must not show a car. Older names may still start
// with their emoji ("🍎 りんご"): shown once, not twice.
import type { WorkshopClass } from "./api";

/** A class as the screens name it: a workshop class, or one whose emoji is not known. */
export type ClassLike = Pick<WorkshopClass, "name"> & { id?: string; emoji?: string | null };

/** Shown only if a class arrives without an emoji: a shape, never a misleading object. */
export const NEUTRAL_EMOJI = "🔵";
const LEADING_EMOJI = /^(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*)\s*(.*)$/u;

export function classLabel(cls: ClassLike, _index = 0): { emoji: string; name: string } {
  const match = LEADING_EMOJI.exec(cls.name);
  if (cls.emoji) return { emoji: cls.emoji, name: match && match[1] === cls.emoji && match[2] ? match[2] : cls.name };
  if (match && match[2]) return { emoji: match[1], name: match[2] };
  return { emoji: NEUTRAL_EMOJI, name: cls.name };
}
