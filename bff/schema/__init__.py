"""The BFF's GraphQL schema, composed from one module per resource.

Each resource module defines plain mixin classes (``XQuery``, ``XMutation``) whose graphene
fields and ``resolve_*`` functions become part of the root types. Adding a resource (e.g.
training runs, predictions, the scoreboard) is: write ``schema/<resource>.py`` and list its
mixins below.
"""

from __future__ import annotations

import graphene

from .auth import AuthMutation, AuthQuery
from .instructors import InstructorMutation, InstructorQuery
from .networks import NetworkMutation, NetworkQuery
from .photos import PhotoMutation, PhotoQuery
from .play import PlayMutation, PlayQuery
from .predict import PredictMutation
from .run_the_day import RunTheDayMutation, RunTheDayQuery
from .scoreboard import ModerationMutation, ScoreboardQuery
from .training import TrainingMutation, TrainingQuery
from .workshops import WorkshopMutation, WorkshopQuery

QUERY_MIXINS: list[type] = [AuthQuery, WorkshopQuery, PhotoQuery, TrainingQuery, ScoreboardQuery,
                             InstructorQuery, PlayQuery, RunTheDayQuery, NetworkQuery]
MUTATION_MIXINS: list[type] = [AuthMutation, WorkshopMutation, PhotoMutation, TrainingMutation,
                               PredictMutation, ModerationMutation, InstructorMutation,
                               PlayMutation, RunTheDayMutation, NetworkMutation]


def build_schema(query_mixins=None, mutation_mixins=None) -> graphene.Schema:
    query = type("Query", (*(query_mixins or QUERY_MIXINS), graphene.ObjectType), {})
    mutation = type("Mutation", (*(mutation_mixins or MUTATION_MIXINS), graphene.ObjectType), {})
    return graphene.Schema(query=query, mutation=mutation)


def init_app(app) -> None:
    from pictolab.graphql import PictolabGraphQLView

    from .context import make_context

    settings = app.config["SETTINGS"]
    view = PictolabGraphQLView.as_view(
        "graphql", schema=build_schema(), context_factory=make_context,
        max_depth=app.config["GRAPHQL_MAX_DEPTH"],
        introspection=bool(settings.graphiql or settings.is_development),
        graphiql=bool(settings.graphiql), require_preflight_for_multipart=True)
    app.add_url_rule("/graphql", view_func=view, methods=["GET", "POST"])
