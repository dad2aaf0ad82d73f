"""A synthetic year of tickets for testing and benchmarking the SLA reports.

``manage.py generate_history`` fills the database with made-up tickets (text from the synthetic
corpus, numbers, people and times drawn from one seed) whose every row follows the domain's own
rules: the SLA policies, deadlines and working-time calendar of ``sla`` and ``org``, the clocks'
stop, cancel, pause and escalation rules, the transitions' field changes and the hash-chained
trail of ``tickets.core.trail``. Nothing here is real case data: every ticket's external id
starts with ``HIST-`` and its ``source_details`` say ``{"synthetic": true}``.

Modules: ``reference`` (what the database already holds: channels, units, people, policies),
``arrivals`` (when tickets come in), ``sla_replay`` (the clocks as the timers would have run
them), ``story`` (one ticket's life), ``writer`` (COPY or bulk_create) and ``generation``
(chunks, numbering, progress).
"""

from demo.history.generation import HistoryReport, history_generate, history_seed_used

__all__ = ["HistoryReport", "history_generate", "history_seed_used"]
