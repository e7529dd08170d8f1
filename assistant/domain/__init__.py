"""The pure domain: no I/O, no Telegram, no database; time is passed in."""
