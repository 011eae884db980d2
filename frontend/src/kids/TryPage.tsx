// Try it: a new photo goes to the group's latest model; one bar per class shows how sure it is.
import { useState, type ChangeEvent } from "react";
import { answerTry, sureWord } from "../lib/api";
import { downscalePhoto } from "../lib/downscale";
import { errorCodeOf } from "../lib/graphql";
import { HeatmapOverlay } from "../lib/HeatmapOverlay";
import { plainText, T, tr, useLang } from "../lib/i18n";
import { ErrorBanner, ProgressBar, Spinner, useObjectUrl } from "../lib/ui";
import { classEmoji, classDisplayName } from "./Home";
import { useKidsSession } from "./session";
import { FriendsAIs } from "./FriendsAIs";
import { MuteToggle, PlayText, ReactionPlayer } from "./Reaction";
import { predictWith, type PlayPrediction } from "../lib/playApi";
import { MyScratchPanel } from "../lib/ScratchPanel";

export default function TryPage() {
  const { workshop } = useKidsSession();
  // Whose AI answers: ours (null) or a friend's; its answer may come with its reaction.
  const [aiGroup, setAiGroup] = useState<{ id: string; name: string } | null>(null);
  const [tryCount, setTryCount] = useState(0);
  const [photo, setPhoto] = useState<Blob | null>(null);
  const [result, setResult] = useState<PlayPrediction | null>(null);
  const [thinking, setThinking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The child's photo clean first; where the AI looked only when asked for.
  const [showHeatmap, setShowHeatmap] = useState(false);
  const [answered, setAnswered] = useState<boolean | null>(null);
  const lang = useLang();
  const previewUrl = useObjectUrl(photo);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setThinking(true);
    setResult(null);
    setError(null);
    setShowHeatmap(false);
    setAnswered(null);
    try {
      const { blob } = await downscalePhoto(file);
      setPhoto(blob);
      setResult(await predictWith(blob, aiGroup?.id ?? null));
      setTryCount((n) => n + 1);
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
  const answer = (correct: boolean) => {
    setAnswered(correct);
    // The class log is a nicety: a failed send never bothers the child.
    answerTry(correct, result?.classId ?? null).catch(() => undefined);
  };
  const scores = result ? [...result.scores].sort((a, b) => b.confidence - a.confidence) : [];
  const noModel = error && errorCodeOf(error) === "FAILED_PRECONDITION";

  return (
    <section className="try-page" data-testid="try-page">
      <h1 className="screen-title"><T k="tryTitle" /></h1>
      <p className="lead"><T k="tryHint" /></p>
      <FriendsAIs value={aiGroup?.id ?? null}
                  onChange={(id, name) => { setAiGroup(id && name ? { id, name } : null); setResult(null); }} />
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
              {result?.heatmap && showHeatmap && <HeatmapOverlay heatmap={result.heatmap} mode="spotlight" />}
            </div>
            {result?.heatmap && (
              <>
                <button type="button" className="small-button heatmap-toggle" data-testid="heatmap-toggle"
                        onClick={() => setShowHeatmap((on) => !on)}>
                  {/* The label says what a tap will do. */}
                  <T k={showHeatmap ? "heatmapHide" : "heatmapShow"} />
                </button>
                {showHeatmap && (
                  <p className="heatmap-explain heatmap-legend" data-testid="heatmap-explain">
                    <span className="legend-swatch legend-bright" aria-hidden="true" />
                    <span className="legend-swatch legend-dim" aria-hidden="true" />
                    <T k="heatmapSpotlight" />
                  </p>
                )}
              </>
            )}
          </div>
        )}
        {thinking && <div className="center-block"><Spinner /><p><T k="tryThinking" /></p></div>}
        {result && (
          <div className="prediction" data-testid="prediction" data-class-id={result.classId} data-group-id={result.groupId}>
            {aiGroup && <p className="friend-answer" data-testid="friend-answer"><PlayText k="friendAnswer" vars={{ name: aiGroup.name }} /></p>}
            <p className="prediction-answer">
              <T k="tryAnswer" vars={{ label: labelFor(result.classId, result.label) }} />
            </p>
            <p className="prediction-sure" data-testid="prediction-sure" data-word={sureWord(result.confidence)}>
              <T k="tryHowSure" vars={{ word: tr(sureWord(result.confidence), lang) }} />
            </p>
            <p className="muted"><T k="tryNotAlwaysRight" /></p>
            <ReactionPlayer reaction={result.reaction} playKey={String(tryCount)} />
            <MuteToggle />
            <div className="was-it-right" role="group" aria-label={plainText(tr("wasItRight", lang))} data-testid="was-it-right">
              <span className="was-it-right-q"><T k="wasItRight" /></span>
              {answered === null ? (
                <>
                  <button type="button" className="big-button answer-button" data-testid="answer-right"
                          onClick={() => answer(true)}><T k="answerRight" /></button>
                  <button type="button" className="big-button answer-button answer-wrong" data-testid="answer-wrong"
                          onClick={() => answer(false)}><T k="answerWrong" /></button>
                </>
              ) : <span data-testid="answer-thanks" data-correct={answered}><T k="answerThanks" /></span>}
            </div>
            <ul className="score-bars">
              {scores.map((score) => (
                <li key={score.classId} className={score.classId === result.classId ? "score-bar top" : "score-bar"}>
                  <span className="score-bar-label">{labelFor(score.classId, score.label)}</span>
                  <ProgressBar value={score.confidence} label={labelFor(score.classId, score.label)} />

                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <MyScratchPanel />
    </section>
  );
}
