"""uploadPhoto / photos / deletePhoto for groups; uploadTestPhoto / testPhotos for instructors."""

from __future__ import annotations

import graphene

from pictolab.contract.errors import FailedPrecondition, NotFound, RateLimited
from pictolab.graphql import Upload

from .. import photos
from ..hints import class_pair_hints
from ..models import Phase
from ..models import Photo as PhotoModel
from ..ratelimit import limiter
from .types import Photo

# Groups add and remove photos while collecting and while (re)training; the dataset is
# frozen for the competition.
GROUP_UPLOAD_PHASES = (Phase.COLLECT, Phase.TRAIN)


def _require_group_phase(group, action: str) -> None:
    phase = group.workshop.phase
    if phase not in GROUP_UPLOAD_PHASES:
        raise FailedPrecondition(f"Photos cannot be {action} now (phase {phase.value}).",
                                 phase=phase.value)


def _store(ctx, *, workshop, group, class_id, file, actor):
    photo_class = photos.class_of_workshop(ctx.db, workshop, class_id)
    data = photos.read_upload(file, ctx.settings.max_upload_bytes)
    return photos.store_photo(ctx.db, ctx.storage, ctx.settings, workshop=workshop, group=group,
                              photo_class=photo_class, data=data, actor=actor,
                              max_side=ctx.config["PHOTO_MAX_SIDE"], quality=ctx.config["JPEG_QUALITY"])


class ClassPairHint(graphene.ObjectType):
    """Two classes of the workshop whose photos look alike to the group's AI."""

    class_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    code = graphene.String(required=True, description="CLASSES_LOOK_ALIKE")


class PhotoQuery:
    class_pair_hints = graphene.List(
        graphene.NonNull(ClassPairHint), required=True,
        description="The group's pairs of classes that look alike to the AI (computed after uploads; "
                    "empty until then)")
    photos = graphene.List(graphene.NonNull(Photo), required=True, class_id=graphene.ID(),
                           description="The group's own photos, optionally of one class")
    test_photos = graphene.List(graphene.NonNull(Photo), required=True, workshop_id=graphene.ID(required=True),
                                class_id=graphene.ID(), description="Admin: the hidden test set")

    def resolve_class_pair_hints(root, info):
        group = info.context.require_group()
        return [ClassPairHint(class_ids=pair["classIds"], code=pair["code"]) for pair in class_pair_hints(group)]

    def resolve_photos(root, info, class_id=None):
        ctx = info.context
        group = ctx.require_group()
        return photos.group_photos(ctx.db, group, class_id)

    def resolve_test_photos(root, info, workshop_id, class_id=None):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        return photos.hidden_test_photos(ctx.db, workshop, class_id)


class PhotoMutation:
    upload_photo = graphene.Field(Photo, class_id=graphene.ID(required=True), file=Upload(required=True),
                                  description="Multipart request; needs the Apollo-Require-Preflight header")
    delete_photo = graphene.Boolean(id=graphene.ID(required=True))
    upload_test_photo = graphene.Field(Photo, class_id=graphene.ID(required=True), file=Upload(required=True),
                                       description="Admin: add a photo to the class's hidden test set")
    move_photo = graphene.Field(Photo, id=graphene.ID(required=True), class_id=graphene.ID(required=True),
                                description="Put one of the group's photos in another class (one tap)")

    def resolve_upload_photo(root, info, class_id, file):
        ctx = info.context
        group = ctx.require_group()
        _require_group_phase(group, "added")
        if not limiter("upload").allow(f"group:{group.id}"):
            raise RateLimited("Slow down a little, then try again.")
        return _store(ctx, workshop=group.workshop, group=group, class_id=class_id, file=file,
                      actor=f"group:{group.id}")

    def resolve_upload_test_photo(root, info, class_id, file):
        ctx = info.context
        photo_class = ctx.class_for_admin(class_id)
        workshop = photo_class.workshop
        if workshop.phase == Phase.CLOSED or workshop.purged_at is not None:
            raise FailedPrecondition("This workshop is closed.", phase=workshop.phase.value)
        return _store(ctx, workshop=workshop, group=None, class_id=class_id, file=file, actor=ctx.admin_actor)

    def resolve_move_photo(root, info, id, class_id):
        ctx = info.context
        group = ctx.require_group()
        photo = ctx.db.get(PhotoModel, id) if isinstance(id, str) and len(id) <= 64 else None
        # Another group's photo (or a hidden test photo) looks exactly like a missing one.
        if photo is None or photo.group_id != group.id:
            raise NotFound("Unknown photo.")
        _require_group_phase(group, "moved")
        photo_class = photos.class_of_workshop(ctx.db, group.workshop, class_id)
        return photos.move_photo(ctx.db, ctx.settings, photo, photo_class, actor=f"group:{group.id}")

    def resolve_delete_photo(root, info, id):
        ctx = info.context
        if ctx.is_admin:
            photo = ctx.photo_for_admin(id)
        else:
            photo = ctx.db.get(PhotoModel, id) if isinstance(id, str) else None
            group = ctx.require_group()
            # Another group's photo looks exactly like a missing one.
            if photo is None or photo.group_id != group.id:
                raise NotFound("Unknown photo.")
            _require_group_phase(group, "deleted")
        actor = ctx.admin_actor if ctx.is_admin else f"group:{photo.group_id}"
        photos.delete_photo(ctx.db, ctx.storage, photo, actor=actor)
        return True
