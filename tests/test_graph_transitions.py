from io import StringIO

from django.core.management import call_command


def test_graph_transitions_draws_the_ticket_lifecycle():
    out = StringIO()
    call_command("graph_transitions", "tickets.Ticket", stdout=out)
    dot = out.getvalue()
    assert dot.startswith("digraph")
    for source, target, action in [("received", "triage", "triage"),
                                   ("assigned", "contacted", "record_contact"),
                                   ("contacted", "met", "record_meeting"),
                                   ("met", "resolved", "resolve"),
                                   ("resolved", "closed", "close"),
                                   ("met", "triage", "return_to_triage")]:
        assert f'state.{source}" -> "tickets.工单.state.{target}" [label={action}]' in dot
