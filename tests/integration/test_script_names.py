"""Script titles looked up for history and stats, on both databases."""

from assistant.db.models import TeamScript
from assistant.db.session import Sessionmaker, transaction
from assistant.services.script_names import titles_by_id
from tests.helpers import make_person


async def test_titles_of_library_team_and_vanished_scripts(sessionmaker: Sessionmaker) -> None:
    person, team = await make_person(sessionmaker, 7, name="Lin")
    _, other = await make_person(sessionmaker, 8, name="Wu")
    async with transaction(sessionmaker) as session:
        ours = TeamScript(team_id=team.id or 0, locale="zh-Hans", situation="closing",
                          stages="visited", grades="A", text="{{ lead.name }}，今天就定下来吧？",
                          created_by=person.id)  # fmt: skip
        theirs = TeamScript(team_id=other.id or 0, locale="zh-Hans", situation="closing",
                            stages="visited", grades="A", text="别的团队的话术？",
                            created_by=person.id)  # fmt: skip
        session.add_all([ours, theirs])
    ids = ["invite-sat-or-sun", f"t{ours.id}", f"t{theirs.id}", "no-longer-shipped"]
    async with sessionmaker() as session:
        titles = await titles_by_id(session, team_id=team.id or 0, ids=ids, locale="zh-Hans")
    assert titles == {
        "invite-sat-or-sun": "周六下午或周日上午",
        f"t{ours.id}": "团队话术：今天就定下来吧",
        f"t{theirs.id}": "一条已停用的话术",  # another team's script is not named here
        "no-longer-shipped": "一条已停用的话术",
    }
