// Projector mode: large type, refreshed every 2 s. Rows slide to their new rank (FLIP), a
// new or improved score flashes, and prefers-reduced-motion turns both into a still
// outline. Type sizes are in vw so they scale with the projected width (docs/classroom.md).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { loadScoreboard, percent, type ScoreboardRow } from "../lib/api";
import { useLang } from "../lib/i18n";
import { usePolling } from "../lib/usePolling";
import { AdminError } from "./AdminError";
import { loadWorkshop, type AdminWorkshop } from "./adminApi";
import { at, AT } from "./adminText";
import { loadDayState } from "./dayApi";
import { revealOrder, scoreboardLayout } from "./scoreboardLayout";

const REFRESH_MS = 2000;
const SLIDE_MS = 700;
/** The reveal, from last place up: one more row every this often. */
export const REVEAL_STEP_MS = 1200;

type Change = { moved?: "up" | "down"; improved?: boolean };

function reducedMotion(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** What changed for each group between two polls (first poll: nothing, no fireworks). */
export function scoreChanges(before: Map<string, ScoreboardRow> | null, next: ScoreboardRow[]): Record<string, Change> {
  const changes: Record<string, Change> = {};
  if (!before) return changes;
  for (const row of next) {
    const old = before.get(row.group.id);
    const change: Change = {};
    if (old && old.rank !== row.rank) change.moved = row.rank < old.rank ? "up" : "down";
    if (row.testAccuracy != null && (old?.testAccuracy == null || row.testAccuracy > old.testAccuracy)) change.improved = true;
    if (change.moved || change.improved) changes[row.group.id] = change;
  }
  return changes;
}

export function ScoreboardPage({ workshopId }: { workshopId: string }) {
  const lang = useLang();
  const [rows, setRows] = useState<ScoreboardRow[]>([]);
  const [workshop, setWorkshop] = useState<AdminWorkshop | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const rowRefs = useRef(new Map<string, HTMLLIElement>());
  const lastTops = useRef(new Map<string, number>());
  const lastRows = useRef<Map<string, ScoreboardRow> | null>(null);
  const [changes, setChanges] = useState<Record<string, Change>>({});
  // Hidden: the rows in card order with no score; revealing: how many rows, from last place
  // up, are shown so far (null: not revealing).
  const [hidden, setHidden] = useState(false);
  const [revealed, setRevealed] = useState<number | null>(null);
  const wasHidden = useRef<boolean | null>(null);

  const refresh = useCallback(async () => {
    try {
      if (!workshop) setWorkshop(await loadWorkshop(workshopId));
      const day = await loadDayState(workshopId);
      setHidden(day.scoresHidden);
      // Hidden -> shown while this screen watched: the reveal runs from last place up.
      if (wasHidden.current === true && !day.scoresHidden) setRevealed(0);
      wasHidden.current = day.scoresHidden;
      const next = await loadScoreboard(workshopId);
      setChanges(scoreChanges(lastRows.current, next));
      lastRows.current = new Map(next.map((row) => [row.group.id, row]));
      setRows(next);
      setUpdatedAt(new Date());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [workshopId, workshop]);
  usePolling(refresh, REFRESH_MS);

  // FLIP: start each row where it was, then let CSS slide it to where it is now.
  useLayoutEffect(() => {
    const still = reducedMotion();
    const tops = new Map<string, number>();
    rowRefs.current.forEach((element, id) => {
      const top = element.getBoundingClientRect().top;
      tops.set(id, top);
      const previous = lastTops.current.get(id);
      if (!still && previous != null && previous !== top) {
        element.style.transition = "none";
        element.style.transform = `translateY(${previous - top}px)`;
        element.dataset.sliding = "true";
        // Two frames: the browser must paint the old place before the slide starts.
        requestAnimationFrame(() => requestAnimationFrame(() => {
          element.style.transition = `transform ${SLIDE_MS}ms cubic-bezier(.2,.8,.2,1)`;
          element.style.transform = "";
          window.setTimeout(() => delete element.dataset.sliding, SLIDE_MS);
        }));
      }
    });
    lastTops.current = tops;
  }, [rows]);

  useEffect(() => {
    if (revealed === null) return;
    if (revealed >= rows.length) {
      const done = window.setTimeout(() => setRevealed(null), REVEAL_STEP_MS);
      return () => window.clearTimeout(done);
    }
    const step = window.setTimeout(() => setRevealed(revealed + 1), REVEAL_STEP_MS);
    return () => window.clearTimeout(step);
  }, [revealed, rows.length]);

  const best = rows.reduce((max, r) => Math.max(max, r.testAccuracy ?? 0), 0);
  const shown = revealOrder(rows, hidden, revealed);
  const layout = scoreboardLayout(shown.length);
  return (
    <main className={`scoreboard${layout.columns > 1 ? " scoreboard-compact" : ""}`} data-testid="scoreboard"
          data-hidden={hidden} data-revealing={revealed !== null} style={layout.style}>
      <header className="scoreboard-head">
        <h1>🏆 {workshop?.title ?? "PictoLab"}</h1>
        <span className="scoreboard-phase">{workshop && <AT k={`phase${workshop.phase}`} />}</span>
      </header>
      <AdminError error={error} />
      {hidden && <p className="scoreboard-hidden-note" data-testid="scores-hidden-note"><AT k="scoreboard" /> 🤫</p>}
      <ol className="scoreboard-rows">
        {shown.map(({ row, masked }) => {
          if (masked) {
            // Not revealed yet: a place, but not who holds it.
            return (
              <li key={`slot-${row.rank}`} className="scoreboard-row scoreboard-slot" data-testid="scoreboard-slot"
                  data-rank={row.rank}>
                <span className="sb-rank">{row.rank}</span>
                <span className="sb-emoji" aria-hidden="true">❔</span>
                <span className="sb-name">？？？</span>
                <span className="sb-bar" aria-hidden="true" />
                <span className="sb-score">?</span>
                <span className="sb-photos" />
              </li>
            );
          }
          const change = hidden ? undefined : changes[row.group.id];
          const classes = ["scoreboard-row", `rank-${row.rank}`];
          if (change?.moved) classes.push(`moved-${change.moved}`);
          if (change?.improved) classes.push("improved");
          return (
            <li key={row.group.id} data-testid="scoreboard-row" data-group-id={row.group.id} data-rank={row.rank}
                className={classes.join(" ")}
                ref={(element) => {
                  if (element) rowRefs.current.set(row.group.id, element);
                  else rowRefs.current.delete(row.group.id);
                }}>
              {/* No medal without a score: an untrained group is listed, not placed. */}
              {hidden ? (
                // While hidden the order is the cards' order, and no place is shown.
                <span className="sb-rank sb-number" aria-label={`No. ${row.group.number ?? ""}`}>{row.group.number ?? "–"}</span>
              ) : (
                <span className="sb-rank" aria-label={`${at("rank", lang)} ${row.rank}`}>
                  {row.testAccuracy == null ? "–" : row.rank <= 3 ? ["🥇", "🥈", "🥉"][row.rank - 1] : row.rank}
                </span>
              )}
              <span className="sb-emoji" aria-hidden="true">{row.group.emoji}</span>
              <span className="sb-name">{row.group.name}</span>
              <span className="sb-bar" aria-hidden="true"><span className="sb-bar-fill"
                style={{ width: `${best && !hidden ? Math.round(((row.testAccuracy ?? 0) / Math.max(best, 0.0001)) * 100) : 0}%`, background: row.group.color ?? undefined }} /></span>
              <span className="sb-score" data-testid="scoreboard-score">{hidden ? "?" : percent(row.testAccuracy)}</span>
              <span className="sb-photos">📷 {row.photoCount}<span className="visually-hidden"> <AT k="photosShort" /></span></span>
            </li>
          );
        })}
      </ol>
      {rows.length === 0 && !error && <p className="scoreboard-empty"><AT k="scoreboardEmpty" /></p>}
      <footer className="scoreboard-foot">{updatedAt && <AT k="lastUpdate" vars={{ time: updatedAt.toLocaleTimeString(lang === "ja" ? "ja-JP" : "en-GB") }} />}</footer>
    </main>
  );
}
