from celery import shared_task

from dispatch.ops.heartbeat import heartbeat_record


@shared_task(name="dispatch.tasks.heartbeat_record_task", acks_late=True, ignore_result=True)
def heartbeat_record_task(name: str) -> None:
    """Beat sends this on a schedule; a worker running it proves both are alive."""
    heartbeat_record(name=name)
