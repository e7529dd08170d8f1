"""lead sources stored as one key per known channel

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 09:00:00

Until now a known source was stored as a label that depended on the word typed: 转介绍 and
"referral" (or "Referred") were two sources, 抖音 the only Douyin. From now on a known source is
stored as a key ("referral", "douyin", ...) and each locale shows its own label. This maps the
stored labels and aliases of lead.source and sourcecost.source onto the keys; a source nobody
knows is left exactly as it is. Costs of one person, day and channel that now share a key are
added into one row (the table allows one row per person, day and source).

The words are frozen here as they were when this migration was written (see
assistant/domain/sources.py for the live table); downgrade maps each key to the label that
was stored for it before.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORDS: dict[str, tuple[str, ...]] = {
    'referral': ('转介绍', '老客户转介绍', '老客户介绍', '老客介绍', '朋友介绍', '介绍', '推荐',
                 'referral', 'referrals', 'referred', 'word of mouth'),
    'douyin': ('抖音', 'douyin'),
    'tiktok': ('抖音国际版', '国际版抖音', 'tiktok', 'tik tok'),
    'baidu': ('百度', 'baidu'),
    'xiaohongshu': ('小红书', 'xiaohongshu', 'rednote', 'xhs', 'red', 'little red book'),
    'weibo': ('微博', 'weibo'),
    'dianping': ('大众点评', '点评', 'dianping'),
    'meituan': ('美团', 'meituan'),
    'moments': ('朋友圈', 'wechat moments', 'moments', 'wechat moment'),
    'channels': ('视频号', 'wechat channels', 'channels', 'video channel', 'wechat channel'),
    'kuaishou': ('快手', 'kuaishou'),
    'walk_in': ('进店', '自然进店', '到店咨询', 'walk-in', 'walkin', 'walk in', 'walk-ins'),
    'expo': ('展会', '婚博会', 'expo', 'wedding fair', 'trade show', 'fair', 'exhibition',
             'trade fair'),
    'website': ('官网', '网站', 'website', 'web', 'homepage', '官方网站'),
}
BEFORE: dict[str, str] = {
    'referral': '转介绍', 'douyin': '抖音', 'tiktok': '抖音', 'baidu': '百度',
    'xiaohongshu': '小红书', 'weibo': '微博', 'dianping': '大众点评', 'meituan': '美团',
    'moments': '朋友圈', 'channels': '视频号', 'kuaishou': '快手', 'walk_in': '进店',
    'expo': '展会', 'website': '官网',
}
_KEY_OF = {word: key for key, words in WORDS.items() for word in (key, *words)}

lead = sa.table('lead', sa.column('source', sa.String))
cost = sa.table(
    'sourcecost',
    sa.column('id', sa.Integer),
    sa.column('team_id', sa.Integer),
    sa.column('person_id', sa.Integer),
    sa.column('day', sa.Date),
    sa.column('source', sa.String),
    sa.column('cost', sa.Float),
)


def to_key(value: str) -> str:
    return _KEY_OF.get(' '.join(value.strip().lower().split()), value)


def to_label(value: str) -> str:
    return BEFORE.get(value, value)


def _map_sources(mapped: Callable[[str], str]) -> None:
    bind = op.get_bind()
    values = bind.execute(sa.select(lead.c.source).distinct()).scalars().all()
    for value in values:
        if value is not None and mapped(value) != value:
            bind.execute(
                lead.update().where(lead.c.source == value).values(source=mapped(value))
            )
    groups: dict[tuple[int, int, object, str], list[tuple[int, str, float]]] = {}
    for row in bind.execute(sa.select(cost)).all():
        target = (row.team_id, row.person_id, row.day, mapped(row.source))
        groups.setdefault(target, []).append((row.id, row.source, row.cost))
    for (_, _, _, source), rows in groups.items():
        rows.sort()
        keep, old_source, _ = rows[0]
        if len(rows) == 1 and old_source == source:
            continue
        for other, _, _ in rows[1:]:
            bind.execute(cost.delete().where(cost.c.id == other))
        total = sum(amount for _, _, amount in rows)
        bind.execute(cost.update().where(cost.c.id == keep).values(source=source, cost=total))


def upgrade() -> None:
    _map_sources(to_key)


def downgrade() -> None:
    _map_sources(to_label)
