"""Prometheus metrics (GET /metrics), read at scrape time from the shared stores.

Several web servers, workers and beat each see only their own work, so nothing is counted in
process memory: business numbers come from the database, queue depths from the broker, and
intake refusals that store no record from Django's cache (Redis in production).
"""
