// Projector tools: a countdown the room can read, the scores hidden or revealed (from last
// place up, on the scoreboard screen), and an announcement on every iPad (with "freeze":
// "みんな 手を とめて" over every screen until lifted). The iPads pick it up on their next poll.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useLang } from "../lib/i18n";
import { Link } from "../lib/router";
import { usePolling } from "../lib/usePolling";
import { AdminError } from "./AdminError";
import { AT } from "./adminText";
import { HeatmapOverlay } from "../lib/HeatmapOverlay";
import { loadWorkshop, type AdminGroup } from "./adminApi";
import { announce, lastTry, loadDayState, setScoresHidden, type DayState, type LastTry as LastTryData } from "./dayApi";
import { dt, DT } from "./dayText";

function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

function Countdown() {
  const lang = useLang();
  const [minutes, setMinutes] = useState(5);
  const [endsAt, setEndsAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (endsAt === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [endsAt]);
  const left = endsAt === null ? minutes * 60_000 : endsAt - now;
  const up = endsAt !== null && left <= 0;
  return (
    <section className="card" data-testid="countdown">
      <h2><DT k="countdown" /></h2>
      <p className={`countdown-display${up ? " time-up" : ""}`} role="timer" aria-live="off" data-testid="countdown-display">
        {up ? dt("timeUp", lang) : clock(left)}
      </p>
      <div className="tool-row">
        <label>
          <input type="number" min={1} max={90} value={minutes} disabled={endsAt !== null} data-testid="countdown-minutes"
                 onChange={(e) => setMinutes(Math.max(1, Math.min(90, Number(e.target.value) || 1)))} />{" "}
          <DT k="minutes" />
        </label>
        {endsAt === null ? (
          <button type="button" className="small-button" data-testid="countdown-start"
                  onClick={() => { setNow(Date.now()); setEndsAt(Date.now() + minutes * 60_000); }}><DT k="start" /></button>
        ) : (
          <button type="button" className="small-button" data-testid="countdown-stop" onClick={() => setEndsAt(null)}><DT k="stop" /></button>
        )}
      </div>
    </section>
  );
}

function LastTryPanel({ workshopId }: { workshopId: string }) {
  const lang = useLang();
  const [groups, setGroups] = useState<AdminGroup[]>([]);
  const [groupId, setGroupId] = useState("");
  const [shown, setShown] = useState<LastTryView | null>(null);
  const [looking, setLooking] = useState(true);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    loadWorkshop(workshopId).then((w) => {
      setGroups(w.groups ?? []);
      setGroupId((current) => current || w.groups?.[0]?.id || "");
    }, setError);
  }, [workshopId]);
  const show = async () => {
    setError(null);
    try {
      setShown({ groupId, kept: await lastTry(groupId) });
    } catch (err) {
      setError(err);
    }
  };
  const group = groups.find((g) => g.id === shown?.groupId);
  return (
    <section className="card last-try-card" data-testid="last-try">
      <h2><DT k="lastTryTitle" /></h2>
      <AdminError error={error} onClose={() => setError(null)} />
      <div className="tool-row">
        <label>
          <DT k="lastTryGroup" />{" "}
          <select value={groupId} onChange={(e) => setGroupId(e.target.value)} data-testid="last-try-group">
            {groups.map((g) => <option key={g.id} value={g.id}>{g.number} · {g.emoji} {g.name}</option>)}
          </select>
        </label>
        <button type="button" className="small-button" disabled={!groupId} onClick={show} data-testid="last-try-show">
          <DT k="lastTryShow" />
        </button>
      </div>
      {shown && (shown.kept ? (
        <figure className="last-try-figure" data-testid="last-try-shown" data-class-id={shown.kept.classId ?? ""}>
          <div className="try-photo-frame">
            <img className="try-photo" src={shown.kept.photoUrl} alt={group ? `${group.name}` : ""} />
            {looking && shown.kept.heatmap && <HeatmapOverlay heatmap={shown.kept.heatmap} mode="spotlight" />}
          </div>
          <figcaption>
            <strong>{group?.number} {group?.emoji} {group?.name}</strong>:{" "}
            {dt("lastTryAnswer", lang, { label: shown.kept.label ?? "?" })}
            {shown.kept.heatmap && (
              <label className="tool-row">
                <input type="checkbox" checked={looking} onChange={(e) => setLooking(e.target.checked)} />
                <DT k="lastTryLooked" />
              </label>
            )}
          </figcaption>
        </figure>
      ) : <p className="muted" data-testid="last-try-none"><DT k="lastTryNone" /></p>)}
    </section>
  );
}

