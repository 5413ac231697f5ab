import pytest
from django.utils import timezone

from retorno.core import scheduler
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import register_handler


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
def test_run_job_runs_the_scheduled_task_by_name(schedule):
    delivered = []
    register_handler("test.scheduled", lambda message: delivered.append(message.id) or {})
    due = OutboxMessage.objects.create(
        store_id=1,
        kind="test.scheduled",
        dedupe_key="sched",
        payload={},
        next_attempt_at=timezone.now(),
    )
    scheduler.run_job("fast")  # the outbox sweep, looked up by its task name
    assert delivered == [due.id]
    due.refresh_from_db()
    assert due.status == OutboxStatus.DELIVERED
