"""Counts what Telegram accepted and refused (429) at the Bot API request layer, so replies,
pushes and the rate limiter's own retries are all seen."""

from __future__ import annotations

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from assistant import metrics

SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class MeteredRequest(BaseRequest):
    """Wraps another request object (HTTPX for Telegram, the offline one in tests)."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, payload = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        api_method = url.rsplit("/", 1)[-1]
        if status == 429:
            metrics.RATE_LIMITED.inc()
        elif status == 200 and api_method in SENDING:
            metrics.MESSAGES_SENT.labels(api_method).inc()
        return status, payload