interface LastTryView { groupId: string; kept: LastTryData | null }

export function ProjectorTools({ workshopId }: { workshopId: string }) {
  const lang = useLang();
  const [day, setDay] = useState<DayState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [freeze, setFreeze] = useState(false);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(async () => {
    try {
      setDay(await loadDayState(workshopId));
    } catch (err) {
      setError(err);
    }
  }, [workshopId]);
  usePolling(refresh, 5000);
  const run = async (action: () => Promise<DayState>) => {
    setBusy(true);
    setError(null);
    try {
      setDay(await action());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (message.trim()) void run(() => announce(workshopId, message.trim(), freeze));
  };
  return (
    <div className="admin">
    <main className="admin-main projector-page" data-testid="projector-tools">
      <div className="workshop-head">
        <h1><DT k="projector" /></h1>
        <div className="workshop-links">
          <Link to={`/admin/workshops/${workshopId}`} className="small-button">←</Link>
          <Link to={`/admin/workshops/${workshopId}/scoreboard`} className="small-button">📽️ <AT k="scoreboard" /></Link>
        </div>
      </div>
      <AdminError error={error} onClose={() => setError(null)} />
      <div className="projector-tools">
        <Countdown />
        <LastTryPanel workshopId={workshopId} />
        <section className="card" data-testid="scores-tools">
          <h2><AT k="scoreboard" /></h2>
          <p data-testid="scores-state" data-hidden={day?.scoresHidden ?? false}>
            {day?.scoresHidden ? <DT k="scoresAreHidden" /> : <DT k="scoresAreShown" />}
          </p>
          <div className="tool-row">
            {day?.scoresHidden ? (
              // The scoreboard screen sees hidden -> shown and reveals from last place up.
              <button type="button" className="small-button" disabled={busy} data-testid="reveal-scores"
                      onClick={() => run(() => setScoresHidden(workshopId, false))}><DT k="reveal" /></button>
            ) : (
              <button type="button" className="small-button" disabled={busy || !day} data-testid="hide-scores"
                      onClick={() => run(() => setScoresHidden(workshopId, true))}><DT k="hideScores" /></button>
            )}
          </div>
        </section>
        <section className="card" data-testid="announce-tools">
          <h2><DT k="announceTitle" /></h2>
          {day?.announcement && (
            <p className="banner banner-info" data-testid="announce-current">
              <span className="banner-text">
                {dt("current", lang, { message: day.announcement.message })} {day.announcement.freeze && <DT k="frozen" />}
              </span>
            </p>
          )}
          <form onSubmit={send}>
            <label>
              <DT k="announceMessage" />
              <textarea className="announce-input" maxLength={200} value={message} data-testid="announce-message"
                        onChange={(e) => setMessage(e.target.value)} />
            </label>
            <label className="tool-row">
              <input type="checkbox" checked={freeze} data-testid="announce-freeze" onChange={(e) => setFreeze(e.target.checked)} />
              <DT k="freeze" />
            </label>
            <div className="tool-row">
              <button type="submit" className="small-button" disabled={busy || !message.trim()} data-testid="announce-send">
                📣 <DT k="send" />
              </button>
              <button type="button" className="small-button" disabled={busy || !day?.announcement} data-testid="announce-lift"
                      onClick={() => run(() => announce(workshopId, null, false))}><DT k="lift" /></button>
            </div>
          </form>
        </section>
      </div>
    </main>
    </div>
  );
}
