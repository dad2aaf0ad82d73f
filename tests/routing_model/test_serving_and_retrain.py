from __future__ import annotations

import random

import pytest
from django.utils import timezone

from routing_model.models import ModelVersion, RetrainRun, RoutingRule
from routing_model.pipeline import RouterConfig
from routing_model.registry import (
    model_version_promote,
    model_version_register,
    router_active_forget,
)
from routing_model.retrain import RetrainBusy, promotion_decision, router_retrain
from routing_model.segmenter import segmenter_get
from routing_model.serving import RouteRequest, router_predict, routing_rules_forget
from routing_model.training import Metrics, TrainingSample, router_train, samples_prepare
from tests.routing_model.conftest import tiny_samples

CONFIG = RouterConfig(max_word_features=3000, max_char_features=3000)
pytestmark = pytest.mark.django_db


@pytest.fixture
def active_model(router_data_dir):
    segmenter = segmenter_get()
    trained = router_train(prepared=samples_prepare(samples=tiny_samples(seed=1),
                                                    segmenter=segmenter),
                           config=CONFIG, segmenter=segmenter)
    version = model_version_register(model=trained.model, samples=trained.samples,
                                     source="tiny", metrics={})
    model_version_promote(version=version.version)
    router_active_forget()
    return version


def test_a_street_matter_goes_to_the_street_office_of_the_place(active_model):
    prediction = router_predict(RouteRequest(title="健身器材坏了",
                                             content="社区健身器材坏了没人修",
                                             address="福田区岗厦村"))
    assert prediction.unit == "street-futian"
    assert prediction.place["community"] == "岗厦社区"
    assert prediction.model_version == active_model.version
    assert [t["probability"] for t in prediction.top3] == sorted(
        [t["probability"] for t in prediction.top3], reverse=True)


def test_without_a_place_a_street_matter_is_spread_over_the_streets(active_model):
    prediction = router_predict(RouteRequest(title="社区", content="社区活动室长期锁门居民用不了"))
    assert prediction.place is None
    # the street topic is split over the two streets, so neither is confident
    street_share = sum(t["probability"] for t in prediction.top3
                       if t["unit"].startswith("street-"))
    assert prediction.probability < 0.6 and street_share > 0


def test_a_rule_overrides_the_model_and_says_which_rule_fired(active_model):
    rule = RoutingRule.objects.create(name="燃气一律给燃气公司", keywords="燃气|煤气",
                                      unit_code="gas", priority=200)
    routing_rules_forget()
    prediction = router_predict(RouteRequest(title="停水", content="家里停水了，还闻到燃气味"))
    assert (prediction.unit, prediction.probability) == ("gas", 1.0)
    assert prediction.rule == {"id": rule.pk, "name": "燃气一律给燃气公司", "action": "route"}
    assert prediction.top3[0]["unit"] == "water"  # the model's view is still shown


def test_a_rule_can_force_triage_and_every_criterion_must_match(active_model):
    RoutingRule.objects.create(name="信访件人工分拨", channel_code="petition",
                               action="triage", priority=50)
    RoutingRule.objects.create(name="岗厦的水找街道", keywords="水", street_unit="street-futian",
                               unit_code="street-futian", priority=100)
    routing_rules_forget()
    petition = router_predict(RouteRequest(title="停水", content="家里停水了",
                                           channel_code="petition"))
    assert petition.force_triage and petition.rule["name"] == "信访件人工分拨"
    elsewhere = router_predict(RouteRequest(title="停水", content="家里停水了",
                                            address="天健花园"))
    assert elsewhere.rule is None and elsewhere.unit == "water"
    gangxia = router_predict(RouteRequest(title="停水", content="家里停水了",
                                          address="岗厦村", channel_code="petition"))
    assert gangxia.rule["name"] == "岗厦的水找街道"  # higher priority wins


def test_with_no_model_and_no_rule_there_is_no_unit(router_data_dir):
    prediction = router_predict(RouteRequest(title="停水", content="家里停水了"))
    assert (prediction.unit, prediction.top3, prediction.model_version) == (None, [], "")


# --- promotion gate ------------------------------------------------------------------------

def _metrics(f1: float, recalls: dict[str, float]) -> Metrics:
    return Metrics(accuracy=f1, macro_f1=f1, n_test=100,
                   per_class={k: {"precision": 1, "recall": r, "f1": r, "support": 10}
                              for k, r in recalls.items()})


