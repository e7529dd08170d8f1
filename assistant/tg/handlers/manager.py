"""Manager views: /team (per-member table, sortable, drill-down to a member's summary) and
/digest on|off|HH:MM (the daily manager digest). Permissions are checked in the services on
every command and every button press."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from assistant.i18n import t
from assistant.services import digest as digest_service  # registers digest, milestone
from assistant.services import group_posts as group_posts  # registers board_day, board_week
from assistant.services import team_view
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

MEMBER_BUTTONS = 60  # drill-down buttons under the table (Telegram allows 100 per message)
PER_ROW = 3


def _keyboard(request: Request, table: team_view.TeamTable) -> InlineKeyboardMarkup:
    period = team_view.period_arg(table.period)
    sorts = [
        button(
            ("• " if sort == table.sort else "") + t(request.locale, f"team_sort.{sort}"),
            request.sign("tms", sort, *period),
        )
        for sort in team_view.SORTS
    ]
    people = [
        button(
            f"{row.member.number}. {row.member.person.name}"[:40],
            request.sign("tmm", row.member.person.id, *period),
        )
        for row in table.rows[:MEMBER_BUTTONS]
    ]
    rows = [sorts[:4], sorts[4:]]
    rows += [people[i : i + PER_ROW] for i in range(0, len(people), PER_ROW)]
    return keyboard(*rows)


async def team(request: Request) -> Reply:
    today = team_view.today_of(request.person, request.now)
    wanted = team_view.parse_team_args(request.args, today)
    if wanted.member_ref is not None:
        view = await team_view.member_summary(
            request.session,
            await request.actor(),
            period=wanted.period,
            now=request.now,
            ref=wanted.member_ref,
        )
        return Reply("summary", view)
    table = await team_view.team_table(
        request.session,
        await request.actor(),
        period=wanted.period,
        sort=wanted.sort,
        now=request.now,
    )
    return Reply("team", team_view.table_view(table), keyboard=_keyboard(request, table))


async def team_sort_button(request: Request) -> Reply:
    if len(request.args) != 4 or request.args[0] not in team_view.SORTS:
        raise UserError("bad_button")
    period = team_view.period_from_args(*request.args[1:])
    table = await team_view.team_table(
        request.session, await request.actor(), period=period, sort=request.args[0], now=request.now
    )
    return Reply("team", team_view.table_view(table), keyboard=_keyboard(request, table), edit=True)


async def team_member_button(request: Request) -> Reply:
    if len(request.args) != 4 or not request.args[0].isdigit():
        raise UserError("bad_button")
    period = team_view.period_from_args(*request.args[1:])
    view = await team_view.member_summary(
        request.session,
        await request.actor(),
        period=period,
        now=request.now,
        person_id=int(request.args[0]),
    )
    return Reply("summary", view)


async def digest(request: Request) -> Reply:
    view = await digest_service.digest_settings(
        request.session, await request.actor(), value=request.text
    )
    return Reply("digest_settings", view)


FEATURE = Feature(
    commands=[
        CommandSpec("team", "teams", team),
        CommandSpec("digest", "teams", digest),
    ],
    callbacks={"tms": team_sort_button, "tmm": team_member_button},
)
