"""GraphQL object types shared by the resource modules."""

from __future__ import annotations

import graphene

from pictolab.contract.errors import BadInput

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

    reaction = graphene.Field("bff.schema.predict.Reaction",
                              description="Your group's reaction to this class (null: none, or not a group)")

    def resolve_reaction(cls, info):
        from ..play import reaction

        group = info.context.group
        if group is None or group.workshop_id != cls.workshop_id:
            return None
        return reaction(info.context.db, group.id, cls.id)


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

    number = graphene.Int(required=True, description="The group's number on its card (card order, from 1)")

    def resolve_number(group, info):
        from ..run_the_day import group_number

        return group_number(group)


class Workshop(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    phase = graphene.Field(Phase, required=True)
    classes = graphene.List(graphene.NonNull(WorkshopClass), required=True)
    groups = graphene.List(graphene.NonNull(Group), required=True, description="Admin only")
    created_at = graphene.DateTime(required=True)
    purged = graphene.Boolean(required=True)
    min_photos_per_class = graphene.Int(required=True, description="Photos each class needs before training")
    owners = graphene.List(graphene.NonNull(graphene.String), required=True,
                           description="Admin only: the sign-in emails of the instructors who own it")

    allowed_networks = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="The venue's networks for this workshop (setAllowedNetworks); empty: the global "
                    "PICTOLAB_ALLOWED_CIDRS applies. Instructors only (a group sees an empty list).")

    def resolve_allowed_networks(workshop, info):
        return list(workshop.allowed_networks or []) if info.context.is_admin else []

    friends_ais = graphene.Boolean(required=True, name="friendsAIs",
                                   description="May groups try each other's AIs (setFriendsAIs; default: in COMPETE)")

    def resolve_friends_ais(workshop, info):
        from ..play import friends_ais_enabled

        return friends_ais_enabled(workshop)

    def resolve_min_photos_per_class(workshop, info):
        return info.context.settings.min_photos_per_class

    def resolve_groups(workshop, info):
        info.context.require_admin()
        return workshop.groups

    def resolve_owners(workshop, info):
        from ..instructors import owner_emails

        info.context.require_admin()
        return owner_emails(info.context.db, workshop.id)

    def resolve_purged(workshop, info):
        return workshop.purged_at is not None

    scores_hidden = graphene.Boolean(required=True, description="While true no score reaches any group "
                                                                "(setScoresHidden)")
    announcement = graphene.Field(lambda: Announcement, description="The instructors' message on every iPad "
                                                                    "(null: none)")

    def resolve_scores_hidden(workshop, info):
        return bool(workshop.scores_hidden)

    def resolve_announcement(workshop, info):
        if not workshop.announcement:
            return None
        return Announcement(message=workshop.announcement, freeze=bool(workshop.announcement_freeze),
                            at=workshop.announcement_at)


class Announcement(graphene.ObjectType):
    message = graphene.String(required=True)
    freeze = graphene.Boolean(required=True, description="Covers the children's screens until lifted")
    at = graphene.DateTime(description="When it was made")


class Photo(graphene.ObjectType):
    id = graphene.ID(required=True)
    class_id = graphene.ID(required=True)
    url = graphene.String(required=True, description="GET it with the session cookie")
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    is_test = graphene.Boolean(required=True)
    created_at = graphene.DateTime(required=True)
    hints = graphene.List(graphene.NonNull(graphene.String), required=True,
                          description="TOO_DARK, BLURRY, NEAR_DUPLICATE, SAME_BACKGROUND (computed after the upload; "
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
        raise BadInput("Unknown phase.") from None
