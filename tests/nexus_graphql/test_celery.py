"""The Celery app: in-process without a broker, the beat schedule, request ids on tasks."""

import pytest

from nexus_graphql import celery, request_id
from nexus_graphql.celery import app


def test_without_a_broker_tasks_run_in_process():
    assert app.conf.task_always_eager is True
    assert app.conf.broker_url == "memory://"


def test_every_scheduled_job_names_a_task_that_exists():
    app.loader.import_default_modules()

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert scheduled == {
        "hub.tasks.send_weekly_digest",
        "hub.tasks.sweep_outbox",
        "traffic.tasks.detect_traffic_anomalies",
        "traffic.tasks.purge_request_logs",
    }
    assert scheduled <= set(app.tasks)


def test_every_scheduled_job_expires_before_piling_up():
    for entry in app.conf.beat_schedule.values():
        assert entry["options"]["expires"] > 0


@pytest.mark.parametrize("starting", [celery.signals.worker_init, celery.signals.beat_init])
def test_a_worker_or_beat_refuses_to_start_without_a_broker(starting):
    with pytest.raises(SystemExit, match="Set CELERY_BROKER_URL"):
        celery._require_broker(sender=None)
    assert celery._require_broker in [ref() for _, ref in starting.receivers]


def test_a_queued_task_carries_the_request_id():
    headers = {}
    token = request_id.bind("req-9")
    try:
        celery._send_request_id(headers=headers)
    finally:
        request_id.unbind(token)

    assert headers == {celery.REQUEST_ID_HEADER: "req-9"}


def test_a_task_queued_outside_a_request_carries_none():
    headers = {}

    celery._send_request_id(headers=headers)

    assert headers == {}
