"""Telegram sales assistant."""
