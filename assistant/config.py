"""Every setting of the bot, read from the environment or a `.env` file."""

from __future__ import annotations

import hashlib

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./sales_assistant.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    database_url: str = DEFAULT_SQLITE_URL

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8080

    # The Mini App (assistant/web): its public HTTPS address, e.g. https://bot.example.com/app/;
    # in polling and console mode the same process serves it on WEB_PORT.
    web_app_url: str | None = None
    web_port: int | None = None

    bot_username: str | None = None
    callback_secret: SecretStr | None = None

    default_locale: str = "zh-Hans"
    default_timezone: str = "Asia/Shanghai"
    planner_interval_seconds: float = 60.0
    sender_interval_seconds: float = 1.0
    leader_lease_seconds: float = 8.0
    # Updates handled at once by one process (different people's; one person's go in order).
    update_concurrency: int = 8
    metrics_port: int | None = None
    log_level: str = "INFO"
    console_files_dir: str = "./console-files"  # where console mode writes pictures and files

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def console_mode(self) -> bool:
        return self.token is None

    def signing_key(self) -> bytes:
        """Key for tamper-evident callback data; derived from the token unless set."""
        if self.callback_secret is not None:
            return self.callback_secret.get_secret_value().encode()
        seed = self.token or "console"
        return hashlib.sha256(f"callback:{seed}".encode()).digest()
