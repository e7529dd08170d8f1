"""Who is asking: a person, the team they work in now, and their membership (role) there.

One type for every use case; the unit of work (services/uow.py) resolves it once per update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.db.models import Membership, Person, Team
from assistant.domain.localtime import local_today
from assistant.domain.team_settings import effective
from assistant.services import permissions


@dataclass
class Actor:
    """Who is asking, in which team, and what they may see."""

    person: Person
    team: Team
    member: Membership

    @property
    def role(self) -> str:
        return self.member.role

    @property
    def sees_all(self) -> bool:
        """Managers and owners see the whole team's leads; a rep only their own."""
        return self.member.role in permissions.MANAGING

    @property
    def settings(self) -> dict[str, Any]:
        return effective(self.team.settings)

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def team_id(self) -> int:
        assert self.team.id is not None
        return self.team.id

    def today(self, now: datetime) -> date:
        return local_today(now, self.person.timezone)
