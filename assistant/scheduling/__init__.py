"""Pushes that survive restarts: a planner writes due messages to the outbox, a sender sends them.

See DESIGN.md section 3. Other features add their own kinds of push with
`assistant.scheduling.registry.register_push_kind`.
"""
