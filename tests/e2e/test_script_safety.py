"""A team script is data: the exploits from issue #14 are refused wherever script text comes in,
and one planted straight in the database is shown as typed, never run."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlmodel import select

from assistant.db.models import TeamScript
from assistant.db.session import transaction
from tests import helpers
from tests.harness import ALICE, BOB, Harness

SECRET = "123456:THE-REAL-BOT-TOKEN"
EXPLOITS = [
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.environ.TELEGRAM_BOT_TOKEN }}",
    "{{ lipsum.__globals__['os'].environ['TELEGRAM_BOT_TOKEN'] }}",
    "{% for x in range(3) %}{{ lead.name }}{% endfor %}",
    "{{ lead.name|attr('__class__') }}",
]


@pytest.fixture(autouse=True)
def bot_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SECRET)


async def stored_texts(bot: Harness) -> list[str]:
    async with transaction(helpers.sessionmaker_of(bot)) as session:
        return [row.text for row in (await session.exec(select(TeamScript))).all()]


@pytest.mark.parametrize("payload", EXPLOITS)
async def test_an_exploit_is_refused_when_added_in_one_line_naming_the_placeholders(
    bot: Harness, payload: str
) -> None:
    reply = await bot.reply_text(f"/script add 太贵 | {{{{ lead.name }}}}，{payload}，您觉得呢？")
    assert "这条话术不能保存" in reply and escape(payload[:10]) in reply
    assert "<code>{{ lead.name }}</code>、<code>{{ rep.name }}</code>" in reply
    assert "<code>{{ brand }}</code>" in reply and SECRET not in reply
    english = await bot.reply_text(f"/script add expensive | {payload}, ok?", BOB)
    assert "I can’t save that script" in english and "<code>{{ event_date }}</code>" in english
    assert await stored_texts(bot) == []


async def test_an_exploit_is_refused_in_the_guided_flow_and_in_an_edit(bot: Harness) -> None:
    await bot.send("/script add")
    await bot.send("太贵")
    for payload in EXPLOITS:
        assert "这条话术不能保存" in await bot.reply_text(f"{payload} 您觉得呢？")
    added = await bot.reply_text("{{lead.name}}，预算我们一起想办法，您心里的区间是多少？")
    assert "<b>1 号</b>团队话术已添加" in added
    for payload in EXPLOITS:
        assert "这条话术不能保存" in await bot.reply_text(f"/script edit t1 {payload} 好吗？")
    assert await stored_texts(bot) == ["{{lead.name}}，预算我们一起想办法，您心里的区间是多少？"]


@pytest.mark.parametrize("payload", EXPLOITS)
async def test_an_exploit_planted_in_the_database_is_shown_as_typed(
    bot: Harness, payload: str
) -> None:
    await bot.send("/start")
    maker = helpers.sessionmaker_of(bot)
    team = await helpers.team_of(maker, ALICE)
    owner = await helpers.person_of(bot, ALICE)
    assert team.id is not None and owner.id is not None
    async with transaction(maker) as session:
        session.add(
            TeamScript(
                team_id=team.id,
                situation="too_expensive",
                stages="new,valid,invited,visited",
                text=f"{{{{ lead.name }}}}，{payload}，您觉得呢？",
                created_by=owner.id,
            )
        )
    text = "\n".join(call.text for call in await bot.send("/script 太贵"))
    literal = payload.replace("{{ lead.name }}", "亲")  # only the placeholder is filled in
    assert f"亲，{escape(literal)}，您觉得呢？" in text
    assert SECRET not in text and "&lt;class" not in text
