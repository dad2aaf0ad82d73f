"""The Django project and the dispatch domain (units, staff, assignment)."""

from dispatch.celery import app as celery_app

__all__ = ["celery_app"]
