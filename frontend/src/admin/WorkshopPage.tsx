// One workshop: phase control, groups (cards, detail), hidden test photos, the class-wide
// chart, photo moderation and the purge.
import { lazy, Suspense, useCallback, useEffect, useState, type ChangeEvent } from "react";
import { classLabel } from "../lib/classes";
import { downscalePhoto } from "../lib/downscale";
import { useLang } from "../lib/i18n";
import { Link, navigate } from "../lib/router";
import { ProgressBar, Spinner } from "../lib/ui";
import {
  adminDeletePhoto, adminPhotos, purgeWorkshop, testPhotoCounts, uploadTestPhoto, type AdminPhoto, type AdminWorkshop,
} from "./adminApi";
import { OwnersPanel } from "./AccountPages";
import { NetworksPanel } from "./NetworksPanel";
import { AdminError } from "./AdminError";
import { GroupActivityTable } from "./GroupActivityTable";
import { PhaseStepper } from "./PhaseStepper";
import { PlayPanel } from "./PlayPanel";
import { TestPhotoGallery } from "./TestPhotoGallery";
import { DT } from "./dayText";
import { at, AT } from "./adminText";
import { useAdminWorkshop } from "./useAdminWorkshop";

const ExperimentChart = lazy(() => import("./ExperimentChart"));

function TestPhotos({ workshop, onError }: { workshop: AdminWorkshop; onError: (err: unknown) => void }) {
  const [sent, setSent] = useState<Record<string, number>>({});
  useEffect(() => {
    testPhotoCounts(workshop.id).then(setSent, () => undefined);  // counts are a nicety
  }, [workshop.id]);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);  // the gallery reloads after each batch
  const lang = useLang();
  const upload = async (classId: string, event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    setProgress({ done: 0, total: files.length });
    for (const [index, file] of files.entries()) {
      try {
        const { blob } = await downscalePhoto(file);
        await uploadTestPhoto(classId, blob);
        setSent((current) => ({ ...current, [classId]: (current[classId] ?? 0) + 1 }));
      } catch (err) {
        setError(err);
        onError(err);
      }
      setProgress({ done: index + 1, total: files.length });
    }
    setProgress(null);
    setVersion((v) => v + 1);
  };
  return (
    <section className="card" data-testid="test-photos">
      <h2><AT k="testPhotos" /></h2>
      <p className="muted"><AT k="testPhotosHint" /></p>
      <ul className="test-classes">
        {workshop.classes.map((cls, index) => {
          const { emoji, name } = classLabel(cls, index);
          return (
            <li key={cls.id}>
              <span>{emoji} {name}</span>
              <label className="small-button">
                <input type="file" accept="image/*" multiple className="visually-hidden"
                       aria-label={at("addTestPhotos", lang, { name })}
                       data-testid={`test-input-${cls.id}`} onChange={(e) => upload(cls.id, e)} />
                <AT k="addPhotos" />
              </label>
              <span className="muted" data-testid={`test-sent-${cls.id}`} data-count={sent[cls.id] ?? 0}>
                <AT k="nPhotos" vars={{ n: sent[cls.id] ?? 0 }} />
              </span>
            </li>
          );
        })}
      </ul>
      {progress && <ProgressBar value={progress.total ? progress.done / progress.total : 0} label={at("testPhotos", lang)} />}
      <AdminError error={error} onClose={() => setError(null)} />
      <TestPhotoGallery workshopId={workshop.id} classes={workshop.classes} version={version}
                        onDeleted={(photo) => setSent((current) => ({ ...current, [photo.classId]: Math.max(0, (current[photo.classId] ?? 1) - 1) }))} />
    </section>
  );
}

