// Train: one big button, an animated progress bar while the run is queued or running
// (polled every second), then the result.
import { useCallback, useId, useState } from "react";
import {
  deletePhoto, isActive, loadConfusingHeatmap, loadTrainingRuns, movePhoto, percent, startTraining,
  type ConfusingHeatmap, type ConfusingPhoto, type TrainingRun, type WorkshopClass,
} from "../lib/api";
import { confusingLookedKey } from "../lib/heatmap";
import { HeatmapOverlay } from "../lib/HeatmapOverlay";
import { plainText, T, tr, useLang } from "../lib/i18n";
import { STRINGS, type StringKey } from "../lib/strings";
import { usePolling } from "../lib/usePolling";
import { ErrorBanner, ProgressBar, Spinner } from "../lib/ui";
import { classDisplayName, classEmoji } from "./Home";
import { useKidsSession } from "./session";

/** Below this mean "sure" a class gets a nudge to take more photos. */
const SURE_LOW = 0.6;

function classLabel(classes: WorkshopClass[], classId: string): string {
  const index = classes.findIndex((c) => c.id === classId);
  return index < 0 ? "?" : `${classEmoji(classes[index], index)} ${classDisplayName(classes[index], index)}`;
}

/** Per class, how sure the AI is of its own photos (cross-validated by the ML API). */
function ClassSureness({ run, classes }: { run: TrainingRun; classes: WorkshopClass[] }) {
  const lang = useLang();
  const rows = (run.classConfidence ?? []).filter((c) => c.sure != null);
  if (rows.length === 0) return null;
  return (
    <div className="sure-block" data-testid="class-sureness">
      <h2><T k="sureTitle" /></h2>
      <ul className="sure-list">
        {rows.map((row) => (
          <li key={row.classId} className="sure-row" data-testid="sure-row" data-class-id={row.classId}>
            <span>{classLabel(classes, row.classId)}</span>
            <ProgressBar value={row.sure ?? 0}
                         label={`${plainText(tr("sureTitle", lang))}: ${classLabel(classes, row.classId)}`} />
            <span>{percent(row.sure)}</span>
            {(row.sure ?? 0) < SURE_LOW && <span className="sure-low"><T k="sureLow" /></span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One confusing photo: what the AI thought, where it looked (asked only when tapped: each is
 * one prediction on the server), and two big buttons to fix it. */
function ConfusingItem({ runId, item, classes, onFixed, onError }: {
  runId: string; item: ConfusingPhoto; classes: WorkshopClass[]; onFixed: (how: "moved" | "deleted") => void;
  onError: (error: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [looking, setLooking] = useState(false);
  const [looked, setLooked] = useState<ConfusingHeatmap | null>(null);
  const [loadingLook, setLoadingLook] = useState(false);
  const saysId = useId();
  const predicted = classLabel(classes, item.predictedClassId);
  const toggleLook = async () => {
    if (looking) {
      setLooking(false);
      return;
    }
    setLooking(true);
    if (looked?.heatmap) return;  // drawn once: kept; one that failed is asked again
    setLoadingLook(true);
    try {
      setLooked(await loadConfusingHeatmap(runId, item.photoId));
    } catch {
      setLooked({ heatmap: null, classId: null });  // the list stays; only this says "not now"
    } finally {
      setLoadingLook(false);
    }
  };
  const lookKey = confusingLookedKey(looked?.heatmap, looked?.classId, item.predictedClassId);
  const act = async (how: "moved" | "deleted") => {
    setBusy(true);
    try {
      if (how === "moved") await movePhoto(item.photoId, item.predictedClassId);
      else await deletePhoto(item.photoId);
      onFixed(how);
    } catch (error) {
      setBusy(false);
      onError(error);
    }
  };
  return (
    <li className="confusing-item" data-testid="confusing-photo" data-photo-id={item.photoId}>
      <div className={`confusing-thumb${looking && looked?.heatmap ? " looking" : ""}`}>
        <img src={`/media/photos/${item.photoId}`} alt="" />
        {looking && looked?.heatmap && <HeatmapOverlay heatmap={looked.heatmap} className="thumb-overlay" />}
      </div>
      <div>
        <p className="confusing-says" id={saysId}><T k="confusingLooksLike" vars={{ label: predicted }} /></p>
        <button type="button" className="small-button heatmap-toggle" data-testid="confusing-look"
                aria-pressed={looking} aria-describedby={saysId} aria-busy={loadingLook} onClick={toggleLook}>
          <span aria-hidden="true">👀</span> <T k="heatmapToggle" />
        </button>
        {looking && !loadingLook && looked && (
          <p className="heatmap-explain" data-testid="confusing-look-explain" data-state={lookKey}>
            <T k={lookKey} vars={{ label: predicted }} />
          </p>
        )}
        <div className="confusing-actions">
          <button type="button" className="big-button" data-testid="confusing-move" disabled={busy}
                  onClick={() => act("moved")}>
            <span aria-hidden="true">➡️</span> <T k="moveTo" vars={{ label: predicted }} />
          </button>
          <button type="button" className="big-button danger" data-testid="confusing-delete" disabled={busy}
                  onClick={() => act("deleted")}>
            <span aria-hidden="true">🗑️</span> <T k="deletePhoto" />
          </button>
        </div>
      </div>
    </li>
  );
}

function ConfusingPhotos({ run, classes, onChanged }: {
  run: TrainingRun; classes: WorkshopClass[]; onChanged: () => void;
}) {
  // Fixed ones disappear at once (the run's list is refreshed from the server too).
  const [fixed, setFixed] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  if (run.confusingPhotos == null) return null;
  const items = run.confusingPhotos.filter((c) => !fixed.includes(c.photoId));
  return (
    <div className="confusing-block" data-testid="confusing-photos">
      <h2><T k="confusingTitle" /></h2>
      {items.length === 0 ? (
        <p className="muted" data-testid="confusing-none"><T k={fixed.length ? "fixedTrainAgain" : "confusingNone"} /></p>
      ) : (
        <>
          <p className="muted"><T k="confusingHint" /></p>
          <ErrorBanner error={error} onClose={() => setError(null)} />
          <ul className="confusing-list">
            {items.map((item) => (
              <ConfusingItem key={item.photoId} runId={run.id} item={item} classes={classes} onError={setError}
                             onFixed={() => {
                               setFixed((current) => [...current, item.photoId]);
                               onChanged();
                             }} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** The BFF's errorCode in the child's language; its English sentence if the code is new. */
function RunError({ run }: { run: TrainingRun }) {
  const key = `runError${run.errorCode ?? ""}` as StringKey;
  if (run.errorCode && key in STRINGS) return <p className="muted" data-testid="run-error"><T k={key} /></p>;
  return run.error ? <p className="muted" data-testid="run-error">{run.error}</p> : null;
}

function RunResult({ run }: { run: TrainingRun }) {
  const lang = useLang();
  if (isActive(run)) {
    return (
      <div className="run-card run-active" data-testid="run-active" data-status={run.status}>
        <div className="run-robot" aria-hidden="true">🤖💭</div>
        <p className="run-status"><T k={run.status === "QUEUED" ? "trainQueued" : "trainRunning"} /></p>
        <ProgressBar value={run.status === "QUEUED" ? 0.03 : Math.max(0.05, run.progress)} animated
                     label={plainText(tr(run.status === "QUEUED" ? "trainQueued" : "trainRunning", lang))} />
        <p className="run-percent">{Math.round(run.progress * 100)}%</p>
      </div>
    );
  }
  if (run.status === "FAILED") {
    return (
      <div className="run-card run-failed" data-testid="run-failed">
        <div className="run-robot" aria-hidden="true">🤖💦</div>
        <p className="run-status"><T k="trainFailed" /></p>
        <RunError run={run} />
      </div>
    );
  }
  return (
    <div className="run-card run-done" data-testid="run-done">
      <div className="run-robot" aria-hidden="true">🤖🎉</div>
      <p className="run-status"><T k="trainDone" /></p>
      <div className="score-pair">
        <div className="score">
          <span className="score-value" data-testid="train-accuracy">{percent(run.trainAccuracy)}</span>
          <span className="score-label"><T k="trainAccuracy" /></span>
        </div>
        {run.testAccuracy != null && (
          <div className="score">
            <span className="score-value" data-testid="test-accuracy">{percent(run.testAccuracy)}</span>
            <span className="score-label"><T k="testAccuracy" /></span>
          </div>
        )}
      </div>
      <RunError run={run} />
    </div>
  );
}

export default function TrainPage() {
  const { workshop, photos, refreshPhotos } = useKidsSession();
  const [runs, setRuns] = useState<TrainingRun[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const [mode, setMode] = useState<"QUICK" | "DEEP">("QUICK");
  const lang = useLang();

  const refresh = useCallback(async () => {
    try {
      const latest = await loadTrainingRuns();
      // Newest first, whatever order the server uses.
      setRuns([...latest].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "")));
    } catch (err) {
      setError(err);
    }
  }, []);
  const active = runs?.some(isActive) ?? false;
  usePolling(refresh, active ? 1000 : 5000);

  const enough = workshop.classes.every(
    (cls) => photos.filter((p) => p.classId === cls.id).length >= workshop.minPhotosPerClass);

  const train = async () => {
    setStarting(true);
    setError(null);
    try {
      const run = await startTraining(mode);
      setRuns((current) => [run, ...(current ?? []).filter((r) => r.id !== run.id)]);
    } catch (err) {
      setError(err);
    } finally {
      setStarting(false);
    }
  };

  const latest = runs?.[0];
  return (
    <section className="train-page" data-testid="train-page">
      <h1 className="screen-title"><T k="trainTitle" /></h1>
      {!enough && <p className="banner banner-info"><T k="trainNeedPhotos" vars={{ min: workshop.minPhotosPerClass }} /></p>}
      <button type="button" className="big-button train-button" data-testid="train-button"
              disabled={starting || active || !enough} onClick={train}>
        <span aria-hidden="true">🧠</span> <T k="trainButton" />
      </button>
      <div className="mode-switch" role="radiogroup" aria-label={plainText(tr("modeHint", lang))}>
        {(["QUICK", "DEEP"] as const).map((m) => (
          <button key={m} type="button" role="radio" aria-checked={mode === m} data-testid={`mode-${m}`}
                  className={`mode-option${mode === m ? " mode-selected" : ""}`} onClick={() => setMode(m)}>
            <T k={m === "QUICK" ? "modeQuick" : "modeDeep"} />
          </button>
        ))}
      </div>
      {mode === "DEEP" && <p className="muted"><T k="modeHint" /></p>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {runs === null ? <Spinner /> : latest && <RunResult run={latest} />}
      {latest?.status === "SUCCEEDED" && (
        <>
          <ConfusingPhotos key={latest.id} run={latest} classes={workshop.classes}
                           onChanged={() => { void refreshPhotos(); void refresh(); }} />
          <ClassSureness run={latest} classes={workshop.classes} />
        </>
      )}
      {runs && runs.length > 1 && (
        <>
          <h2><T k="pastRuns" /></h2>
          <ol className="run-list">
            {runs.slice(1).map((run) => (
              <li key={run.id} className={`run-row run-${run.status.toLowerCase()}`}>
                <span>{run.status === "SUCCEEDED" ? "✅" : run.status === "FAILED" ? "❌" : "⏳"}</span>
                <span>{percent(run.trainAccuracy)}</span>
                {run.testAccuracy != null && <span>🏁 {percent(run.testAccuracy)}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
