"""The Django project: settings, URLs, the Celery app, the project-wide commands, and the
operator's side (dispatch/ops: health, readiness, metrics, logs).

Looking for *dispatching*, the work of getting a ticket to a unit and a named person? That is
tickets/dispatching/ (routing hand-off, the router call, person choice, dispatch, returns and
rulings). The org directory it dispatches to (units, staff, duty rosters, holidays) is org/.
"""

from dispatch.celery import app as celery_app

__all__ = ["celery_app"]
