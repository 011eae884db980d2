// A finished run's result, led by one figure a 9-year-old reads: the secret test as
// "10もん中 8もん せいかい" with stars. How it does on its own photos is a smaller "practice"
// figure. While the instructors hide the scores, a promise of the reveal instead.
import { percent, stars, type TrainingRun } from "../lib/api";
import { plainText, T, tr, useLang } from "../lib/i18n";
import { useKidsSession } from "./session";

export function SecretScore({ run }: { run: TrainingRun }) {
  const { workshop } = useKidsSession();
  const lang = useLang();
  const scored = run.testCorrect != null && run.testTotal != null && run.testTotal > 0;
  const shining = scored ? stars(run.testCorrect!, run.testTotal!) : 0;
  return (
    <div className="secret-score-block">
      {scored ? (
        <div className="secret-score" data-testid="secret-score" data-correct={run.testCorrect} data-total={run.testTotal}>
          <p className="secret-score-text"><T k="secretScore" vars={{ correct: run.testCorrect!, total: run.testTotal! }} /></p>
          <p className="stars" role="img" aria-label={plainText(tr("secretScoreStars", lang, { n: shining }))}
             data-testid="score-stars" data-stars={shining}>
            {"★".repeat(shining)}<span className="stars-off">{"☆".repeat(5 - shining)}</span>
          </p>
        </div>
      ) : workshop.scoresHidden ? (
        <p className="secret-hidden" data-testid="secret-hidden"><span aria-hidden="true">🤫</span> <T k="secretHidden" /></p>
      ) : null}
      {run.trainAccuracy != null && (
        <p className="practice-score" data-testid="practice-score">
          <T k="practiceLabel" /> <span data-testid="train-accuracy">{percent(run.trainAccuracy)}</span>
        </p>
      )}
    </div>
  );
}
