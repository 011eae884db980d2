// The class-wide experiment: every run as a dot, photos on x, hidden-test accuracy on y,
// one colour per group (lazy-loaded SVG, no chart library).
import { useEffect, useState } from "react";
import { useLang, type Lang } from "../lib/i18n";
import { Spinner } from "../lib/ui";
import { at, AT } from "./adminText";
import { AdminError } from "./AdminError";
import { experimentLog, type ExperimentRow } from "./adminApi";

const COLORS = ["#e63946", "#2a9d8f", "#e9c46a", "#457b9d", "#f4a261", "#8338ec", "#06d6a0", "#ff006e", "#3a86ff", "#8d99ae"];
const W = 640, H = 320, PAD = 44;

/** A dot's tooltip in the instructors' language: group, photos, accuracy, training mode. */
export function dotTitle(r: Pick<ExperimentRow, "group" | "photoCount" | "testAccuracy" | "mode">, lang: Lang): string {
  const mode = r.mode === "QUICK" || r.mode === "DEEP" ? at(`mode${r.mode}`, lang) : r.mode;
  return at("chartDot", lang, { group: r.group.name, n: r.photoCount, accuracy: Math.round((r.testAccuracy ?? 0) * 100), mode });
}

export default function ExperimentChart({ workshopId }: { workshopId: string }) {
  const [rows, setRows] = useState<ExperimentRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const lang = useLang();
  useEffect(() => {
    const load = () => experimentLog(workshopId).then(setRows, setError);
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [workshopId]);
  if (error && !rows) return <AdminError error={error} />;
  if (!rows) return <Spinner />;
  const scored = rows.filter((r) => r.testAccuracy != null);
  if (!scored.length) return <p className="muted"><AT k="noScoredRuns" /></p>;
  const groups = [...new Map(scored.map((r) => [r.group.id, r.group])).values()];
  const maxX = Math.max(10, ...scored.map((r) => r.photoCount));
  const x = (v: number) => PAD + (v / maxX) * (W - PAD * 1.5);
  const y = (v: number) => H - PAD - v * (H - PAD * 1.5);
  return (
    <figure className="chart" data-testid="experiment-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={at("chartLabel", lang)}>
        <line x1={PAD} y1={H - PAD} x2={W - PAD / 2} y2={H - PAD} stroke="#333" />
        <line x1={PAD} y1={H - PAD} x2={PAD} y2={PAD / 2} stroke="#333" />
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={PAD} x2={W - PAD / 2} y1={y(t)} y2={y(t)} stroke="#ddd" />
            <text x={PAD - 6} y={y(t) + 4} textAnchor="end" fontSize="11">{Math.round(t * 100)}%</text>
          </g>
        ))}
        {[0, 0.5, 1].map((t) => (
          <text key={t} x={x(t * maxX)} y={H - PAD + 16} textAnchor="middle" fontSize="11">{Math.round(t * maxX)}</text>
        ))}
        <text x={W / 2} y={H - 6} textAnchor="middle" fontSize="12">{at("chartAxis", lang)}</text>
        {scored.map((r) => (
          <circle key={r.runId} cx={x(r.photoCount)} cy={y(r.testAccuracy!)} r={r.mode === "DEEP" ? 8 : 6}
                  fill={COLORS[groups.findIndex((g) => g.id === r.group.id) % COLORS.length]} fillOpacity={0.8}>
            <title>{dotTitle(r, lang)}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="legend">
        {groups.map((g, i) => (
          <span key={g.id} className="legend-item">
            <span className="legend-dot" style={{ background: COLORS[i % COLORS.length] }} /> {g.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
