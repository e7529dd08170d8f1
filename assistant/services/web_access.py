"""Ways into the Mini App outside Telegram: a one-time link that opens a browser session.

Inside Telegram every request carries signed initData (assistant/web/auth.py). Outside it, /web
issues a link valid for ten minutes; the first visit uses it up (a conditional update, so two
visits racing for it cannot both win) and gets a session kept in an HttpOnly cookie. Secrets are
random and only their SHA-256 digests are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Person, WebToken

LINK: Final = "link"
SESSION: Final = "session"
LINK_LIFETIME: Final = timedelta(minutes=10)
SESSION_LIFETIME: Final = timedelta(hours=12)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def _issue(session: AsyncSession, kind: str, person_id: int, now: datetime) -> str:
    lifetime = LINK_LIFETIME if kind == LINK else SESSION_LIFETIME
    await session.exec(
        delete(WebToken).where(col(WebToken.person_id) == person_id, col(WebToken.expires_at) < now)
    )
    secret = secrets.token_urlsafe(32)
    session.add(
        WebToken(
            digest=digest(secret),
            kind=kind,
            person_id=person_id,
            expires_at=now + lifetime,
            created_at=now,
        )
    )
    await session.flush()
    return secret


async def issue_link(session: AsyncSession, *, person: Person, now: datetime) -> str:
    """A new one-time secret for `person`, good for ten minutes."""
    assert person.id is not None
    return await _issue(session, LINK, person.id, now)


async def link_is_open(session: AsyncSession, *, secret: str, now: datetime) -> bool:
    """Whether the link would still open a session (read only)."""
    if not secret or len(secret) > 100:
        return False
    found = await session.get(WebToken, digest(secret))
    return (
        found is not None
        and found.kind == LINK
        and found.used_at is None
        and found.expires_at > now
    )


async def redeem_link(session: AsyncSession, *, secret: str, now: datetime) -> str | None:
    """Use the link up and return a session secret; None when it is unknown, expired or was
    already used."""
    if not secret or len(secret) > 100:
        return None
    wanted = digest(secret)
    connection = await session.connection()
    used = await connection.execute(
        update(WebToken)
        .where(
            col(WebToken.digest) == wanted,
            col(WebToken.kind) == LINK,
            col(WebToken.used_at).is_(None),
            col(WebToken.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(WebToken.person_id))
    )
    person_id = used.scalar_one_or_none()
    if person_id is None:
        return None
    return await _issue(session, SESSION, int(person_id), now)


async def session_person(session: AsyncSession, *, secret: str, now: datetime) -> Person | None:
    """Whose browser session this is, while it lasts."""
    if not secret or len(secret) > 100:
        return None
    found = (
        await session.exec(
            select(Person)
            .join(WebToken, col(WebToken.person_id) == col(Person.id))
            .where(
                col(WebToken.digest) == digest(secret),
                col(WebToken.kind) == SESSION,
                col(WebToken.expires_at) > now,
            )
        )
    ).first()
    return found
