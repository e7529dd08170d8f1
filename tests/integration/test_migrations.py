from assistant.db.migrate import current_revisions, head_revisions, upgrade_to_head
from assistant.db.session import make_engine


async def test_a_migrated_database_is_at_every_head_read_from_the_migration_files(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        assert await current_revisions(engine) == head_revisions()
        await upgrade_to_head(engine)  # a second start is a no-op
        assert await current_revisions(engine) == head_revisions()
    finally:
        await engine.dispose()


def test_the_migration_files_have_exactly_one_head() -> None:
    assert len(head_revisions()) == 1
