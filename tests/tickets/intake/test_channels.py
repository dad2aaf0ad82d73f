from __future__ import annotations

import pytest

from tests.factories import ChannelFactory
from tickets.intake.channels import intake_channel_cache_clear, intake_channel_get
from tickets.models import Channel


@pytest.fixture
def cached_for_five_seconds(settings):
    settings.INTAKE_CHANNEL_CACHE_SECONDS = 5
    intake_channel_cache_clear()
    yield
    intake_channel_cache_clear()


@pytest.mark.django_db
def test_it_answers_from_its_copy_within_the_ttl_without_a_query(
        cached_for_five_seconds, django_assert_num_queries):
    channel = ChannelFactory(code="cached-one")
    assert intake_channel_get(code="cached-one", now=100.0) == channel
    with django_assert_num_queries(0):
        assert intake_channel_get(code="cached-one", now=104.9) == channel


@pytest.mark.django_db
def test_a_deactivated_channel_is_refused_once_the_ttl_has_passed(cached_for_five_seconds):
    ChannelFactory(code="closing")
    assert intake_channel_get(code="closing", now=100.0) is not None
    Channel.objects.filter(code="closing").update(active=False)
    assert intake_channel_get(code="closing", now=105.0) is None


@pytest.mark.django_db
def test_a_rotated_secret_is_seen_once_the_ttl_has_passed(cached_for_five_seconds):
    ChannelFactory(code="rotating", signing_secrets=["old-secret"])
    intake_channel_get(code="rotating", now=0.0)
    Channel.objects.filter(code="rotating").update(signing_secrets=["new-secret", "old-secret"])
    assert intake_channel_get(code="rotating", now=4.0).signing_secrets == ["old-secret"]
    assert intake_channel_get(code="rotating", now=5.0).signing_secrets == [
        "new-secret", "old-secret"]


@pytest.mark.django_db
def test_with_a_zero_ttl_every_call_reads_the_database(settings, django_assert_num_queries):
    settings.INTAKE_CHANNEL_CACHE_SECONDS = 0
    ChannelFactory(code="uncached")
    with django_assert_num_queries(2):
        intake_channel_get(code="uncached", now=1.0)
        intake_channel_get(code="uncached", now=1.0)
