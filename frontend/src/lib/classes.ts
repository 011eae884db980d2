// A class shows as an emoji and a name. The BFF may keep the emoji apart (`emoji`) or as
// the first character of the name ("🍎 りんご"); both display the same.
import type { WorkshopClass } from "./api";

const FALLBACK_EMOJI = ["🍎", "🚗", "🐶", "🌼", "⚽", "📚", "🎸", "🧸"];
const LEADING_EMOJI = /^(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*)\s*(.*)$/u;

export function classLabel(cls: WorkshopClass, index: number): { emoji: string; name: string } {
  const match = LEADING_EMOJI.exec(cls.name);
  if (cls.emoji) return { emoji: cls.emoji, name: match && match[1] === cls.emoji ? match[2] : cls.name };
  if (match && match[2]) return { emoji: match[1], name: match[2] };
  return { emoji: FALLBACK_EMOJI[index % FALLBACK_EMOJI.length], name: cls.name };
}
