from collections import Counter

from demo.staff import demo_staff_load
from demo.tickets import DEMO_REQUESTS, demo_tickets_seed
from tickets.intake.channels import directory_load
from tickets.models import Ticket


def test_the_demo_has_tickets_in_every_stage_and_seeding_twice_adds_none(db):
    directory_load()
    demo_staff_load()  # the demo tickets are assigned to demo people
    assert demo_tickets_seed() == len(DEMO_REQUESTS)
    assert demo_tickets_seed() == 0
    states = Counter(Ticket.objects.values_list("state", flat=True))
    assert set(states) == {"received", "triage", "assigned", "contacted", "met", "resolved",
                           "closed"}
    closed = Ticket.objects.filter(state="closed").first()
    assert list(closed.events.values_list("action", flat=True)) == [
        "create", "assign", "record_contact", "record_meeting", "resolve", "follow_up", "close"]
