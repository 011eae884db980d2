"""Storing, listing and deleting photos.

Write order keeps storage and database consistent: the sanitised JPEG is written first,
the row after; if the row cannot be written the object is deleted again, and if the
object cannot be written no row is made. A retried upload (same bytes, same owner) finds
the existing row through the content hash before anything is decoded.
"""

from __future__ import annotations

import hashlib
import logging
from typing import BinaryIO

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pictolab.contract import storage_keys
from pictolab.contract.errors import (
    BadInput,
    Conflict,
    FailedPrecondition,
    NotFound,
    PayloadTooLarge,
    Unavailable,
)
from pictolab.settings import Settings
from pictolab.storage import Storage, StorageError

from . import audit
from .images import sanitise
from .models import Group, Photo, PhotoClass, RunStatus, TrainingRun, Workshop, new_id

log = logging.getLogger(__name__)


photo_key = storage_keys.photo_key


def read_upload(upload: BinaryIO | None, limit: int) -> bytes:
    """The bytes of a multipart file part (werkzeug FileStorage), at most ``limit``."""
    if upload is None or not hasattr(upload, "read"):
        raise BadInput("The file is missing from the upload.")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is larger than {limit} bytes.")
    return data


def class_of_workshop(db: Session, workshop: Workshop, class_id: str) -> PhotoClass:
    photo_class = db.get(PhotoClass, class_id) if isinstance(class_id, str) and len(class_id) <= 64 else None
    if photo_class is None or photo_class.workshop_id != workshop.id:
        raise NotFound("Unknown class for this workshop.")
    return photo_class


def _existing(db: Session, workshop: Workshop, group: Group | None, content_hash: str) -> Photo | None:
    query = select(Photo).where(Photo.content_hash == content_hash)
    if group is None:
        query = query.where(Photo.workshop_id == workshop.id, Photo.group_id.is_(None))
    else:
        query = query.where(Photo.group_id == group.id)
    return db.scalars(query).first()


def _deduplicated(photo: Photo, class_id: str) -> Photo:
    if photo.class_id != class_id:
        raise Conflict("This photo is already in another class.", photoId=photo.id, classId=photo.class_id)
    return photo


def store_photo(db: Session, storage: Storage, settings: Settings, *, workshop: Workshop,
                group: Group | None, photo_class: PhotoClass, data: bytes, actor: str,
                max_side: int = 1024, quality: int = 85) -> Photo:
    """Sanitise and store one photo of ``group`` (None: the hidden test set); commits."""
    content_hash = hashlib.sha256(data).hexdigest()
    existing = _existing(db, workshop, group, content_hash)
    if existing is not None:
        return _deduplicated(existing, photo_class.id)
    if group is not None:
        count = db.scalar(select(func.count()).select_from(Photo).where(
            Photo.group_id == group.id, Photo.class_id == photo_class.id))
        if count >= settings.max_photos_per_class:
            raise FailedPrecondition(f"This class already has {settings.max_photos_per_class} photos.",
                                     limit=settings.max_photos_per_class)
    else:
        # The hidden test set is scored in one ML API request sized for this many examples
        # (Settings.max_examples_per_request): refuse here, with a sentence, rather than
        # let a run go unscored later.
        count = db.scalar(select(func.count()).select_from(Photo).where(
            Photo.workshop_id == workshop.id, Photo.is_test.is_(True)))
        if count >= settings.max_test_photos:
            raise FailedPrecondition(
                f"This workshop already has {settings.max_test_photos} test photos "
                "(PICTOLAB_MAX_TEST_PHOTOS); delete some before adding more.",
                limit=settings.max_test_photos)

    image = sanitise(data, max_pixels=settings.max_image_pixels, max_side=max_side, quality=quality)
    photo_id = new_id()
    key = photo_key(workshop.id, photo_id)
    try:
        storage.put_bytes(key, image.jpeg, "image/jpeg")
    except (StorageError, OSError) as exc:
        log.error("photo upload to storage failed", extra={"key": key, "error": str(exc)})
        raise Unavailable("The photo could not be saved; please try again.") from None

    photo = Photo(id=photo_id, workshop_id=workshop.id, group_id=group.id if group else None,
                  class_id=photo_class.id, is_test=group is None, storage_key=key, content_hash=content_hash,
                  width=image.width, height=image.height, byte_size=len(image.jpeg))
    try:
        db.add(photo)
        audit.record(db, actor, "photo.upload_test" if group is None else "photo.upload",
                     workshop_id=workshop.id, target_id=photo_id,
                     details={"classId": photo_class.id, "width": image.width, "height": image.height})
        if group is None:
            mark_rescoring_due(db, workshop.id)
        db.commit()
    except IntegrityError:
        # The same bytes won a race from a parallel retry: keep that one, drop ours.
        db.rollback()
        _delete_object(storage, key)
        existing = _existing(db, workshop, group, content_hash)
        if existing is None:
            raise
        return _deduplicated(existing, photo_class.id)
    except BaseException:
        db.rollback()
        _delete_object(storage, key)
        raise
    return photo


