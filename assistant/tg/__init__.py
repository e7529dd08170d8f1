"""The Telegram edge: thin handlers that parse, call a service, render."""
