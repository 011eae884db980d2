// The workshop's phases as steps: where we are, what comes next, and what each step opens
// for the children. Moving on is one tap; going back, or to CLOSED, asks first: a mis-tap
// must never stop 30 iPads.
import { useEffect, useRef, useState } from "react";
import type { Phase } from "../lib/api";
import { useLang } from "../lib/i18n";
import { PHASES, setPhase, type AdminWorkshop } from "./adminApi";
import { at, AT } from "./adminText";
import { dt, DT, type DayKey } from "./dayText";

export function needsConfirmation(from: Phase, to: Phase): boolean {
  return to === "CLOSED" || PHASES.indexOf(to) < PHASES.indexOf(from);
}

function ConfirmDialog({ from, to, groups, onYes, onNo }: {
  from: Phase; to: Phase; groups: number; onYes: () => void; onNo: () => void;
}) {
  const lang = useLang();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);  // the safe choice has the focus
  const phaseName = at(`phase${to}`, lang);
  return (
    <div className="confirm-backdrop">
      <div className="confirm-dialog card" role="alertdialog" aria-modal="true" aria-labelledby="confirm-phase-title"
           aria-describedby="confirm-phase-body" data-testid="phase-confirm" data-to={to}
           onKeyDown={(e) => e.key === "Escape" && onNo()}>
        <h2 id="confirm-phase-title"><DT k="confirmTitle" vars={{ phase: phaseName }} /></h2>
        <p id="confirm-phase-body">
          {to === "CLOSED" ? dt("confirmClose", lang, { n: groups }) : dt("confirmBack", lang, { n: groups })}
          {" "}{dt(`stepOpens${to}` as DayKey, lang)}
        </p>
        <div className="confirm-actions">
          <button type="button" ref={cancel} className="small-button" onClick={onNo} data-testid="phase-confirm-no">
            <DT k="confirmNo" />
          </button>
          <button type="button" className={`small-button${to === "CLOSED" ? " danger" : ""}`} onClick={onYes}
                  data-testid="phase-confirm-yes" data-from={from}>
            <DT k="confirmYes" />
          </button>
        </div>
      </div>
    </div>
  );
}

export function PhaseStepper({ workshop, onChange, onError }: {
  workshop: AdminWorkshop; onChange: (phase: Phase) => void; onError: (err: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<Phase | null>(null);
  const lang = useLang();
  const current = PHASES.indexOf(workshop.phase);
  const next = current >= 0 && current < PHASES.length - 1 ? PHASES[current + 1] : null;
  const go = async (phase: Phase) => {
    setAsking(null);
    setBusy(true);
    try {
      onChange(await setPhase(workshop.id, phase));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  const choose = (phase: Phase) => {
    if (phase === workshop.phase) return;
    if (needsConfirmation(workshop.phase, phase)) setAsking(phase);
    else void go(phase);
  };
  return (
    <section className="card stepper-card" data-testid="phase-control">
      <ol className="stepper" aria-label={dt("stepperLabel", lang)}>
        {PHASES.map((phase, index) => {
          const state = index < current ? "done" : index === current ? "current" : "todo";
          return (
            <li key={phase} className={`step step-${state}`} data-testid={`step-${phase}`} data-state={state}
                aria-current={state === "current" ? "step" : undefined}>
              <button type="button" className="step-button" disabled={busy} data-testid={`phase-${phase}`}
                      aria-pressed={state === "current"} onClick={() => choose(phase)}>
                <span className="step-number" aria-hidden="true">{state === "done" ? "✓" : index + 1}</span>
                <span className="step-name"><AT k={`phase${phase}`} /></span>
                {state === "current" && <span className="step-now"><DT k="stepNow" /></span>}
              </button>
              <span className="step-opens"><DT k={`stepOpens${phase}` as DayKey} /></span>
            </li>
          );
        })}
      </ol>
      {next && (
        <button type="button" className="big-button step-next" disabled={busy} data-testid="phase-next"
                onClick={() => choose(next)}>
          <DT k="stepNext" vars={{ phase: at(`phase${next}`, lang) }} /> →
        </button>
      )}
      {asking && (
        <ConfirmDialog from={workshop.phase} to={asking} groups={workshop.groups?.length ?? 0}
                       onYes={() => void go(asking)} onNo={() => setAsking(null)} />
      )}
    </section>
  );
}
