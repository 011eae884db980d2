// Train: one big button, an animated progress bar while the run is queued or running
// (polled every second), then the result.
import { useCallback, useState } from "react";
import { isActive, loadTrainingRuns, percent, startTraining, type TrainingRun } from "../lib/api";
import { plainText, T, tr, useLang } from "../lib/i18n";
import { STRINGS, type StringKey } from "../lib/strings";
import { usePolling } from "../lib/usePolling";
import { ErrorBanner, ProgressBar, Spinner } from "../lib/ui";
import { useKidsSession } from "./session";

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
  const { workshop, photos } = useKidsSession();
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