def delete_photo(db: Session, storage: Storage, photo: Photo, *, actor: str) -> None:
    """Row first (the photo disappears for everyone at once), then the object and the
    embeddings the ML API cached for it: all of them sit under the photo's own prefix in
    the cache (pictolab.contract.storage_keys), whatever the backbone."""
    key = photo.storage_key
    db.delete(photo)
    audit.record(db, actor, "photo.delete", workshop_id=photo.workshop_id, target_id=photo.id)
    if photo.group_id is None:
        mark_rescoring_due(db, photo.workshop_id)
    db.commit()
    _delete_object(storage, key)
    try:
        storage.delete_prefix(storage_keys.embeddings_prefix(key))
    except (StorageError, OSError) as exc:  # orphans; `pictolab purge` removes the workshop's
        log.error("could not delete cached embeddings", extra={"key": key, "error": str(exc)})


def mark_rescoring_due(db: Session, workshop_id: str) -> None:
    """The workshop's hidden test set changed: every finished run is scored again, and so is
    every active one once it succeeds (it was sent the test set of its start). Call it in the
    transaction that changes the test set (no commit here), so no change goes unnoticed; the
    reconciler (bff/training.py, which also exports it) does the scoring."""
    db.execute(update(TrainingRun)
               .where(TrainingRun.workshop_id == workshop_id,
                      TrainingRun.status.in_((RunStatus.SUCCEEDED, RunStatus.QUEUED, RunStatus.RUNNING)))
               .values(rescore_due=True).execution_options(synchronize_session=False))




def move_photo(db: Session, settings: Settings, photo: Photo, photo_class: PhotoClass, *, actor: str) -> Photo:
    """Put a group's photo in another class of its workshop (commits). Only the row changes:
    the storage key names the workshop and the photo, not the class, and the cached
    embeddings belong to the image, so the object and the cache stay where they are."""
    if photo_class.workshop_id != photo.workshop_id:
        raise NotFound("Unknown class for this workshop.")
    if photo.class_id == photo_class.id:
        return photo  # a repeated tap: nothing to do, nothing to audit
    count = db.scalar(select(func.count()).select_from(Photo).where(
        Photo.group_id == photo.group_id, Photo.class_id == photo_class.id))
    if count >= settings.max_photos_per_class:
        raise FailedPrecondition(f"This class already has {settings.max_photos_per_class} photos.",
                                 limit=settings.max_photos_per_class)
    previous = photo.class_id
    photo.class_id = photo_class.id
    audit.record(db, actor, "photo.move", workshop_id=photo.workshop_id, target_id=photo.id,
                 details={"fromClassId": previous, "classId": photo_class.id})
    db.commit()
    return photo


def _delete_object(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except (StorageError, OSError) as exc:  # an orphan object; `pictolab purge` removes it
        log.error("could not delete photo object", extra={"key": key, "error": str(exc)})


def group_photos(db: Session, group: Group, class_id: str | None = None) -> list[Photo]:
    query = select(Photo).where(Photo.group_id == group.id)
    if class_id is not None:
        query = query.where(Photo.class_id == class_id)
    return list(db.scalars(query.order_by(Photo.created_at, Photo.id)))


def hidden_test_photos(db: Session, workshop: Workshop, class_id: str | None = None) -> list[Photo]:
    query = select(Photo).where(Photo.workshop_id == workshop.id, Photo.group_id.is_(None))
    if class_id is not None:
        query = query.where(Photo.class_id == class_id)
    return list(db.scalars(query.order_by(Photo.created_at, Photo.id)))


def class_by_id(db: Session, class_id: str) -> PhotoClass:
    photo_class = db.get(PhotoClass, class_id) if isinstance(class_id, str) and len(class_id) <= 64 else None
    if photo_class is None:
        raise NotFound("Unknown class.")
    return photo_class
