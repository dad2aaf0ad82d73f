from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The Django project as an app: the commands that span every package (load_org), and the
    Celery signal handlers of the log context. It has no models. (The label "dispatch" belongs
    to the org directory, whose tables carry it.)"""

    name = "dispatch"
    label = "project"

    def ready(self) -> None:
        # The Celery signal handlers of the log context, and the heartbeat probe task.
        from dispatch import tasks  # noqa: F401
        from dispatch.ops import task_logging  # noqa: F401
