"""The Mini App: web pages under /app, entering the use cases through the unit of work."""
