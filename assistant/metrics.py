"""What `/metrics` reports, in the Prometheus text format (prometheus-client).

Every process keeps its own numbers; Prometheus scrapes each process and adds them up. The
default registry also carries the process's CPU, memory and open files.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

UPDATES = Counter(
    "sales_bot_updates",
    "Updates handled, by command and outcome (ok, user_error, error, duplicate)",
    ["command", "outcome"],
)
UPDATE_SECONDS = Histogram(
    "sales_bot_update_seconds",
    "Time from an update's arrival to its reply being sent, by command",
    ["command"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MESSAGES_SENT = Counter(
    "sales_bot_telegram_messages_sent",
    "Messages Telegram accepted (replies and pushes), by Bot API method",
    ["method"],
)
RATE_LIMITED = Counter(
    "sales_bot_telegram_429",
    "Bot API calls Telegram refused with 429 Too Many Requests",
)
PUSHES = Counter(
    "sales_bot_pushes",
    "Outbox rows handled by this process's sender, by what became of them",
    ["outcome"],
)
OUTBOX_DUE = Gauge("sales_bot_outbox_due", "Pushes that are due and not sent yet (whole bot)")
OUTBOX_OLDEST_SECONDS = Gauge(
    "sales_bot_outbox_oldest_due_seconds",
    "How long the oldest due, unsent push has been waiting (whole bot; 0 when none)",
)
LEADER = Gauge("sales_bot_leader", "1 while this process is the one that plans and sends pushes")

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    return generate_latest()
