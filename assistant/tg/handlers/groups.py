"""Group chats: /link, /unlink, /leaderboard, and noticing when the bot is added or removed.

Nothing sent to a group names a client: the leaderboard shows members and counts only.
"""

from __future__ import annotations

from telegram import ChatMember

from assistant.services import groups
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.registry import CommandSpec, Feature

GROUP_TYPES = {"group", "supergroup"}
GONE = {ChatMember.LEFT, ChatMember.BANNED}
PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED}


def _in_group(request: Request) -> bool:
    chat = request.update.effective_chat
    return chat is not None and chat.type in GROUP_TYPES


async def link(request: Request) -> Reply:
    if not _in_group(request):
        raise UserError("link_in_group")
    chat = request.update.effective_chat
    assert chat is not None
    team, _ = await groups.link_group(
        request.session,
        await request.actor(),
        chat_id=chat.id,
        title=chat.title or "",
        now=request.now,
    )
    return Reply("group_linked", {"team": team.name})


async def unlink(request: Request) -> Reply:
    if not _in_group(request):
        raise UserError("link_in_group")
    chat = request.update.effective_chat
    assert chat is not None
    team = await groups.unlink_group(
        request.session, person=request.person, chat_id=chat.id, now=request.now
    )
    return Reply("group_unlinked", {"team": team.name})


async def leaderboard(request: Request) -> Reply:
    period = groups.parse_period(request.args)
    chat = request.update.effective_chat
    if _in_group(request) and chat is not None:
        found = await groups.group_board(
            request.session, chat_id=chat.id, period=period, now=request.now
        )
        if found is None:
            raise UserError("group_not_linked")
        return Reply("leaderboard", groups.board_context(found[1]))
    view = await groups.private_board(
        request.session, await request.actor(), period=period, now=request.now
    )
    return Reply("leaderboard", groups.board_context(view))


async def bot_membership(request: Request) -> Reply | None:
    """my_chat_member: removed -> stop posting there; added -> say how to link."""
    change = request.update.my_chat_member
    if change is None or change.chat.type not in GROUP_TYPES:
        return None
    status = change.new_chat_member.status
    if status in GONE:
        await groups.bot_left(request.session, chat_id=change.chat.id, now=request.now)
        return None
    if status in PRESENT and change.old_chat_member.status in GONE:
        return Reply("group_hello")
    return None


async def migrated(request: Request) -> None:
    """The group became a supergroup: the service message in either chat carries both ids."""
    message = request.update.effective_message
    if message is None:
        return None
    if message.migrate_to_chat_id:  # sent in the old group
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:  # sent in the new supergroup
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return None
    await groups.follow_migration(
        request.session, old_chat_id=old, new_chat_id=new, now=request.now
    )
    return None


FEATURE = Feature(
    commands=[
        CommandSpec("link", "group", link, private=True, group=True),
        CommandSpec("unlink", "group", unlink, private=True, group=True),
        CommandSpec("leaderboard", "group", leaderboard, private=True, group=True),
    ],
    chat_member=bot_membership,
    messages={"migrated": migrated},
)
