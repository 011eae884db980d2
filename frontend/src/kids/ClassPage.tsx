// One class: take photos (rear camera or album), see each one's upload progress, see and
// delete what was sent.
import { useCallback, useState, type ChangeEvent } from "react";
import { deletePhoto, loadClassPairHints, type ClassPairHint, type Photo } from "../lib/api";
import { downscalePhoto } from "../lib/downscale";
import { friendlyError } from "../lib/errors";
import { GraphQLRequestError } from "../lib/graphql";
import { plainText, Rubied, T, tr, useLang } from "../lib/i18n";
import { Link } from "../lib/router";
import type { QueueItemView } from "../lib/uploadQueue";
import { usePolling } from "../lib/usePolling";
import type { StringKey } from "../lib/strings";
import { ErrorBanner, ProgressBar, Spinner, useObjectUrl } from "../lib/ui";
import { classEmoji, classDisplayName } from "./Home";
import { useKidsSession, useQueueSnapshot } from "./session";

function PendingPhoto({ item }: { item: QueueItemView }) {
  const url = useObjectUrl(item.blob);
  const lang = useLang();
  return (
    <figure className={`thumb thumb-${item.status}`} data-testid="pending-photo" data-status={item.status}>
      {url && <img src={url} alt="" />}
      <figcaption>
        <ProgressBar value={item.status === "sending" ? item.progress : 0} label={plainText(tr("sending", lang))} />
        <span className="thumb-status">
          {item.status === "retrying" ? "⏳" : "⬆️"}
        </span>
      </figcaption>
    </figure>
  );
}

// Photo hints (computed by the BFF shortly after an upload): a badge on the photo, and one
// friendly sentence per kind above the photos.
const PHOTO_HINTS = ["TOO_DARK", "BLURRY", "NEAR_DUPLICATE", "SAME_BACKGROUND"] as const;
const HINT_ICONS: Record<string, string> = { TOO_DARK: "🌙", BLURRY: "💨", NEAR_DUPLICATE: "👯", SAME_BACKGROUND: "🖼️" };
// 10 s: a hint waits for the ML API's analysis anyway; each look is two requests (hints and
// photos), and 30 iPads share one venue address under Cloud Armor's limit (bench/polling.py).
const HINTS_REFRESH_MS = 10000;

function PhotoHintBadges({ hints }: { hints: string[] }) {
  const lang = useLang();
  const known = hints.filter((h) => h in HINT_ICONS);
  if (known.length === 0) return null;
  return (
    <span className="thumb-hints" data-testid="photo-hints" data-hints={known.join(" ")}>
      {known.map((hint) => (
        <span key={hint} className="thumb-hint" role="img"
              aria-label={plainText(tr(`photoHint${hint}` as StringKey, lang))}>{HINT_ICONS[hint]}</span>
      ))}
    </span>
  );
}

