"""The unified ticket (工单), from the channel's webhook to the citizen's follow-up call.

    models/       Ticket (django-fsm-2 lifecycle, transition_rules), the append-only trail,
                  channels, intake records, collaboration and outbox rows
    core/         below everything else here: the trail writer, errors, numbering, text and
                  masking of personal numbers, signing, visibility, task lookup by name
    outbox/       status callbacks to channels and notices to people, as rows
    services/     the ticket's own use cases and the one shape of every change
    selectors/    reads for the interfaces: queues, workload, reports
    dispatching/  who handles it: routing hand-off and router call, person choice, dispatch,
                  returns, rulings, assisting units, duplicates
    intake/       the channels' webhooks: adapters per channel family, validation, ratings
    actions/      the catalogue of ticket actions that console, API and admin read
    api/, admin.py, tasks.py, management/   the interfaces
"""
