"""predict(file) for groups: try the latest model on a photo that is not kept."""

from __future__ import annotations

import graphene
from flask import current_app

from pictolab.contract.errors import RateLimited
from pictolab.graphql import Upload

from .. import photos, play, predictions
from ..ratelimit import limiter


class LabelScore(graphene.ObjectType):
    class_id = graphene.ID(required=True)
    label = graphene.String(required=True)
    confidence = graphene.Float(required=True)


class Heatmap(graphene.ObjectType):
    """Where the AI looked for the class it picked: row-major from the top-left over the whole
    photo as sent (after EXIF orientation), values in [0, 1], at least 7 x 7."""

    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    values = graphene.List(graphene.NonNull(graphene.Float), required=True)


class Reaction(graphene.ObjectType):
    """How a group's AI reacts when it picks a class (bff/play.py): the app animates the emoji
    and synthesises the sound (both from built-in sets)."""

    emoji = graphene.String()
    sound = graphene.String()
    words = graphene.String()


class Prediction(graphene.ObjectType):
    label = graphene.String(required=True, description="The class name the model picked")
    class_id = graphene.ID(required=True)
    confidence = graphene.Float(required=True)
    scores = graphene.List(graphene.NonNull(LabelScore), required=True, description="Every class, best first")
    run_id = graphene.ID(required=True)
    heatmap = graphene.Field(Heatmap, description="Where the AI looked (null if the ML API drew none)")
    reaction = graphene.Field(Reaction, description="The reaction the AI's group chose for the class it picked "
                                                    "(null: none chosen)")
    group_id = graphene.ID(required=True, description="Whose AI answered (the caller's own, or a friend's)")


class PredictMutation:
    predict = graphene.Field(Prediction, file=Upload(required=True),
                             group_id=graphene.ID(description="A friend's AI (another group of the workshop, "
                                                              "when the instructors allow it); default: your own"),
                             description="Multipart request; needs the Apollo-Require-Preflight header")

    def resolve_predict(root, info, file, group_id=None):
        ctx = info.context
        group = ctx.require_group()
        # Decided before the photo is read: a refused try stores nothing, even for a moment.
        model_group = group if group_id in (None, group.id) else play.friend_for_predict(ctx.db, group, group_id)
        if not limiter("upload").allow(f"group:{group.id}"):
            raise RateLimited("Slow down a little, then try again.")
        data = photos.read_upload(file, ctx.settings.max_upload_bytes)
        result = predictions.predict(ctx.db, ctx.storage, ctx.settings, current_app.extensions["pictolab.ml"],
                                     group, data, max_side=ctx.config["PHOTO_MAX_SIDE"],
                                     quality=ctx.config["JPEG_QUALITY"], model_group=model_group)
        reaction = play.reaction(ctx.db, model_group.id, result["classId"])
        # A friend's run id is no business of the caller's (it names nothing it may open).
        run_id = result["runId"] if model_group is group else ""
        return Prediction(label=result["label"], class_id=result["classId"], confidence=result["confidence"],
                          run_id=run_id, group_id=model_group.id,
                          reaction=Reaction(**reaction) if reaction else None,
                          heatmap=Heatmap(**result["heatmap"]) if result["heatmap"] else None,
                          scores=[LabelScore(class_id=s["classId"], label=s["label"], confidence=s["confidence"])
                                  for s in result["scores"]])
