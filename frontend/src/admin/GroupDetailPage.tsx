// One group: photos per class, its runs, and the confusion matrix of a run whose cells
// open the misclassified hidden test photos.
import { useEffect, useState } from "react";
import { percent } from "../lib/api";
import { classLabel } from "../lib/classes";
import { useLang } from "../lib/i18n";
import { Link } from "../lib/router";
import { AT } from "./adminText";
import { Spinner } from "../lib/ui";
import { AdminError } from "./AdminError";
import { groupDetail, knownClass, type GroupDetail, type GroupRun } from "./adminApi";
import { GroupScratchPanel } from "./TakeHome";

function nameOf(classId: string): string {
  const cls = knownClass(classId);
  if (!cls) return classId.slice(0, 6);
  const { emoji, name } = classLabel(cls, 0);
  return `${emoji} ${name}`;
}

export function ConfusionMatrix({ run }: { run: GroupRun }) {
  const [cell, setCell] = useState<{ label: string; predicted: string } | null>(null);
  const labels = run.labels ?? [];
  const confusion = run.confusion ?? [];
  if (!labels.length || !confusion.length) return <p className="muted"><AT k="noTestResults" /></p>;
  const max = Math.max(1, ...confusion.flat());
  const shown = cell ? (run.misclassified ?? []).filter((m) => m.label === cell.label && m.predicted === cell.predicted) : [];
  return (
    <div className="confusion-wrap">
      <table className="confusion" data-testid="confusion">
        <thead>
          <tr><th><AT k="confusionCorner" /></th>{labels.map((l) => <th key={l}>{nameOf(l)}</th>)}</tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{nameOf(label)}</th>
              {labels.map((predicted, j) => {
                const count = confusion[i]?.[j] ?? 0;
                const wrong = i !== j && count > 0;
                return (
                  <td key={predicted} className={i === j ? "diag" : wrong ? "wrong" : ""}
                      style={{ "--heat": String(count / max) } as React.CSSProperties}>
                    {wrong ? (
                      <button type="button" className="cell-button" onClick={() => setCell({ label, predicted })}>{count}</button>
                    ) : count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {cell && (
        <div className="misclassified" data-testid="misclassified">
          <h3>{nameOf(cell.label)} → {nameOf(cell.predicted)}</h3>
          <div className="thumb-grid">
            {shown.map((m, i) => (
              <figure key={m.photoId ?? i} className="thumb">{m.url ? <img src={m.url} alt="" /> : <span>?</span>}</figure>
            ))}
          </div>
          {shown.length === 0 && <p className="muted"><AT k="noCellPhotos" /></p>}
        </div>
      )}
    </div>
  );
}

/** The run's own-photo check (per class "how sure", confusing photos), as the group sees it. */
export function RunInsights({ run }: { run: GroupRun }) {
  if (run.classConfidence == null) return null;
  const confusing = run.confusingPhotos ?? [];
  return (
    <section className="card" data-testid="run-insights">
      <h2><AT k="sureTitle" /></h2>
      <table className="runs-table">
        <thead><tr><th><AT k="classColumn" /></th><th><AT k="sureColumn" /></th><th><AT k="countColumn" /></th></tr></thead>
        <tbody>
          {run.classConfidence.map((c) => (
            <tr key={c.classId} data-testid="admin-sure-row">
              <td>{nameOf(c.classId)}</td><td>{percent(c.sure)}</td><td>{c.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2><AT k="confusingTitle" /></h2>
      {confusing.length === 0 ? <p className="muted"><AT k="confusingNone" /></p> : (
        <div className="thumb-grid">
          {confusing.map((c) => (
            <figure key={c.photoId} className="thumb" data-testid="admin-confusing-photo">
              <img src={`/media/photos/${c.photoId}`} alt={`${nameOf(c.classId)} → ${nameOf(c.predictedClassId)}`} />
              <figcaption className="thumb-caption">{nameOf(c.classId)} → {nameOf(c.predictedClassId)} ({percent(c.confidence)})</figcaption>
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

export function GroupDetailPage({ groupId, onError }: { groupId: string; onError: (err: unknown) => void }) {
  const [detail, setDetail] = useState<GroupDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const lang = useLang();  // re-render on the toggle (nameOf is not a hook)
  useEffect(() => {
    groupDetail(groupId).then((d) => {
      setDetail(d);
      setRunId(d.runs.find((r) => r.status === "SUCCEEDED")?.id ?? null);
    }, (err) => {
      setError(err);
      onError(err);
    });
  }, [groupId, onError]);
  if (error) return <AdminError error={error} />;
  if (!detail) return <Spinner />;
  const run = detail.runs.find((r) => r.id === runId);
  void lang;
  return (
    <div className="group-detail" data-testid="group-detail">
      <h1>{detail.group.emoji} {detail.group.name}</h1>
      {detail.group.workshop && (
        <Link to={`/admin/workshops/${detail.group.workshop.id}`} className="small-button">← {detail.group.workshop.title}</Link>
      )}
      <div className="admin-columns">
        <section className="card">
          <h2><AT k="photosPerClass" /></h2>
          <ul>{detail.photosPerClass.map((p) => <li key={p.classId}>{nameOf(p.classId)}: <strong>{p.count}</strong></li>)}</ul>
        </section>
        <section className="card">
          <h2><AT k="runs" /></h2>
          <table className="runs-table">
            <thead><tr><th><AT k="mode" /></th><th><AT k="status" /></th><th><AT k="test" /></th><th><span className="visually-hidden"><AT k="showMatrix" /></span></th></tr></thead>
            <tbody>
              {detail.runs.map((r) => (
                <tr key={r.id} className={r.id === runId ? "selected" : ""}>
                  <td>{r.mode}</td><td>{r.status}</td><td>{percent(r.testAccuracy)}</td>
                  <td>{r.confusion && <button type="button" className="small-button" onClick={() => setRunId(r.id)}><AT k="showMatrix" /></button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {run && <section className="card"><h2><AT k="confusionTitle" /></h2><ConfusionMatrix run={run} /></section>}
      {run && <RunInsights run={run} />}
      <GroupScratchPanel groupId={groupId} />
    </div>
  );
}