@pytest.mark.parametrize(("candidate", "active", "promote"), [
    (_metrics(0.900, {"a": 0.9}), _metrics(0.904, {"a": 0.9}), True),   # 0.4 points worse
    (_metrics(0.890, {"a": 0.9}), _metrics(0.900, {"a": 0.9}), False),  # 1 point worse
    (_metrics(0.950, {"a": 0.79, "b": 1}), _metrics(0.90, {"a": 0.9, "b": 0.9}), False),
    (_metrics(0.950, {"a": 0.81, "b": 1}), _metrics(0.90, {"a": 0.9, "b": 0.9}), True),
])
def test_the_gate_allows_half_a_point_of_f1_and_ten_points_of_recall(candidate, active,
                                                                      promote):
    assert promotion_decision(candidate=candidate, active=active)[0] is promote


# --- the nightly retrain -------------------------------------------------------------------

def _dated(samples: list[TrainingSample]) -> list[TrainingSample]:
    start = timezone.now() - timezone.timedelta(days=len(samples))
    for i, s in enumerate(samples):
        s.at = start + timezone.timedelta(days=i)
    return samples


def test_a_better_candidate_is_promoted(active_model):
    # the active model learnt from scrambled labels; the truth is the real ones
    scrambled = tiny_samples(seed=4)
    labels = [s.label for s in scrambled]
    random.Random(0).shuffle(labels)
    for s, label in zip(scrambled, labels, strict=True):
        s.label = label
    segmenter = segmenter_get()
    bad = router_train(prepared=samples_prepare(samples=scrambled, segmenter=segmenter),
                       config=CONFIG, segmenter=segmenter).model
    model_version_promote(version=model_version_register(
        model=bad, samples=1, source="scrambled", metrics={}).version)
    run = router_retrain(samples_source=lambda: _dated(tiny_samples(seed=6)), config=CONFIG)
    assert run.status == "promoted", run.reason
    assert ModelVersion.objects.get(status="active") == run.candidate
    assert run.candidate_metrics["macro_f1"] > run.active_metrics["macro_f1"]


def test_a_worse_candidate_is_refused_and_the_active_model_keeps_serving(active_model):
    truth = _dated(tiny_samples(seed=6))
    cut = len(truth) - len(truth) // 10
    labels = [s.label for s in truth[:cut]]
    random.Random(1).shuffle(labels)  # the candidate trains on scrambled history
    for s, label in zip(truth[:cut], labels, strict=True):
        s.label = label
    run = router_retrain(samples_source=lambda: truth, config=CONFIG)
    assert run.status == "rejected" and "F1" in run.reason
    assert ModelVersion.objects.get(status="active") == active_model
    assert run.candidate.status == "retired"


def test_a_second_run_cannot_start_while_one_is_running(active_model):
    RetrainRun.objects.create(progress="训练中")
    with pytest.raises(RetrainBusy):
        router_retrain(samples_source=lambda: _dated(tiny_samples(seed=6)), config=CONFIG)


def test_a_run_left_running_by_a_dead_worker_does_not_block_forever(active_model, settings):
    settings.ROUTER_RETRAIN_STALE_MINUTES = 60
    dead = RetrainRun.objects.create(progress="训练中")
    RetrainRun.objects.filter(pk=dead.pk).update(
        started_at=timezone.now() - timezone.timedelta(hours=2))
    run = router_retrain(samples_source=lambda: _dated(tiny_samples(seed=6)), config=CONFIG)
    dead.refresh_from_db()
    assert dead.status == "failed" and run.status in ("promoted", "rejected")


def test_a_failing_run_is_recorded_and_changes_nothing(active_model):
    def broken() -> list[TrainingSample]:
        raise RuntimeError("database went away")

    run = router_retrain(samples_source=broken, config=CONFIG)
    assert run.status == "failed" and "database went away" in run.reason
    assert ModelVersion.objects.get(status="active") == active_model


def test_too_few_samples_skip_the_run(active_model):
    run = router_retrain(samples_source=lambda: _dated(tiny_samples(seed=6)[:10]), config=CONFIG)
    assert run.status == "skipped" and run.finished_at is not None
