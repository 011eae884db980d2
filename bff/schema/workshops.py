"""workshop / workshops queries; admin createWorkshop, setPhase, purgeWorkshop."""

from __future__ import annotations

import graphene
from flask import current_app
from sqlalchemy import select

from pictolab.contract.errors import NotFound

from .. import instructors, workshops
from ..models import Workshop as WorkshopModel
from .types import Phase, Workshop, phase_value


class PurgeResult(graphene.ObjectType):
    photos = graphene.Int(required=True)
    training_runs = graphene.Int(required=True)
    objects = graphene.Int(required=True)


class WorkshopQuery:
    workshop = graphene.Field(Workshop, id=graphene.ID(
        description="Admin: which workshop (default: the newest one not purged)"),
        description="A group's own workshop; for instructors the one asked for")
    workshops = graphene.List(graphene.NonNull(Workshop), required=True, description="Admin: all workshops")

    def resolve_workshop(root, info, id=None):
        ctx = info.context
        if ctx.is_admin:
            if id is not None:
                return ctx.workshop_for_admin(id)
            return instructors.newest_open_workshop(ctx.db, ctx.instructor)
        group = ctx.require_group()
        if id is not None and id != group.workshop_id:
            raise NotFound("Unknown workshop.")
        return group.workshop

    def resolve_workshops(root, info):
        ctx = info.context
        instructor = ctx.require_admin()
        query = select(WorkshopModel).order_by(WorkshopModel.created_at.desc())
        return list(ctx.db.scalars(instructors.visible_workshops(query, instructor)))


class WorkshopMutation:
    create_workshop = graphene.Field(
        Workshop, required=True, title=graphene.String(required=True),
        classes=graphene.List(graphene.NonNull(graphene.String), required=True),
        groups=graphene.Int(required=True),
        emojis=graphene.List(graphene.String, description=(
            "One emoji per class, in order (null or empty: the built-in choice for the name). "
            "Without this list a class may be written name:emoji.")),
        description="Admin: a workshop with these classes and N app-named groups (with login URLs)")
    set_phase = graphene.Field(Workshop, workshop_id=graphene.ID(required=True), phase=Phase(required=True))
    purge_workshop = graphene.Field(PurgeResult, required=True, workshop_id=graphene.ID(required=True),
                                    description="Admin: delete every photo, model and embedding; close it")
    add_workshop_owner = graphene.Field(
        Workshop, workshop_id=graphene.ID(required=True), email=graphene.String(required=True),
        description="Admin: share a workshop you own with another instructor (by their sign-in email)")

    def resolve_create_workshop(root, info, title, classes, groups, emojis=None):
        ctx = info.context
        instructor = ctx.require_admin()
        workshop = workshops.create_workshop(ctx.db, title=title, classes=classes, groups=groups,
                                             emojis=emojis, actor=ctx.admin_actor)
        # Whoever creates a workshop owns it.
        instructors.add_owner(ctx.db, workshop, instructor, actor=ctx.admin_actor)
        ctx.db.commit()
        return workshop

    def resolve_set_phase(root, info, workshop_id, phase):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        workshops.set_phase(ctx.db, workshop, phase_value(phase), actor=ctx.admin_actor)
        ctx.db.commit()
        return workshop

    def resolve_purge_workshop(root, info, workshop_id):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        result = workshops.purge_workshop(ctx.db, ctx.storage, workshop, actor=ctx.admin_actor,
                                          ml=current_app.extensions.get("pictolab.ml"))
        ctx.db.commit()
        return PurgeResult(photos=result["photos"], training_runs=result["trainingRuns"],
                           objects=result["objects"])

    def resolve_add_workshop_owner(root, info, workshop_id, email):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        instructor = instructors.by_email(ctx.db, email)
        if instructor is None:
            raise NotFound("No instructor has this email; invite them first.")
        instructors.add_owner(ctx.db, workshop, instructor, actor=ctx.admin_actor)
        ctx.db.commit()
        return workshop
