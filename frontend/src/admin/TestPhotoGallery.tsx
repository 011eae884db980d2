// The hidden test photos as thumbnails, per class, each deletable (a wrong one would mark
// every group down): the BFF then scores every finished run again on the set that is left.
import { useEffect, useState } from "react";
import type { WorkshopClass } from "../lib/api";
import { classLabel } from "../lib/classes";
import { useLang } from "../lib/i18n";
import { AdminError } from "./AdminError";
import { deleteTestPhoto, listTestPhotos, type TestPhoto } from "./dayApi";
import { dt, DT } from "./dayText";

export function TestPhotoGallery({ workshopId, classes, version, onDeleted }: {
  workshopId: string; classes: WorkshopClass[]; version: number; onDeleted: (photo: TestPhoto) => void;
}) {
  const lang = useLang();
  const [photos, setPhotos] = useState<TestPhoto[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    listTestPhotos(workshopId).then(setPhotos, setError);
  }, [workshopId, version]);
  const remove = async (photo: TestPhoto) => {
    if (!window.confirm(dt("confirmDeleteTest", lang))) return;
    try {
      await deleteTestPhoto(photo.id);
      setPhotos((current) => current?.filter((p) => p.id !== photo.id) ?? null);
      onDeleted(photo);
    } catch (err) {
      setError(err);
    }
  };
  if (!photos) return <AdminError error={error} />;
  return (
    <div className="test-gallery" data-testid="test-gallery">
      <h3><DT k="testGallery" vars={{ n: photos.length }} /></h3>
      <AdminError error={error} onClose={() => setError(null)} />
      {photos.length === 0 ? <p className="muted"><DT k="noTestPhotos" /></p> : classes.map((cls, index) => {
        const mine = photos.filter((p) => p.classId === cls.id);
        if (mine.length === 0) return null;
        const { emoji, name } = classLabel(cls, index);
        return (
          <div key={cls.id} className="test-gallery-class">
            <p className="test-gallery-name">{emoji} {name} ({mine.length})</p>
            <div className="thumb-grid admin-thumbs">
              {mine.map((photo) => (
                <figure key={photo.id} className="thumb" data-testid="test-thumb" data-photo-id={photo.id}>
                  <img src={photo.url} alt={`${name}`} loading="lazy" />
                  <button type="button" className="thumb-delete" aria-label={dt("deleteTestPhoto", lang)}
                          data-testid="delete-test-photo" onClick={() => remove(photo)}>🗑️</button>
                </figure>
              ))}
            </div>
          </div>
        );
      })}
    </div>
  );
}
