import pytest

from retorno.core import scheduler


@pytest.fixture
def schedule(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "fast": {"task": "retorno.core.tasks.outbox_sweep", "schedule": 60.0},
        "slow": {"task": "retorno.core.tasks.outbox_sweep", "schedule": 900.0},
    }


def test_jobs_run_when_their_interval_has_passed(schedule):
    last = {"fast": 1000.0, "slow": 1000.0}
    assert scheduler.due_jobs(last, 1030.0) == []
    assert scheduler.due_jobs(last, 1060.0) == ["fast"]
    assert scheduler.due_jobs(last, 1900.0) == ["fast", "slow"]


def test_a_job_never_run_is_due_at_once(schedule):
    assert scheduler.due_jobs({}, 5.0) == ["fast", "slow"]


@pytest.mark.django_db
def test_run_job_finds_the_task_by_name(schedule):
    scheduler.run_job("fast")  # an empty outbox: the sweep simply finds nothing to do
