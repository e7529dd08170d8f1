"""One module per feature; each exposes FEATURE, collected in assistant.tg.app."""
