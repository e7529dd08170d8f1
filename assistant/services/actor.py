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


@dataclass
class Actor:
    """Who is asking and in which team; what they may do is services/permissions.py's to say."""

    person: Person
    team: Team
    member: Membership

    @property
    def role(self) -> str:
        return self.member.role

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
