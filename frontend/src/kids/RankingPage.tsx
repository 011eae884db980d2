// The ranking, once the instructors open the competition (the BFF says when).
import { useCallback, useState } from "react";
import { loadScoreboard, percent, type ScoreboardRow } from "../lib/api";
import { errorCodeOf } from "../lib/graphql";
import { T } from "../lib/i18n";
import { usePolling } from "../lib/usePolling";
import { ErrorBanner, Spinner } from "../lib/ui";
import { useKidsSession } from "./session";

export default function RankingPage() {
  const { workshop, group } = useKidsSession();
  const [rows, setRows] = useState<ScoreboardRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const open = workshop.phase === "COMPETE" || workshop.phase === "CLOSED";
  const refresh = useCallback(async () => {
    try {
      setRows(await loadScoreboard(workshop.id));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [workshop.id]);
  // Every 5 s: the ranking moves when a run finishes, not faster (bench/polling.py).
  usePolling(refresh, 5000, open);

  const code = error ? errorCodeOf(error) : null;
  const secret = !open || code === "FORBIDDEN" || code === "FAILED_PRECONDITION";
  return (
    <section className="ranking-page" data-testid="ranking-page">
      <h1 className="screen-title"><T k="rankingTitle" /></h1>
      {secret ? (
        <div className="center-block">
          <div className="big-emoji" aria-hidden="true">🤫</div>
          <p className="lead"><T k="rankingNotYet" /></p>
        </div>
      ) : workshop.scoresHidden ? (
        // Until the reveal the BFF sends no score at all: a promise, not an empty table.
        <div className="center-block" data-testid="ranking-hidden">
          <div className="big-emoji" aria-hidden="true">🤫</div>
          <p className="lead"><T k="secretHidden" /></p>
        </div>
      ) : error ? <ErrorBanner error={error} /> : rows === null ? <Spinner /> : rows.length === 0 ? (
        <p className="lead"><T k="rankingEmpty" /></p>
      ) : (
        <ol className="ranking">
          {rows.map((row) => (
            <li key={row.group.id} className={`ranking-row${row.group.id === group.id ? " ranking-mine" : ""}`}>
              <span className="ranking-rank">{row.testAccuracy == null ? "–" : row.rank}</span>
              <span className="ranking-emoji" aria-hidden="true">{row.group.emoji}</span>
              <span className="ranking-name">{row.group.name}{row.group.id === group.id && <> (<T k="you" />)</>}</span>
              <span className="ranking-score">{percent(row.testAccuracy)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
