// "What my AI learned": after a run, per class a few of its photos, how sure the AI is and
// where it looks; its accuracy on the group's own photos (cross-validated) and, in COMPETE,
// on the secret test; the photos that confused it; then one reflection question. Printable
// (the print stylesheet shows only this card).
import { useEffect, useState } from "react";
import { sureWord, type Photo, type WorkshopClass } from "../lib/api";
import { HeatmapOverlay } from "../lib/HeatmapOverlay";
import { plainText, T, useLang } from "../lib/i18n";
import { answerReflection, loadLearned, REFLECTION_ANSWERS, type Learned, type ReflectionAnswer } from "../lib/playApi";
import { ptr, type PlayKey } from "../lib/playStrings";
import { ErrorBanner, ProgressBar } from "../lib/ui";
import { classDisplayName, classEmoji } from "./Home";
import { PlayText } from "./Reaction";

const PHOTOS_PER_CLASS = 3;

/** Print only the card (the print stylesheet hides the rest while body has the class). */
function printCard() {
  document.body.classList.add("printing-learned");
  const done = () => {
    document.body.classList.remove("printing-learned");
    window.removeEventListener("afterprint", done);
  };
  window.addEventListener("afterprint", done);
  window.print();
}

export function LearnedCard({ runId, classes, photos, showTest }: {
  runId: string; classes: WorkshopClass[]; photos: Photo[]; showTest: boolean;
}) {
  const lang = useLang();
  const [learned, setLearned] = useState<Learned | null>(null);
  const [answer, setAnswer] = useState<ReflectionAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let cancelled = false;
    loadLearned(runId).then((data) => {
      if (cancelled) return;
      setLearned(data);
      setAnswer(data?.reflection ?? null);
    }, (err) => !cancelled && setError(err));
    return () => { cancelled = true; };
  }, [runId]);
  if (!learned || learned.status !== "SUCCEEDED") return error ? <ErrorBanner error={error} onClose={() => setError(null)} /> : null;
  const label = (classId: string) => {
    const index = classes.findIndex((c) => c.id === classId);
    return index < 0 ? "?" : `${classEmoji(classes[index], index)} ${classDisplayName(classes[index], index)}`;
  };
  const reflect = async (value: ReflectionAnswer) => {
    setAnswer(value);
    try {
      setAnswer(await answerReflection(runId, value));
    } catch (err) {
      setError(err);
    }
  };
  const own = learned.crossValidatedAccuracy;
  return (
    <article className="learned-card" data-testid="learned-card" data-run-id={runId}>
      <h2><span aria-hidden="true">🧠</span> <PlayText k="learnedTitle" /></h2>
      <div className="learned-scores">
        {own != null && (
          <p data-testid="learned-own" title={plainText(ptr("learnedOwnAccuracyHelp", lang))}>
            <PlayText k="learnedOwnAccuracy" vars={{ n: Math.round(own * 100) }} />
          </p>
        )}
        {showTest && learned.testAccuracy != null && (
          <p data-testid="learned-test"><PlayText k="learnedTestAccuracy" vars={{ n: Math.round(learned.testAccuracy * 100) }} /></p>
        )}
      </div>
      <ul className="learned-classes">
        {classes.map((cls, index) => {
          const sure = learned.classConfidence?.find((c) => c.classId === cls.id)?.sure ?? null;
          const look = learned.classHeatmaps?.find((h) => h.classId === cls.id);
          const some = photos.filter((p) => p.classId === cls.id && p.id !== look?.photoId).slice(0, PHOTOS_PER_CLASS - (look ? 1 : 0));
          return (
            <li key={cls.id} className="learned-class" data-testid="learned-class" data-class-id={cls.id}>
              <h3><span aria-hidden="true">{classEmoji(cls, index)}</span> {classDisplayName(cls, index)}</h3>
              <div className="learned-photos">
                {look && (
                  <figure className="learned-look" data-testid="learned-heatmap">
                    <div className="learned-thumb">
                      <img src={`/media/photos/${look.photoId}`} alt="" />
                      {look.heatmap && <HeatmapOverlay heatmap={look.heatmap} className="thumb-overlay" />}
                    </div>
                    <figcaption><PlayText k="learnedLooked" /></figcaption>
                  </figure>
                )}
                {some.map((p) => <div key={p.id} className="learned-thumb"><img src={p.url} alt="" loading="lazy" /></div>)}
              </div>
              {sure != null && (
                <div className="learned-sure">
                  <span><PlayText k="learnedSure" /></span>
                  <ProgressBar value={sure} label={`${plainText(ptr("learnedSure", lang))}: ${classDisplayName(cls, index)}`} />
                  <span data-testid="learned-sure-word"><T k={sureWord(sure)} /></span>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <h3><PlayText k="learnedConfusing" /></h3>
      {(learned.confusingPhotos ?? []).length === 0 ? (
        <p className="muted"><PlayText k="learnedConfusingNone" /></p>
      ) : (
        <ul className="learned-confusing">
          {(learned.confusingPhotos ?? []).map((c) => (
            <li key={c.photoId} className="learned-thumb-item">
              <div className="learned-thumb"><img src={`/media/photos/${c.photoId}`} alt="" /></div>
              <span><T k="confusingLooksLike" vars={{ label: label(c.predictedClassId) }} /></span>
            </li>
          ))}
        </ul>
      )}
      <div className="reflection" role="group" aria-label={plainText(ptr("reflectQuestion", lang))} data-testid="reflection">
        <p className="reflection-question"><PlayText k="reflectQuestion" /></p>
        <div className="reflection-answers">
          {REFLECTION_ANSWERS.map((value) => (
            <button key={value} type="button" className={`big-button reflection-answer${answer === value ? " chosen" : ""}`}
                    aria-pressed={answer === value} data-testid="reflection-answer" data-value={value}
                    onClick={() => reflect(value)}>
              <PlayText k={`reflect${value}` as PlayKey} />
            </button>
          ))}
        </div>
        {answer && <p className="muted" data-testid="reflection-thanks"><PlayText k="reflectThanks" /></p>}
      </div>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <button type="button" className="small-button learned-print no-print" data-testid="learned-print"
              onClick={printCard}>
        {plainText(ptr("learnedPrint", lang))}
      </button>
    </article>
  );
}
