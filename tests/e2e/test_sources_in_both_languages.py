"""#15 §5: a source typed in either language is one channel, shown in the reader's language."""

from __future__ import annotations

import re

from tests.e2e.test_leads import team_with_rep
from tests.harness import ALICE, BOB, Harness

ENGLISH_KEYS = re.compile(r"referral|douyin|walk_in", re.IGNORECASE)


async def test_referral_and_douyin_typed_in_english_or_chinese_count_as_one_source(
    bot: Harness,
) -> None:
    await team_with_rep(bot)  # Alice (zh) owns the team, Bob (en) is a rep in it
    await bot.send("/add 王女士 13800138000 转介绍", ALICE)
    await bot.send("/add 李女士 13600136000 抖音", ALICE)
    await bot.send("/add 陈先生 13300133000 来源:朋友的朋友", ALICE)
    mary = await bot.reply_text("/add Mary 13900139000 referral", BOB)
    tom = await bot.reply_text("/add Tom 13700137000 douyin", BOB)
    assert "Source: Referral" in mary and "Source: Douyin" in tom

    # Alice, the owner, reads Bob's English-typed lead in Chinese.
    card = await bot.reply_text("/lead 5", ALICE)
    assert "来源：抖音" in card and not ENGLISH_KEYS.search(card)

    sources = await bot.reply_text("/sources", ALICE)
    assert "<b>转介绍</b>：线索 2" in sources and "<b>抖音</b>：线索 2" in sources
    assert "<b>朋友的朋友</b>：线索 1" in sources
    assert not ENGLISH_KEYS.search(sources)

    await bot.send("/lang en", ALICE)
    sources = await bot.reply_text("/sources", ALICE)
    assert "<b>Referral</b>: leads 2" in sources and "<b>Douyin</b>: leads 2" in sources
    assert "<b>朋友的朋友</b>: leads 1" in sources  # an unknown source stays as typed


async def test_a_source_edited_in_english_reads_in_chinese_and_its_costs_merge(
    bot: Harness,
) -> None:
    await bot.send("/add 王女士 13800138000", ALICE)
    await bot.send("/edit 1 来源 Douyin", ALICE)
    card = await bot.reply_text("/lead 1", ALICE)
    assert "来源：抖音" in card and "✏️ 来源：抖音" in card
    assert not ENGLISH_KEYS.search(card)
    assert "「抖音」的花费 300" in await bot.reply_text("/numbers douyin cost 300", ALICE)
    assert "（原来是 300）" in await bot.reply_text("/numbers 抖音 花费 200", ALICE)
    sources = await bot.reply_text("/sources", ALICE)
    assert "<b>抖音</b>：线索 1" in sources and "花费 200" in sources