function Moderation({ workshop }: { workshop: AdminWorkshop }) {
  const [groupId, setGroupId] = useState("");
  const [classId, setClassId] = useState("");
  const [photos, setPhotos] = useState<AdminPhoto[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const lang = useLang();
  const load = useCallback(() => {
    setPhotos(null);
    adminPhotos(workshop.id, groupId, classId).then(setPhotos, (err) => {
      setPhotos([]);
      setError(err);
    });
  }, [workshop.id, groupId, classId]);
  useEffect(load, [load]);
  const remove = async (id: string) => {
    if (!window.confirm(at("confirmDeletePhoto", lang))) return;
    try {
      await adminDeletePhoto(id);
      setPhotos((current) => current?.filter((p) => p.id !== id) ?? null);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" data-testid="moderation">
      <h2><AT k="moderation" /></h2>
      <div className="filters">
        <select value={groupId} onChange={(e) => setGroupId(e.target.value)} aria-label={at("filterGroup", lang)}>
          <option value="">{at("allGroups", lang)}</option>
          {workshop.groups?.map((g) => <option key={g.id} value={g.id}>{g.emoji} {g.name}</option>)}
        </select>
        <select value={classId} onChange={(e) => setClassId(e.target.value)} aria-label={at("filterClass", lang)}>
          <option value="">{at("allClasses", lang)}</option>
          {workshop.classes.map((c, i) => <option key={c.id} value={c.id}>{classLabel(c, i).emoji} {classLabel(c, i).name}</option>)}
        </select>
      </div>
      <AdminError error={error} onClose={() => setError(null)} />
      {photos === null ? <Spinner /> : error ? null : photos.length === 0 ? <p className="muted"><AT k="noPhotos" /></p> : (
        <div className="thumb-grid admin-thumbs">
          {photos.map((photo) => (
            <figure key={photo.id} className="thumb">
              <img src={photo.url} alt="" loading="lazy" />
              <button type="button" className="thumb-delete" aria-label={at("deletePhoto", lang)} data-testid="admin-delete-photo" onClick={() => remove(photo.id)}>🗑️</button>
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

function Purge({ workshop }: { workshop: AdminWorkshop }) {
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const lang = useLang();
  const purge = async () => {
    setBusy(true);
    try {
      await purgeWorkshop(workshop.id);
      navigate("/admin");
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <section className="card danger-zone" data-testid="purge">
      <h2><AT k="purgeTitle" /></h2>
      <p><AT k="purgeBody" vars={{ title: workshop.title }} /></p>
      <input value={typed} onChange={(e) => setTyped(e.target.value)} aria-label={at("purgeInput", lang)}
             data-testid="purge-title" />
      <button type="button" className="big-button danger" disabled={busy || typed !== workshop.title} onClick={purge}
              data-testid="purge-button">
        <AT k="purgeButton" />
      </button>
      <AdminError error={error} />
    </section>
  );
}

export function WorkshopPage({ workshopId, onError }: { workshopId: string; onError: (err: unknown) => void }) {
  const { workshop, setWorkshop, error, setError } = useAdminWorkshop(workshopId, onError);
  if (error && !workshop) return <AdminError error={error} />;
  if (!workshop) return <Spinner />;
  const report = (err: unknown) => {
    setError(err);
    onError(err);
  };
  return (
    <div className="workshop-page" data-testid="admin-workshop">
      <div className="workshop-head">
        <h1>{workshop.title}</h1>
        <div className="workshop-links">
          <Link to={`/admin/workshops/${workshop.id}/cards`} className="small-button" data-testid="cards-link">🖨️ <AT k="qrCards" /></Link>
          <Link to={`/admin/workshops/${workshop.id}/scoreboard`} className="small-button" data-testid="scoreboard-link">📽️ <AT k="scoreboard" /></Link>
          <Link to={`/admin/workshops/${workshop.id}/projector`} className="small-button" data-testid="projector-link">🎛️ <DT k="projector" /></Link>
        </div>
      </div>
      <PhaseStepper workshop={workshop} onChange={(phase) => setWorkshop({ ...workshop, phase })} onError={report} />
      <AdminError error={error} onClose={() => setError(null)} />
      <GroupActivityTable workshopId={workshop.id} classes={workshop.classes} />
      <div className="admin-columns">
        <section className="card" data-testid="groups">
          <h2><AT k="groups" /></h2>
          {workshop.groups?.length ? (
            <ul className="group-list">
              {workshop.groups.map((g) => (
                <li key={g.id}>
                  <Link to={`/admin/groups/${g.id}`}>{g.emoji} {g.name}</Link>
                  {g.photoCount != null && <span className="muted"> · <AT k="nPhotos" vars={{ n: g.photoCount }} /></span>}
                </li>
              ))}
            </ul>
          ) : <p className="muted"><AT k="noGroups" /></p>}
        </section>
        <TestPhotos workshop={workshop} onError={onError} />
      </div>
      <section className="card">
        <h2><AT k="chartTitle" /></h2>
        <Suspense fallback={<Spinner />}><ExperimentChart workshopId={workshop.id} /></Suspense>
      </section>
      <PlayPanel workshopId={workshop.id} onError={onError} />
      <Moderation workshop={workshop} />
      <OwnersPanel workshopId={workshop.id} onError={onError} />
      <NetworksPanel workshopId={workshop.id} />
      <Purge workshop={workshop} />
    </div>
  );
}
