// The projector's scoreboard: how 30 groups fit one 1920x1080 screen without scrolling, and
// which rows the reveal shows so far.
import type { ScoreboardRow } from "../lib/api";

/** Up to this many groups one column reads best; more go into two columns. */
export const ONE_COLUMN_MAX = 8;

export function scoreboardLayout(count: number): { columns: number; rowsPerColumn: number; style: Record<string, string> } {
  const columns = count > ONE_COLUMN_MAX ? 2 : 1;
  const rowsPerColumn = Math.max(1, Math.ceil(count / columns));
  // styles.css sizes the type from --sb-rows so that every row fits the screen's height.
  return { columns, rowsPerColumn, style: { "--sb-rows": String(rowsPerColumn) } };
}

export interface ShownRow { row: ScoreboardRow; masked: boolean }

/** Hidden: card order (by group number), nothing masked, scores blanked by the page.
 * Revealing ``revealed`` rows: rank order, the best ``n - revealed`` masked (the reveal
 * runs from last place up). Otherwise: the ranking as it is. */
export function revealOrder(rows: ScoreboardRow[], hidden: boolean, revealed: number | null): ShownRow[] {
  if (hidden) {
    const byCard = [...rows].sort((a, b) => (a.group.number ?? 0) - (b.group.number ?? 0));
    return byCard.map((row) => ({ row, masked: false }));
  }
  const ranked = [...rows].sort((a, b) => a.rank - b.rank);
  if (revealed === null) return ranked.map((row) => ({ row, masked: false }));
  const maskedCount = Math.max(0, ranked.length - revealed);
  return ranked.map((row, index) => ({ row, masked: index < maskedCount }));
}
