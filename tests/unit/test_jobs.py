from assistant.config import Settings
from assistant.tg.app import build_application
from assistant.tg.jobs import (
    LEADER_JOB,
    PLANNER_JOB,
    REGRADE_JOB,
    SENDER_JOB,
    install_jobs,
)
from assistant.tg.offline import OfflineRequest
from tests.harness import MutableClock


def _settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url="sqlite+aiosqlite:///:memory:",
        planner_interval_seconds=30,
        sender_interval_seconds=2,
    )


def test_a_running_bot_plans_and_sends_pushes_on_the_configured_intervals() -> None:
    application = build_application(_settings(), request=OfflineRequest())
    assert install_jobs(application)
    assert application.job_queue is not None
    jobs = {job.name: job for job in application.job_queue.jobs()}
    assert set(jobs) == {LEADER_JOB, PLANNER_JOB, SENDER_JOB, REGRADE_JOB}
    assert jobs[LEADER_JOB].job.trigger.interval.total_seconds() == 0.5  # 8-second lease
    assert jobs[REGRADE_JOB].job.trigger.interval.total_seconds() == 3600
    assert jobs[PLANNER_JOB].job.trigger.interval.total_seconds() == 30
    assert jobs[SENDER_JOB].job.trigger.interval.total_seconds() == 2


def test_with_a_controlled_clock_the_caller_drives_planner_and_sender_itself() -> None:
    application = build_application(_settings(), request=OfflineRequest(), clock=MutableClock())
    assert not install_jobs(application)
    assert application.job_queue is not None and application.job_queue.jobs() == ()
