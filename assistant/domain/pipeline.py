"""Pipeline templates (PRODUCT.md 2.1): stage order per template; names live in i18n."""

from __future__ import annotations

from typing import Final

LOST: Final = "lost"
WON: Final = "won"

PIPELINES: Final[dict[str, tuple[str, ...]]] = {
    "store": ("new", "valid", "invited", "visited", "won"),
    "b2b": ("lead", "qualified", "needs", "proposal", "negotiation", "won"),
}
DEFAULT_PIPELINE: Final = "store"


def stages(pipeline: str) -> tuple[str, ...]:
    """Open stages in order, ending with won; `lost` is reachable from any stage."""
    return PIPELINES.get(pipeline, PIPELINES[DEFAULT_PIPELINE])


def first_stage(pipeline: str) -> str:
    return stages(pipeline)[0]


def is_stage(pipeline: str, stage: str) -> bool:
    return stage in stages(pipeline) or stage == LOST


def is_closed(stage: str) -> bool:
    return stage in {WON, LOST}


def stage_index(pipeline: str, stage: str) -> int:
    """Position in the pipeline; lost sorts after won."""
    order = stages(pipeline)
    return order.index(stage) if stage in order else len(order)
