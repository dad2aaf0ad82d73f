"""The channel simulator: realistic payloads every adapter accepts, loopback only, bounded."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from demo import simulated_requests as sim
from demo.traffic import SimChannel, require_loopback, traffic_plan
from tickets.dispatching.duplicates import text_similarity
from tickets.intake.adapters import adapter_for
from tickets.intake.channels import directory_load
from tickets.intake.payload import PayloadError
from tickets.models import ChannelFamily, IntakeRecord, Ticket

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CHANNELS = [SimChannel(f"c-{f}", f, "secret") for f in ChannelFamily.values]


@pytest.mark.parametrize("family", ChannelFamily.values)
def test_simulated_payloads_are_accepted_and_invalid_ones_refused(family):
    adapter = adapter_for(family)
    for seed in range(40):
        rng = random.Random(seed)
        payload = sim.build_payload(family=family, rng=rng, seq=seed, now=NOW)
        original = adapter.parse(payload)
        again = adapter.parse(sim.build_near_duplicate(family=family, original=payload, rng=rng,
                                                       seq=1000 + seed, now=NOW))
        assert again.external_id != original.external_id
        assert text_similarity(f"{original.title} {original.content}",
                               f"{again.title} {again.content}") > 0.35
        with pytest.raises(PayloadError):
            adapter.parse(sim.build_invalid(family=family, rng=rng, seq=seed, now=NOW))


def test_a_plan_is_deterministic_for_a_seed_and_follows_the_mix():
    first = traffic_plan(channels=CHANNELS, count=2000, seed=3, now=NOW)
    second = traffic_plan(channels=CHANNELS, count=2000, seed=3, now=NOW)
    assert [r.body for r in first] == [r.body for r in second]
    kinds = Counter(r.kind for r in first)
    assert 0.80 < kinds["new"] / 2000 < 0.90
    assert kinds["retry"] and kinds["near_duplicate"] and kinds["invalid"]
    assert len({r.channel.family for r in first}) == 6


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://example.com",
                                 "https://127.0.0.1:8000", "http://192.168.1.2"])
def test_only_loopback_targets_are_allowed(url):
    with pytest.raises(ValueError, match="回环"):
        require_loopback(url)


def test_loopback_targets_are_allowed():
    assert require_loopback("http://127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert require_loopback("http://localhost:9000/x") == ("localhost", 9000)


@pytest.mark.django_db(transaction=True)
def test_the_command_sends_a_realistic_mix_and_nothing_is_lost(live_server):
    directory_load()
    out = StringIO()
    call_command("simulate_channels", "--url", live_server.url, "--rate", "40",
                 "--duration", "3", "--concurrency", "4", "--seed", "5", "--verify", stdout=out)
    text = out.getvalue()
    assert "意外结果" not in text, text
    assert "'ticket_numbers_missing_in_db': 0" in text
    assert "'answered_with_two_numbers': 0" in text
    assert "'ids_not_created_exactly_once': 0" in text
    assert IntakeRecord.objects.count() == 120
    assert Ticket.objects.count() == IntakeRecord.objects.filter(outcome="accepted").count()
