// Home: one big card per class with its emoji, name, photo count and progress to the minimum.
import { useEffect } from "react";
import type { WorkshopClass } from "../lib/api";
import { classLabel } from "../lib/classes";
import { T } from "../lib/i18n";
import { Link } from "../lib/router";
import { ProgressBar } from "../lib/ui";
import { useKidsSession, useQueueSnapshot } from "./session";

export function classEmoji(cls: WorkshopClass, index: number): string {
  return classLabel(cls, index).emoji;
}

export function classDisplayName(cls: WorkshopClass, index: number): string {
  return classLabel(cls, index).name;
}

/** bench/frontend.py reads this mark: the time from navigation to the home's first render. */
export const HOME_READY_MARK = "pictolab:home-ready";

export function Home() {
  const { workshop, photos, queue } = useKidsSession();
  useEffect(() => {
    if (!performance.getEntriesByName(HOME_READY_MARK).length) performance.mark(HOME_READY_MARK);
  }, []);
  const pending = useQueueSnapshot(queue).items;
  const enough = workshop.classes.length > 0 && workshop.classes.every(
    (cls) => photos.filter((p) => p.classId === cls.id).length >= workshop.minPhotosPerClass);
  return (
    <section data-testid="home-ready">
      <h1 className="screen-title"><T k="homeTitle" /></h1>
      <p className="lead"><T k="homeHint" vars={{ min: workshop.minPhotosPerClass }} /></p>
      {enough && (
        // Every class is ready: the next step is one big tap away.
        <Link to="/train" className="big-button go-train-button" data-testid="home-go-train">
          <T k="homeGoTrain" />
        </Link>
      )}
      <div className="class-grid">
        {workshop.classes.map((cls, index) => {
          const sent = photos.filter((p) => p.classId === cls.id).length;
          const waiting = pending.filter((p) => p.classId === cls.id).length;
          const missing = Math.max(0, workshop.minPhotosPerClass - sent);
          return (
            <Link key={cls.id} to={`/class/${cls.id}`} className="class-card" data-testid={`class-card-${cls.id}`}>
              <span className="class-emoji" aria-hidden="true">{classEmoji(cls, index)}</span>
              <span className="class-name">{classDisplayName(cls, index)}</span>
              <span className="class-count" data-testid="photo-count" data-count={sent}>
                <T k="photosCount" vars={{ n: sent }} />
                {waiting > 0 && <span className="class-pending"> (+{waiting} ⏳)</span>}
              </span>
              <ProgressBar value={sent / workshop.minPhotosPerClass}
                           label={`${classDisplayName(cls, index)}: ${sent} / ${workshop.minPhotosPerClass}`} />
              <span className={missing ? "class-missing" : "class-ready"}>
                {missing ? <T k="moreNeeded" vars={{ n: missing }} /> : <T k="readyToTrain" />}
              </span>
            </Link>
          );
        })}
      </div>
    </section>
  );
}
