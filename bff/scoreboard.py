"""The ranking of a workshop's groups by accuracy on the hidden test photos, and the
class-wide experiment log ("more photos -> better AI?")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Group, Photo, RunStatus, TrainingRun, Workshop

NOT_TRAINED = "NOT_TRAINED"


@dataclass
class ScoreboardRow:
    rank: int
    group: Group
    test_accuracy: float | None
    photo_count: int
    status: str
    best_run: TrainingRun | None


def _photo_counts(db: Session, workshop: Workshop) -> dict[str, int]:
    rows = db.execute(select(Photo.group_id, func.count()).where(Photo.workshop_id == workshop.id,
                                                                 Photo.group_id.is_not(None))
                      .group_by(Photo.group_id)).all()
    return dict(rows)


def scoreboard(db: Session, workshop: Workshop) -> list[ScoreboardRow]:
    """Best finished, scored run per group, highest accuracy first; on a tie the run that
    finished earlier ranks higher. Groups without a score follow, in their card order."""
    runs = experiment_log(db, workshop)
    latest: dict[str, TrainingRun] = {}
    best: dict[str, TrainingRun] = {}
    for run in runs:
        latest[run.group_id] = run
        if run.status == RunStatus.SUCCEEDED and run.test_accuracy is not None:
            current = best.get(run.group_id)
            if current is None or _better(run, current):
                best[run.group_id] = run
    counts = _photo_counts(db, workshop)
    scored = sorted((g for g in workshop.groups if g.id in best),
                    key=lambda g: (-best[g.id].test_accuracy, _finished(best[g.id])))
    unscored = [g for g in workshop.groups if g.id not in best]
    rows = []
    for position, group in enumerate(scored + unscored, start=1):
        run = best.get(group.id)
        rows.append(ScoreboardRow(rank=position, group=group, test_accuracy=run.test_accuracy if run else None,
                                  photo_count=counts.get(group.id, 0),
                                  status=latest[group.id].status.value if group.id in latest else NOT_TRAINED,
                                  best_run=run))
    return rows


def hidden_scoreboard(db: Session, workshop: Workshop) -> list[ScoreboardRow]:
    """What a group gets while the instructors hide the scores: every group in card order,
    with no score, no run and no rank that could tell one (rank is the card position)."""
    rows = scoreboard(db, workshop)
    by_group = {row.group.id: row for row in rows}
    return [ScoreboardRow(rank=position, group=group, test_accuracy=None,
                          photo_count=by_group[group.id].photo_count, status=by_group[group.id].status,
                          best_run=None)
            for position, group in enumerate(workshop.groups, start=1)]


def _finished(run: TrainingRun):
    return (run.finished_at or run.created_at, run.created_at)


def _better(candidate: TrainingRun, current: TrainingRun) -> bool:
    if candidate.test_accuracy != current.test_accuracy:
        return candidate.test_accuracy > current.test_accuracy
    return _finished(candidate) < _finished(current)


def experiment_log(db: Session, workshop: Workshop) -> list[TrainingRun]:
    return list(db.scalars(select(TrainingRun).where(TrainingRun.workshop_id == workshop.id)
                           .order_by(TrainingRun.created_at)))
