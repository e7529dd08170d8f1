"""Callback codes and flow names are a string contract between features: each is claimed once."""

from __future__ import annotations

import pytest

from assistant.tg.app import FEATURES, ROUTES
from assistant.tg.common import Reply, Request
from assistant.tg.registry import DuplicateCode, Feature, routes


async def _first(request: Request) -> Reply:
    return Reply("first")


async def _second(request: Request) -> Reply:
    return Reply("second")


def test_a_callback_code_claimed_by_two_features_stops_the_bot_naming_both_handlers() -> None:
    with pytest.raises(DuplicateCode, match=r"'lg'.*_first.*_second"):
        routes([Feature(callbacks={"lg": _first}), Feature(callbacks={"lg": _second})])


def test_a_flow_claimed_by_two_features_stops_the_bot_too() -> None:
    with pytest.raises(DuplicateCode, match="lead_add"):
        routes([Feature(flows={"lead_add": _first}), Feature(flows={"lead_add": _second})])


def test_every_feature_of_the_bot_claims_its_own_codes_and_every_code_has_its_handler() -> None:
    for feature in FEATURES:
        for code, handler in feature.callbacks.items():
            assert ROUTES.callbacks[code] is handler
        for name, handler in feature.flows.items():
            assert ROUTES.flows[name] is handler
