"""A tiny HTTP Bot API stand-in for the polling smoke test (stdlib only, loopback only)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from assistant.tg.offline import BOT_USER


class FakeBotApi:
    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self._next_update_id = 1
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = {k: v[0] for k, v in parse_qs(body).items()}
                method = self.path.rsplit("/", 1)[-1]
                result = api.answer(method, params)
                payload = json.dumps({"ok": True, "result": result}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def __enter__(self) -> FakeBotApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queue_message(self, text: str, user_id: int = 4242, language: str = "en") -> None:
        user = {"id": user_id, "is_bot": False, "first_name": "Polly", "language_code": language}
        message = {
            "message_id": self._next_update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        }
        with self.lock:
            self.pending.append({"update_id": self._next_update_id, "message": message})
            self._next_update_id += 1

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        with self.lock:
            self.calls.append((method, params))
            if method == "getMe":
                return BOT_USER
            if method == "getUpdates":
                offset = int(params.get("offset") or 0)
                updates = [u for u in self.pending if u["update_id"] >= offset]
                if not updates:
                    time.sleep(0.05)
                return updates
            if method == "sendMessage":
                return {
                    "message_id": 1,
                    "date": int(time.time()),
                    "text": params.get("text"),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                }
            return True

    def sent_texts(self) -> list[str]:
        with self.lock:
            return [
                params.get("text", "") for method, params in self.calls if method == "sendMessage"
            ]
