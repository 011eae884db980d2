"""predict(file) for groups: try the latest model on a photo that is not kept."""

from __future__ import annotations

import graphene
from flask import current_app

from pictolab.graphql import ApiError, Upload

from .. import photos, predictions
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


class Prediction(graphene.ObjectType):
    label = graphene.String(required=True, description="The class name the model picked")
    class_id = graphene.ID(required=True)
    confidence = graphene.Float(required=True)
    scores = graphene.List(graphene.NonNull(LabelScore), required=True, description="Every class, best first")
    run_id = graphene.ID(required=True)
    heatmap = graphene.Field(Heatmap, description="Where the AI looked (null if the ML API drew none)")


class PredictMutation:
    predict = graphene.Field(Prediction, file=Upload(required=True),
                             description="Multipart request; needs the Apollo-Require-Preflight header")

    def resolve_predict(root, info, file):
        ctx = info.context
        group = ctx.require_group()
        if not limiter("upload").allow(f"group:{group.id}"):
            raise ApiError("Slow down a little, then try again.", code="RATE_LIMITED")
        data = photos.read_upload(file, ctx.settings.max_upload_bytes)
        result = predictions.predict(ctx.db, ctx.storage, ctx.settings, current_app.extensions["pictolab.ml"],
                                     group, data, max_side=ctx.config["PHOTO_MAX_SIDE"],
                                     quality=ctx.config["JPEG_QUALITY"])
        return Prediction(label=result["label"], class_id=result["classId"], confidence=result["confidence"],
                          run_id=result["runId"],
                          heatmap=Heatmap(**result["heatmap"]) if result["heatmap"] else None,
                          scores=[LabelScore(class_id=s["classId"], label=s["label"], confidence=s["confidence"])
                                  for s in result["scores"]])
