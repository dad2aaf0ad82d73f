"""The one Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch.settings.base")

app = Celery("dispatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Named, not imported: Celery loads the step after Django is set up in the worker.
app.steps["worker"].add("dispatch.ops.celery_liveness:WorkerHeartbeat")
