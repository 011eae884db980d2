// Train: one big button, an animated progress bar while the run is queued or running
// (polled every second), then the result.
import { useCallback, useEffect, useId, useRef, useState } from "react";
import {
  deletePhoto, isActive, keepPhoto, loadConfusingHeatmap, loadTrainingRuns, movePhoto, percent, startTraining, sureWord,
  type ConfusingHeatmap, type ConfusingPhoto, type TrainingRun, type WorkshopClass,
} from "../lib/api";
import { SecretScore } from "./SecretScore";
import { confusingLookedKey } from "../lib/heatmap";
import { HeatmapOverlay } from "../lib/HeatmapOverlay";
import { plainText, T, tr, useLang } from "../lib/i18n";
import { STRINGS, type StringKey } from "../lib/strings";
import { usePolling } from "../lib/usePolling";
import { ErrorBanner, ProgressBar, Spinner } from "../lib/ui";
import { classDisplayName, classEmoji } from "./Home";
import { useKidsSession } from "./session";
import { LearnedCard } from "./LearnedCard";
import { ReactionPicker } from "./Reaction";

/** How long a move or a delete of a confusing photo can be undone. */
const UNDO_MS = 6000;

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
            <span data-testid="sure-word"><T k={sureWord(row.sure)} /></span>
            {(row.sure ?? 0) < SURE_LOW && <span className="sure-low"><T k="sureLow" /></span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One confusing photo: what the AI thought, where it looked (asked only when tapped: each is
 * one prediction on the server), and two big buttons to fix it. */
type FixHow = "moved" | "deleted" | "kept";

function ConfusingItem({ runId, item, classes, onFixed, onError }: {
  runId: string; item: ConfusingPhoto; classes: WorkshopClass[]; onFixed: (how: FixHow) => void;
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
  const act = async (how: FixHow) => {
    setBusy(true);
    try {
      // A delete waits out the undo time first (ConfusingPhotos sends it); move and keep go now.
      if (how === "moved") await movePhoto(item.photoId, item.predictedClassId);
      else if (how === "kept") await keepPhoto(item.photoId);
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
        {looking && looked?.heatmap && <HeatmapOverlay heatmap={looked.heatmap} className="thumb-overlay" mode="spotlight" />}
      </div>
      <div>
        <p className="confusing-now" data-testid="confusing-now-in">
          <T k="confusingNowIn" vars={{ label: classLabel(classes, item.classId) }} />
        </p>
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
          <button type="button" className="big-button keep-button" data-testid="confusing-keep" disabled={busy}
                  onClick={() => act("kept")}>
            <span aria-hidden="true">👍</span> <T k="keepAsIs" />
          </button>
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
  // Fixed ones disappear at once (the run's list is refreshed from the server too); a move or
  // a delete can be undone for a few seconds (a delete is only sent when that time is up).
  const [fixed, setFixed] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [last, setLast] = useState<{ item: ConfusingPhoto; how: FixHow } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingDelete = useRef<string | null>(null);
  // The parent passes a new onChanged on every render (its polls): read the latest, so the
  // unmount effect below runs at unmount only, not on every poll.
  const changed = useRef(onChanged);
  changed.current = onChanged;
  const sendDelete = useCallback(() => {
    const id = pendingDelete.current;
    pendingDelete.current = null;
    if (id) deletePhoto(id).then(() => changed.current(), setError);
  }, []);
  // Leaving the screen sends a delete still waiting: the child meant it.
  useEffect(() => () => {
    clearTimeout(timer.current);
    sendDelete();
  }, [sendDelete]);
  const fix = (item: ConfusingPhoto, how: FixHow) => {
    clearTimeout(timer.current);
    sendDelete();  // an earlier delete is final once another photo is fixed
    setFixed((current) => [...current, item.photoId]);
    setLast({ item, how });
    if (how === "deleted") pendingDelete.current = item.photoId;
    else onChanged();
    timer.current = setTimeout(() => {
      setLast(null);
      sendDelete();
    }, UNDO_MS);
  };
  const undo = async () => {
    if (!last) return;
    clearTimeout(timer.current);
    const { item, how } = last;
    setLast(null);
    try {
      if (how === "deleted") pendingDelete.current = null;
      else if (how === "moved") await movePhoto(item.photoId, item.classId);
      setFixed((current) => current.filter((id) => id !== item.photoId));
      if (how === "moved") onChanged();
    } catch (err) {
      setError(err);
    }
  };
  if (run.confusingPhotos == null) return null;
  const items = run.confusingPhotos.filter((c) => !fixed.includes(c.photoId));
  const done = last && (
    <div className="banner banner-info undo-banner" role="status" data-testid="undo-banner" data-how={last.how}>
      <span className="banner-text">
        {last.how === "moved" ? <T k="movedDone" vars={{ label: classLabel(classes, last.item.predictedClassId) }} />
          : last.how === "deleted" ? <T k="deletedDone" /> : <T k="keptDone" />}
      </span>
      {last.how !== "kept" && (
        <button type="button" className="small-button" data-testid="undo-button" onClick={undo}><T k="undo" /></button>
      )}
    </div>
  );
  return (
    <div className="confusing-block" data-testid="confusing-photos">
      <h2><T k="confusingTitle" /></h2>
      {done}
      {items.length === 0 ? (
        <p className="muted" data-testid="confusing-none"><T k={fixed.length ? "fixedTrainAgain" : "confusingNone"} /></p>
      ) : (
        <>
          <p className="muted"><T k="confusingHint" /></p>
          <ErrorBanner error={error} onClose={() => setError(null)} />
          <ul className="confusing-list">
            {items.map((item) => (
              <ConfusingItem key={item.photoId} runId={run.id} item={item} classes={classes} onError={setError}
                             onFixed={(how) => fix(item, how)} />
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
      <SecretScore run={run} />
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
  // Once a second while a run moves (its progress bar); idle, only another iPad of the group
  // could start one: every 10 s (bench/polling.py).
  usePolling(refresh, active ? 1000 : 10000);

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
          <LearnedCard key={`learned-${latest.id}`} runId={latest.id} classes={workshop.classes} photos={photos}
                       showTest={workshop.phase === "COMPETE" && !workshop.scoresHidden} />
        </>
      )}
      <ReactionPicker classes={workshop.classes} />
      {runs && runs.length > 1 && (
        <>
          <h2><T k="pastRuns" /></h2>
          <ol className="run-list">
            {runs.slice(1).map((run) => (
              <li key={run.id} className={`run-row run-${run.status.toLowerCase()}`}>
                <span>{run.status === "SUCCEEDED" ? "✅" : run.status === "FAILED" ? "❌" : "⏳"}</span>
                <span>{percent(run.trainAccuracy)}</span>
                {run.testCorrect != null && run.testTotal != null && <span>🏁 {run.testCorrect}/{run.testTotal}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
