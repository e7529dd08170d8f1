"""A loopback HTTP Bot API that enforces Telegram's limits across every bot process calling it.

    python -m bench.http_bot_api PORT

The same limits as bench/fake_telegram.py (30 messages in any second over all chats, 1 a second
per private chat, 20 a minute per group; 429 with `retry_after` beyond them), but over real HTTP
in a process of its own, so several `python bot.py` processes share one set of limits, as they
share one bot token at Telegram. Times are the machine's monotonic clock, comparable with the
benchmark's own. Each caller uses a base URL of its own, `http://127.0.0.1:PORT/<name>/bot`, so
every accepted message is attributed to the process that sent it. `GET /count` returns how
many messages were accepted (cheap, to watch progress); `GET /deliveries` returns what was
accepted and refused so far:
{"delivered": [[at, chat_id, first button data, caller], ...], "refused": n, ...}.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assistant.tg.offline import Call, OfflineRequest
from bench.fake_telegram import TelegramLimits


def create_api() -> Starlette:
    limits = TelegramLimits()
    answers = OfflineRequest()
    refusals: list[list[Any]] = []  # [at, chat_id] of every 429
    senders: list[str] = []  # which caller sent each accepted message (its base URL's prefix)

    async def bot_api(request: Request) -> Response:
        try:
            body = (await request.body()).decode()
        except ClientDisconnect:  # a caller killed while its request was on the way
            return Response(status_code=499)
        if request.headers.get("content-type", "").startswith("application/json"):
            params: dict[str, Any] = json.loads(body or "{}")
        else:
            params = {key: values[0] for key, values in parse_qs(body).items()}
        call = Call(request.path_params["method"], params)
        failure = limits(call)
        if failure is not None:
            refusals.append([time.monotonic(), params.get("chat_id")])
            status, description, extra = failure
            refusal = {"ok": False, "error_code": status, "description": description, **extra}
            return JSONResponse(refusal, status_code=status)
        if len(limits.delivered) > len(senders):
            senders.append(request.path_params["caller"])
        return JSONResponse({"ok": True, "result": answers._result(call)})

    async def deliveries(_: Request) -> Response:
        delivered = [
            [item.at, item.chat_id, item.key, caller]
            for item, caller in zip(limits.delivered, senders, strict=True)
        ]
        return JSONResponse(
            {
                "delivered": delivered,
                "refused": limits.refused,
                "reasons": dict(limits.reasons),
                "refusals": refusals,
            }
        )

    async def count(_: Request) -> Response:
        return JSONResponse(len(limits.delivered))

    return Starlette(
        routes=[
            Route("/count", count, methods=["GET"]),
            Route("/deliveries", deliveries, methods=["GET"]),
            Route("/{caller}/bot{token}/{method}", bot_api, methods=["GET", "POST"]),
        ]
    )


def main() -> None:
    import uvicorn

    uvicorn.run(create_api(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
