// Projector mode: large type, refreshed every 2 s, rows slide to their new rank (FLIP).
import { useCallback, useLayoutEffect, useRef, useState } from "react";
import { loadScoreboard, percent, type ScoreboardRow } from "../lib/api";
import { usePolling } from "../lib/usePolling";
import { ErrorBanner } from "../lib/ui";
import { loadWorkshop, type AdminWorkshop } from "./adminApi";

const REFRESH_MS = 2000;

export function ScoreboardPage({ workshopId }: { workshopId: string }) {
  const [rows, setRows] = useState<ScoreboardRow[]>([]);
  const [workshop, setWorkshop] = useState<AdminWorkshop | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const rowRefs = useRef(new Map<string, HTMLLIElement>());
  const lastTops = useRef(new Map<string, number>());
  const lastRanks = useRef(new Map<string, number>());
  const [moved, setMoved] = useState<Record<string, "up" | "down">>({});

  const refresh = useCallback(async () => {
    try {
      if (!workshop) setWorkshop(await loadWorkshop(workshopId));
      const next = await loadScoreboard(workshopId);
      const changes: Record<string, "up" | "down"> = {};
      for (const row of next) {
        const before = lastRanks.current.get(row.group.id);
        if (before != null && before !== row.rank) changes[row.group.id] = row.rank < before ? "up" : "down";
        lastRanks.current.set(row.group.id, row.rank);
      }
      setMoved(changes);
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
    const tops = new Map<string, number>();
    rowRefs.current.forEach((element, id) => {
      const top = element.getBoundingClientRect().top;
      tops.set(id, top);
      const previous = lastTops.current.get(id);
      if (previous != null && previous !== top) {
        element.style.transition = "none";
        element.style.transform = `translateY(${previous - top}px)`;
        requestAnimationFrame(() => {
          element.style.transition = "transform 700ms cubic-bezier(.2,.8,.2,1)";
          element.style.transform = "";
        });
      }
    });
    lastTops.current = tops;
  }, [rows]);

  const best = rows.reduce((max, r) => Math.max(max, r.testAccuracy ?? 0), 0);
  return (
    <div className="scoreboard" data-testid="scoreboard">
      <header className="scoreboard-head">
        <h1>🏆 {workshop?.title ?? "PictoLab"}</h1>
        <span className="scoreboard-phase">{workshop?.phase}</span>
      </header>
      <ErrorBanner error={error} />
      <ol className="scoreboard-rows">
        {rows.map((row) => (
          <li key={row.group.id} data-testid="scoreboard-row" data-group-id={row.group.id}
              className={`scoreboard-row rank-${row.rank}${moved[row.group.id] ? ` moved-${moved[row.group.id]}` : ""}`}
              ref={(element) => {
                if (element) rowRefs.current.set(row.group.id, element);
                else rowRefs.current.delete(row.group.id);
              }}>
            {/* No medal without a score: an untrained group is listed, not placed. */}
            <span className="sb-rank">
              {row.testAccuracy == null ? "–" : row.rank <= 3 ? ["🥇", "🥈", "🥉"][row.rank - 1] : row.rank}
            </span>
            <span className="sb-emoji" aria-hidden="true">{row.group.emoji}</span>
            <span className="sb-name">{row.group.name}</span>
            <span className="sb-bar"><span className="sb-bar-fill"
              style={{ width: `${best ? Math.round(((row.testAccuracy ?? 0) / Math.max(best, 0.0001)) * 100) : 0}%`, background: row.group.color ?? undefined }} /></span>
            <span className="sb-score" data-testid="scoreboard-score">{percent(row.testAccuracy)}</span>
            <span className="sb-photos">📷 {row.photoCount}</span>
          </li>
        ))}
      </ol>
      {rows.length === 0 && !error && <p className="scoreboard-empty">…</p>}
      <footer className="scoreboard-foot">{updatedAt?.toLocaleTimeString()}</footer>
    </div>
  );
}
