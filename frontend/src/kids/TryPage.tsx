// Try it: a new photo goes to the group's latest model; one bar per class shows how sure it is.
import { useState, type ChangeEvent } from "react";
import { predict, type Prediction } from "../lib/api";
import { downscalePhoto } from "../lib/downscale";
import { errorCodeOf } from "../lib/graphql";
import { HeatmapOverlay } from "../lib/HeatmapOverlay";
import { T } from "../lib/i18n";
import { ErrorBanner, ProgressBar, Spinner, useObjectUrl } from "../lib/ui";
import { classEmoji, classDisplayName } from "./Home";
import { useKidsSession } from "./session";

export default function TryPage() {
  const { workshop } = useKidsSession();
  const [photo, setPhoto] = useState<Blob | null>(null);
  const [result, setResult] = useState<Prediction | null>(null);
  const [thinking, setThinking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [showHeatmap, setShowHeatmap] = useState(true);
  const previewUrl = useObjectUrl(photo);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setThinking(true);
    setResult(null);
    setError(null);
    try {
      const { blob } = await downscalePhoto(file);
      setPhoto(blob);
      setResult(await predict(blob));
    } catch (err) {
      setError(err);
    } finally {
      setThinking(false);
    }
  };

  const labelFor = (classId: string, fallback: string) => {
    const index = workshop.classes.findIndex((c) => c.id === classId);
    return index < 0 ? fallback : `${classEmoji(workshop.classes[index], index)} ${classDisplayName(workshop.classes[index], index)}`;
  };
  const scores = result ? [...result.scores].sort((a, b) => b.confidence - a.confidence) : [];
  const noModel = error && errorCodeOf(error) === "FAILED_PRECONDITION";

  return (
    <section className="try-page" data-testid="try-page">
      <h1 className="screen-title"><T k="tryTitle" /></h1>
      <p className="lead"><T k="tryHint" /></p>
      <label className="big-button camera-button" data-testid="try-button">
        <input type="file" accept="image/*" capture="environment" className="visually-hidden"
               data-testid="try-input" onChange={choose} />
        <span aria-hidden="true">📷</span> <T k="takePhoto" />
      </label>
      {noModel ? <p className="banner banner-info"><T k="tryNoModel" /></p> : <ErrorBanner error={error} onClose={() => setError(null)} />}
      <div className="try-result">
        {previewUrl && (
          <div className="try-photo-box">
            <div className="try-photo-frame">
              <img className="try-photo" src={previewUrl} alt="" />
              {result?.heatmap && showHeatmap && <HeatmapOverlay heatmap={result.heatmap} />}
            </div>
            {result?.heatmap && (
              <>
                <button type="button" className="small-button heatmap-toggle" data-testid="heatmap-toggle"
                        aria-pressed={showHeatmap} onClick={() => setShowHeatmap((on) => !on)}>
                  <span aria-hidden="true">👀</span> <T k="heatmapToggle" />
                </button>
                {showHeatmap && (
                  <p className="heatmap-explain" data-testid="heatmap-explain">
                    <T k="heatmapExplain" vars={{ label: labelFor(result.classId, result.label) }} />
                  </p>
                )}
              </>
            )}
          </div>
        )}
        {thinking && <div className="center-block"><Spinner /><p><T k="tryThinking" /></p></div>}
        {result && (
          <div className="prediction" data-testid="prediction" data-class-id={result.classId}>
            <p className="prediction-answer">
              <T k="tryAnswer" vars={{ label: labelFor(result.classId, result.label) }} />
            </p>
            <ul className="score-bars">
              {scores.map((score) => (
                <li key={score.classId} className={score.classId === result.classId ? "score-bar top" : "score-bar"}>
                  <span className="score-bar-label">{labelFor(score.classId, score.label)}</span>
                  <ProgressBar value={score.confidence} label={labelFor(score.classId, score.label)} />
                  <span className="score-bar-value">{Math.round(score.confidence * 100)}%</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
