"""The deployment files agree with the code: replicas, health checks, and alerts on metrics that
exist (there is no Docker engine in CI to run them)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import assistant.metrics  # noqa: F401  (registers the bot's metrics)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_runs_three_replicas_checked_by_their_health_endpoint() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    assert bot["deploy"]["replicas"] == 3
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    prometheus = compose["services"]["prometheus"]
    assert any("prometheus.yml" in volume for volume in prometheus["volumes"])


def test_every_alert_is_on_a_metric_the_bot_exports() -> None:
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""]}
    exported = {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, [""])
    }
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]
    names = {name for rule in rules for name in re.findall(r"\bsales_bot_[a-z0-9_]+", rule["expr"])}
    assert names and names <= exported
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["dns_sd_configs"][0]["port"] == 8080
