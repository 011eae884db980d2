// What the instructors steer on every iPad: the phase (a small banner, and which step tabs
// are open), and their announcement (a banner, or with "freeze" a cover over the whole screen
// until they lift it). The session's poll brings both within seconds.
import { useEffect, useRef } from "react";
import type { Phase, Workshop } from "../lib/api";
import { Rubied, T } from "../lib/i18n";
import type { StringKey } from "../lib/strings";

export type StepTab = "home" | "train" | "try" | "ranking";

/** Which step tabs a phase opens. Home (collecting) is always there: it is where a group
 * sees its photos; training and trying open with training; the ranking with the competition. */
const OPEN: Record<Phase, StepTab[]> = {
  SETUP: ["home"],
  COLLECT: ["home"],
  TRAIN: ["home", "train", "try"],
  COMPETE: ["home", "train", "try", "ranking"],
  CLOSED: ["home", "train", "ranking"],
};

export function tabOpen(tab: StepTab, phase: Phase): boolean {
  return OPEN[phase]?.includes(tab) ?? true;
}

export function PhaseBanner({ phase }: { phase: Phase }) {
  return (
    <p className="phase-banner" role="status" data-testid="phase-banner" data-phase={phase}>
      <T k={`phase${phase}` as StringKey} />
    </p>
  );
}

/** A tab's screen before its phase: a lock and "wait for your teacher", never an error. */
export function LockedScreen({ tab }: { tab: StepTab }) {
  return (
    <section className="center-block locked-screen" data-testid="locked-screen" data-tab={tab}>
      <div className="big-emoji" aria-hidden="true">🔒</div>
      <h1 className="screen-title"><T k="lockedTitle" /></h1>
      <p className="lead"><T k="lockedBody" /></p>
    </section>
  );
}

export function AnnouncementView({ workshop }: { workshop: Workshop }) {
  const announcement = workshop.announcement;
  const cover = useRef<HTMLDivElement>(null);
  const freeze = Boolean(announcement?.freeze);
  useEffect(() => {
    if (freeze) cover.current?.focus();
  }, [freeze, announcement?.message]);
  if (!announcement) return null;
  if (freeze) {
    // Covers every screen and takes every tap until the instructors lift it.
    return (
      <div className="freeze-overlay" role="alertdialog" aria-modal="true" aria-labelledby="freeze-title"
           tabIndex={-1} ref={cover} data-testid="freeze-overlay">
        <div className="freeze-hands" aria-hidden="true">✋</div>
        <h1 id="freeze-title" className="freeze-title"><T k="freezeTitle" /></h1>
        <p className="freeze-message" data-testid="announcement-message"><Rubied text={announcement.message} /></p>
      </div>
    );
  }
  return (
    <div className="banner announcement-banner" role="status" data-testid="announcement">
      <span className="banner-icon" aria-hidden="true">📣</span>
      <span className="banner-text">
        <strong><T k="announcementLabel" /></strong>{" "}
        <span data-testid="announcement-message"><Rubied text={announcement.message} /></span>
      </span>
    </div>
  );
}
