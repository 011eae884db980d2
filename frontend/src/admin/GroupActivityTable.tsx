// One row per group, refreshed every few seconds without a reload: photos per class,
// trained or not, best score, last activity, and ⚠ for a group idle or stuck for more than
// 5 minutes. A lost card is reissued from its row.
import { useCallback, useState } from "react";
import type { WorkshopClass } from "../lib/api";
import { classLabel } from "../lib/classes";
import { useLang, type Lang } from "../lib/i18n";
import { Link } from "../lib/router";
import { usePolling } from "../lib/usePolling";
import { AdminError } from "./AdminError";
import { groupActivity, reissueCard, tryLog, type ActivityRow, type TryLogRow } from "./dayApi";
import { dt, DT } from "./dayText";
import { QrCode } from "./QrCode";

const REFRESH_MS = 4000;

function ago(iso: string | null, now: number, lang: Lang): string {
  if (!iso) return dt("never", lang);
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return seconds < 60 ? dt("secondsAgo", lang, { n: seconds }) : dt("minutesAgo", lang, { n: Math.floor(seconds / 60) });
}

export function GroupActivityTable({ workshopId, classes }: { workshopId: string; classes: WorkshopClass[] }) {
  const lang = useLang();
  const [rows, setRows] = useState<ActivityRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(() => Date.now());
  const [card, setCard] = useState<{ name: string; url: string } | null>(null);
  const [log, setLog] = useState<TryLogRow[]>([]);
  const refresh = useCallback(async () => {
    try {
      const [activity, answers] = await Promise.all([groupActivity(workshopId), tryLog(workshopId)]);
      setRows(activity);
      setLog(answers);
      setNow(Date.now());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [workshopId]);
  usePolling(refresh, REFRESH_MS);

  const reissue = async (row: ActivityRow) => {
    if (!window.confirm(dt("confirmReissue", lang, { name: row.group.name }))) return;
    try {
      setCard({ name: row.group.name, url: await reissueCard(row.group.id) });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card live-table-card" data-testid="group-activity">
      <h2><DT k="liveTitle" /></h2>
      <AdminError error={error} onClose={() => setError(null)} />
      {card && (
        <div className="reissued-card" role="status" data-testid="reissued-card">
          <h3><DT k="newCard" vars={{ name: card.name }} /></h3>
          <QrCode text={card.url} label={dt("newCard", lang, { name: card.name })} />
          <p className="muted reissued-url" data-testid="reissued-url">{card.url}</p>
          <Link to={`/admin/workshops/${workshopId}/cards`} className="small-button"><DT k="printCards" /></Link>
          <button type="button" className="small-button" onClick={() => setCard(null)}><DT k="close" /></button>
        </div>
      )}
      {rows && (
        <div className="live-table-scroll">
          <table className="live-table">
            <thead>
              <tr>
                <th scope="col"><DT k="colNumber" /></th>
                <th scope="col"><DT k="colGroup" /></th>
                <th scope="col"><DT k="colPhotos" /></th>
                <th scope="col"><DT k="colTrained" /></th>
                <th scope="col"><DT k="colBest" /></th>
                <th scope="col"><DT k="colLast" /></th>
                <th scope="col"><DT k="colTries" /></th>
                <th scope="col"><DT k="colCard" /></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.group.id} data-testid="activity-row" data-group-id={row.group.id}
                    data-attention={row.attention} className={row.attention ? "live-attention" : undefined}>
                  <td className="live-number">{row.number}</td>
                  <td>
                    {row.attention && (
                      <span className="live-warning" role="img" data-testid="activity-warning"
                            aria-label={dt(row.stuck ? "stuck" : "idle", lang)} title={dt(row.stuck ? "stuck" : "idle", lang)}>⚠️ </span>
                    )}
                    <Link to={`/admin/groups/${row.group.id}`}>{row.group.emoji} {row.group.name}</Link>
                  </td>
                  <td>
                    {classes.map((cls, index) => {
                      const count = row.photosPerClass.find((c) => c.classId === cls.id)?.count ?? 0;
                      return <span key={cls.id} className="live-class-count" title={classLabel(cls, index).name}>{classLabel(cls, index).emoji} {count} </span>;
                    })}
                  </td>
                  <td>{row.trained ? "✅" : row.latestStatus === "QUEUED" || row.latestStatus === "RUNNING" ? "⏳" : "–"}</td>
                  <td data-testid="activity-best">{row.bestScore == null ? "–" : `${Math.round(row.bestScore * 100)}%`}</td>
                  <td>{ago(row.lastActivityAt, now, lang)}</td>
                  <td>{row.triesRight} / {row.triesWrong}</td>
                  <td>
                    <button type="button" className="small-button" data-testid="reissue-card" onClick={() => reissue(row)}>
                      <DT k="reissue" />
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3><DT k="classLog" /></h3>
      {log.length === 0 ? <p className="muted"><DT k="classLogNone" /></p> : (
        <ul className="class-log" data-testid="class-log">
          {log.map((entry) => {
            const index = classes.findIndex((c) => c.id === entry.classId);
            const label = index < 0 ? dt("classLogOther", lang) : `${classLabel(classes[index], index).emoji} ${classLabel(classes[index], index).name}`;
            return <li key={entry.classId ?? "none"} data-class-id={entry.classId ?? ""}>{label}: ⭕ {entry.right} / ❌ {entry.wrong}</li>;
          })}
        </ul>
      )}
    </section>
  );
}
