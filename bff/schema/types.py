"""GraphQL object types shared by the resource modules."""

from __future__ import annotations

import graphene

from pictolab.graphql import ApiError

from .. import models
from ..workshops import class_emoji, group_card

Phase = graphene.Enum.from_enum(models.Phase, description="Workshop phases, in order")


class WorkshopClass(graphene.ObjectType):
    """A label the groups photograph."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    emoji = graphene.String(required=True, description="Chosen by the instructors, else built in")
    workshop = graphene.Field(lambda: Workshop, required=True)

    def resolve_emoji(cls, info):
        return class_emoji(cls)


class Group(graphene.ObjectType):
    """A team sharing one iPad. Login fields are for instructors only (QR cards)."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    emoji = graphene.String(required=True)
    color = graphene.String(required=True)
    login_url = graphene.String(description="Admin only: the URL on the group's QR card")
    token = graphene.String(description="Admin only: the login token on the group's card")
    revoked = graphene.Boolean(description="Admin only: the group cannot log in")
    photo_count = graphene.Int(description="Admin only: how many photos the group has taken")
    workshop = graphene.Field(lambda: Workshop, required=True)

    @staticmethod
    def _card(group, info):
        info.context.require_admin()
        return group_card(info.context.settings, group)

    def resolve_login_url(group, info):
        return Group._card(group, info)["loginUrl"]

    def resolve_token(group, info):
        return Group._card(group, info)["token"]

    def resolve_photo_count(group, info):
        from sqlalchemy import func, select

        info.context.require_admin()
        return info.context.db.scalar(select(func.count()).select_from(models.Photo)
                                      .where(models.Photo.group_id == group.id))

    def resolve_revoked(group, info):
        info.context.require_admin()
        return group.revoked


class Workshop(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    phase = graphene.Field(Phase, required=True)
    classes = graphene.List(graphene.NonNull(WorkshopClass), required=True)
    groups = graphene.List(graphene.NonNull(Group), required=True, description="Admin only")
    created_at = graphene.DateTime(required=True)
    purged = graphene.Boolean(required=True)
    min_photos_per_class = graphene.Int(required=True, description="Photos each class needs before training")

    def resolve_min_photos_per_class(workshop, info):
        return info.context.settings.min_photos_per_class

    def resolve_groups(workshop, info):
        info.context.require_admin()
        return workshop.groups

    def resolve_purged(workshop, info):
        return workshop.purged_at is not None


class Photo(graphene.ObjectType):
    id = graphene.ID(required=True)
    class_id = graphene.ID(required=True)
    url = graphene.String(required=True, description="GET it with the session cookie")
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    is_test = graphene.Boolean(required=True)
    created_at = graphene.DateTime(required=True)
    hints = graphene.List(graphene.NonNull(graphene.String), required=True,
                          description="TOO_DARK, BLURRY, NEAR_DUPLICATE (computed after the upload; "
                                      "empty until then)")

    def resolve_url(photo, info):
        return f"/media/photos/{photo.id}"

    def resolve_hints(photo, info):
        from ..hints import photo_hints

        if photo.group_id is None:
            return []  # hidden test photos get none
        return photo_hints(info.context.db.get(models.Group, photo.group_id), photo.id)


def phase_value(phase) -> models.Phase:
    """graphene hands enum arguments over as the Python enum member (or its value)."""
    try:
        return models.Phase(getattr(phase, "value", phase))
    except ValueError:
        raise ApiError("Unknown phase.", code="BAD_USER_INPUT") from None
