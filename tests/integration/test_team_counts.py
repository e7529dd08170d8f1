"""The team table counts everyone at once and agrees with each member's own summary."""

from __future__ import annotations

from assistant.db.models import Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain.periods import parse_period
from assistant.services import analytics, team_view
from assistant.services.actor import Actor
from tests import helpers as data
from tests.integration.test_analytics import NOW, build_month


async def test_each_members_line_matches_their_own_summary_in_their_own_calendar(
    sessionmaker: Sessionmaker,
) -> None:
    await build_month(sessionmaker)
    async with transaction(sessionmaker) as session:
        sue = await data.find_person(session, 501)
        lou = await data.find_person(session, 502)
        team = await session.get(Team, sue.active_team_id)
        assert team is not None and team.id is not None
        members = await team_view.members_of(session, team.id)
        assert [m.person.name for m in members] == ["Sue", "Lou"]
        for text in ("today", "month", "last month"):
            period = parse_period(text, data.local("Asia/Shanghai", 2026, 11, 25).date())
            table = await team_view.table_for(
                session, team=team, members=members, period=period, now=NOW, sort="name"
            )
            for row in table.rows:
                member = Actor(row.member.person, team, row.member.membership)
                own = await analytics.summary(session, member, period=period, now=NOW)
                line = team_view.row_view(row, team.pipeline)
                assert line["leads"] == own["counts"]["new"], (text, row.member.person.name)
                assert line["contacts"] == own["counts"]["contacts"]
                assert line["visits"] == own["counts"]["visited"]
                assert line["deals"] == own["counts"]["won"]
        month = parse_period("month", data.local("Asia/Shanghai", 2026, 11, 25).date())
        table = await team_view.table_for(
            session, team=team, members=members, period=month, now=NOW, sort="leads"
        )
        lines = {row.member.person.name: team_view.row_view(row, "store") for row in table.rows}
        assert lines["Sue"]["deals"] == 1 and lines["Lou"]["deals"] == 0
        assert lou.id is not None