function SentPhoto({ photo, onDeleted }: { photo: Photo; onDeleted: (error?: unknown) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const lang = useLang();
  const remove = async () => {
    setBusy(true);
    try {
      await deletePhoto(photo.id);
      onDeleted();
    } catch (error) {
      setBusy(false);
      setConfirming(false);
      onDeleted(error);
    }
  };
  return (
    <figure className="thumb" data-testid="sent-photo">
      <img src={photo.url} alt="" loading="lazy" />
      <PhotoHintBadges hints={photo.hints ?? []} />
      {confirming ? (
        <div className="thumb-confirm">
          <span><T k="confirmDelete" /></span>
          <button type="button" className="small-button danger" disabled={busy} onClick={remove}><T k="yes" /></button>
          <button type="button" className="small-button" onClick={() => setConfirming(false)}><T k="no" /></button>
        </div>
      ) : (
        <button type="button" className="thumb-delete" aria-label={plainText(tr("deletePhoto", lang))}
                onClick={() => setConfirming(true)}>🗑️</button>
      )}
    </figure>
  );
}

export function ClassPage({ classId }: { classId: string }) {
  const { workshop, photos, queue, removePhotoLocally, refreshPhotos } = useKidsSession();
  const [pairs, setPairs] = useState<ClassPairHint[]>([]);
  // Hints arrive a few seconds after an upload (never in its way): look again while here.
  const refreshHints = useCallback(async () => {
    try {
      const [next] = await Promise.all([loadClassPairHints(), refreshPhotos()]);
      setPairs(next);
    } catch {
      /* hints are advice: without them the page works as before */
    }
  }, [refreshPhotos]);
  usePolling(refreshHints, HINTS_REFRESH_MS);
  const snapshot = useQueueSnapshot(queue);
  const lang = useLang();
  const [preparing, setPreparing] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const index = workshop.classes.findIndex((c) => c.id === classId);
  const cls = workshop.classes[index];
  if (!cls) {
    return (
      <section className="center-screen">
        <ErrorBanner error={new GraphQLRequestError("unknown class", "NOT_FOUND")} />
        <Link to="/" className="big-button"><T k="back" /></Link>
      </section>
    );
  }
  const sent = photos.filter((p) => p.classId === classId);
  const sentHints = PHOTO_HINTS.filter((hint) => sent.some((p) => p.hints?.includes(hint)));
  const classPairs = pairs.filter((p) => p.code === "CLASSES_LOOK_ALIKE" && p.classIds.includes(classId))
    .map((p) => {
      const other = p.classIds.find((id) => id !== classId) ?? "";
      const otherIndex = workshop.classes.findIndex((c) => c.id === other);
      return { code: p.code, other, otherName: otherIndex < 0 ? "?" : classDisplayName(workshop.classes[otherIndex], otherIndex) };
    })
    .filter((p) => p.otherName !== "?");
  const pending = snapshot.items.filter((i) => i.classId === classId);
  const dropped = snapshot.dropped.filter((d) => d.classId === classId);
  // Fewest taps: once this class has enough, one button leads on to the next class that
  // still needs photos (or to training), instead of "back" + another card.
  const min = workshop.minPhotosPerClass;
  const count = (id: string) => photos.filter((p) => p.classId === id).length;
  const order = [...workshop.classes.slice(index + 1), ...workshop.classes.slice(0, index)];
  const nextIndex = workshop.classes.indexOf(order.find((c) => count(c.id) < min) ?? cls);
  const next = nextIndex >= 0 && nextIndex !== index ? workshop.classes[nextIndex] : null;

  const addFiles = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";  // the same photo can be picked again later
    setPreparing((n) => n + files.length);
    for (const file of files) {
      try {
        const { blob } = await downscalePhoto(file);
        await queue.add(blob, classId);
      } catch (err) {
        setError(err);
      } finally {
        setPreparing((n) => n - 1);
      }
    }
  };

  return (
    <section className="class-page" data-testid="class-page">
      <div className="class-page-head">
        <Link to="/" className="back-button" aria-label={plainText(tr("back", lang))}>←</Link>
        <h1 className="screen-title">
          <span aria-hidden="true">{classEmoji(cls, index)}</span> {classDisplayName(cls, index)}
        </h1>
        <span className="class-count" data-testid="sent-count" data-count={sent.length}>
          <T k="photosCount" vars={{ n: sent.length }} /> / {workshop.minPhotosPerClass}+
        </span>
      </div>
      <div className="capture-buttons">
        <label className="big-button camera-button" data-testid="camera-button">
          <input type="file" accept="image/*" capture="environment" className="visually-hidden"
                 data-testid="camera-input" onChange={addFiles} />
          <span aria-hidden="true">📷</span> <T k="takePhoto" />
        </label>
        <label className="big-button album-button" data-testid="album-button">
          <input type="file" accept="image/*" multiple className="visually-hidden"
                 data-testid="album-input" onChange={addFiles} />
          <span aria-hidden="true">🖼️</span> <T k="fromLibrary" />
        </label>
      </div>
      {sent.length >= min && (
        <Link to={next ? `/class/${next.id}` : "/train"} className="big-button next-button" data-testid="next-step">
          {next ? (
            <><T k="nextClass" /> <span aria-hidden="true">{classEmoji(next, nextIndex)}</span> {classDisplayName(next, nextIndex)} →</>
          ) : (
            <><span aria-hidden="true">🧠</span> <T k="goTrain" /> →</>
          )}
        </Link>
      )}
      {pending.some((item) => item.status === "retrying") && (
        <p className="banner banner-info" role="status" data-testid="waiting-banner">
          <span className="banner-icon" aria-hidden="true">📶</span>
          <span className="banner-text"><T k={snapshot.online ? "waitingToSend" : "offline"} /></span>
        </p>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {dropped.map((d) => (
        <div key={d.id} className="banner banner-error" role="alert" data-testid="dropped-photo" data-code={d.code}>
          <span className="banner-text"><strong><T k="dropped" /></strong>: <Rubied text={friendlyError(d.code, lang)} /></span>
          <button type="button" className="banner-close" onClick={() => queue.dismissDropped(d.id)}><T k="dismiss" /></button>
        </div>
      ))}
      {(pending.length > 0 || preparing > 0) && (
        <div className="thumb-grid pending-grid" data-testid="pending-grid">
          {pending.map((item) => <PendingPhoto key={item.id} item={item} />)}
          {preparing > 0 && <div className="thumb thumb-preparing"><Spinner /></div>}
        </div>
      )}
      {(sentHints.length > 0 || classPairs.length > 0) && (
        <ul className="hint-list" data-testid="class-hints">
          {sentHints.map((hint) => (
            <li key={hint} className="banner banner-info" data-testid="class-hint" data-code={hint}>
              <span className="banner-icon" aria-hidden="true">{HINT_ICONS[hint]}</span>
              <span className="banner-text"><T k={`hint${hint}` as StringKey} vars={{ label: classDisplayName(cls, index) }} /></span>
            </li>
          ))}
          {classPairs.map((pair) => (
            <li key={pair.other} className="banner banner-info" data-testid="class-hint" data-code={pair.code}>
              <span className="banner-icon" aria-hidden="true">🤔</span>
              <span className="banner-text">
                <T k="hintCLASSES_LOOK_ALIKE" vars={{ a: classDisplayName(cls, index), b: pair.otherName }} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <h2><T k="uploadedPhotos" /></h2>
      {sent.length === 0 ? (
        <p className="muted" data-testid="no-sent-photos">
          {pending.length > 0 ? <T k="pendingCount" vars={{ n: pending.length }} /> : <T k="noPhotosYet" />}
        </p>
      ) : (
        <div className="thumb-grid" data-testid="sent-grid">
          {sent.map((photo) => (
            <SentPhoto key={photo.id} photo={photo}
                       onDeleted={(err) => (err ? setError(err) : removePhotoLocally(photo.id))} />
          ))}
        </div>
      )}
    </section>
  );
}
