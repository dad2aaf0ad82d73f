from __future__ import annotations

import numpy as np
import pytest

from routing_model.pipeline import STREET_LABEL, RouterConfig, router_rows
from routing_model.training import (
    metrics_compute,
    router_evaluate,
    router_train,
    samples_prepare,
)
from tests.routing_model.conftest import tiny_samples

CONFIG = RouterConfig(max_word_features=5000, max_char_features=5000)


@pytest.fixture
def trained(segmenter, gazetteer):
    prepared = samples_prepare(samples=tiny_samples(seed=1), segmenter=segmenter)
    return router_train(prepared=prepared, config=CONFIG, segmenter=segmenter,
                        gazetteer=gazetteer).model


def _rows(segmenter, *texts):
    return router_rows(tokens=[segmenter.tokens(t) for t in texts], texts=list(texts))


def test_street_offices_are_learnt_as_one_street_label(trained):
    assert sorted(trained.labels) == sorted([STREET_LABEL, "traffic", "urban", "water"])


def test_training_twice_on_the_same_corpus_gives_the_same_probabilities(segmenter, gazetteer,
                                                                         trained):
    again = router_train(prepared=samples_prepare(samples=tiny_samples(seed=1),
                                                  segmenter=segmenter),
                         config=CONFIG, segmenter=segmenter, gazetteer=gazetteer).model
    rows = _rows(segmenter, "家里停水了", "路口违章停车")
    first = [p.ranked for p in trained.predict(rows)]
    second = [p.ranked for p in again.predict(rows)]
    assert first == second


def test_probabilities_sum_to_one_and_come_best_first(segmenter, trained):
    for prediction in trained.predict(_rows(segmenter, "水管爆裂冒水", "社区活动室锁门")):
        probabilities = [p for _, p in prediction.ranked]
        assert sum(probabilities) == pytest.approx(1.0, abs=1e-6)
        assert probabilities == sorted(probabilities, reverse=True)
        assert all(0.0 <= p <= 1.0 for p in probabilities)


def test_it_routes_clear_requests_to_their_topic(segmenter, trained):
    predictions = trained.predict(_rows(segmenter, "自来水停水两天了", "小贩占道经营堵路",
                                        "大货车违章停车"))
    assert [p.ranked[0][0] for p in predictions] == ["water", "urban", "traffic"]


def test_the_explanation_names_the_terms_that_weighed_most(segmenter, trained):
    (prediction,) = trained.predict(_rows(segmenter, "门口有人占道经营"))
    assert prediction.terms and any("占道" in t for t in prediction.terms)


def test_a_street_topic_is_evaluated_as_the_street_office_of_the_place(segmenter, gazetteer,
                                                                        trained):
    from routing_model.training import TrainingSample

    held_out = samples_prepare(samples=[
        TrainingSample(text="岗厦村社区健身器材坏了没人修", label="street-futian",
                       address="福田区岗厦村"),
        TrainingSample(text="天健花园物业不作为，楼道垃圾没人清", label="street-lianhua",
                       address="福田区天健花园"),
    ], segmenter=segmenter)
    metrics = router_evaluate(model=trained, prepared=held_out, gazetteer=gazetteer)
    assert metrics.accuracy == 1.0


def test_labels_too_rare_to_calibrate_are_left_out_and_reported(segmenter, gazetteer):
    from routing_model.training import TrainingSample

    samples = [*tiny_samples(seed=2), TrainingSample(text="罕见的诉求", label="rare")]
    result = router_train(prepared=samples_prepare(samples=samples, segmenter=segmenter),
                          config=CONFIG, segmenter=segmenter, gazetteer=gazetteer)
    assert result.dropped_labels == {"rare": 1} and "rare" not in result.model.labels


def test_metrics_follow_their_definitions():
    metrics = metrics_compute(truth=["a", "a", "b", "b"], predicted=["a", "b", "b", "b"])
    assert metrics.accuracy == 0.75
    # F1(a) = 2·1·0.5/1.5 = 2/3, F1(b) = 2·(2/3)·1/(5/3) = 0.8
    assert metrics.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert metrics.confused == [("a", "b", 1)]


@pytest.mark.parametrize("features", ["word", "char", "union"])
def test_each_feature_set_trains_and_predicts(segmenter, gazetteer, features):
    config = RouterConfig(features=features, max_word_features=5000, max_char_features=5000)
    model = router_train(prepared=samples_prepare(samples=tiny_samples(seed=3),
                                                  segmenter=segmenter),
                         config=config, segmenter=segmenter, gazetteer=gazetteer).model
    (prediction,) = model.predict(_rows(segmenter, "家里停水了"))
    assert prediction.ranked[0][0] == "water"
    assert np.isfinite(prediction.ranked[0][1])


def test_the_serving_arithmetic_matches_scikit_learns_own_predict_proba(segmenter, trained):
    rows = _rows(segmenter, "家里停水了", "门口占道经营", "社区活动室锁门", "红绿灯坏了")
    features = trained.features(rows)
    ours = trained.probabilities(features)
    theirs = trained.classifier.predict_proba(features)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


def test_the_serving_arithmetic_matches_for_two_labels(segmenter, gazetteer):
    two = [s for s in tiny_samples(seed=7) if s.label in ("water", "traffic")]
    model = router_train(prepared=samples_prepare(samples=two, segmenter=segmenter),
                         config=CONFIG, segmenter=segmenter, gazetteer=gazetteer).model
    rows = _rows(segmenter, "家里停水了", "违章停车")
    features = model.features(rows)
    np.testing.assert_allclose(model.probabilities(features),
                               model.classifier.predict_proba(features), rtol=1e-6, atol=1e-9)


def test_cached_tokens_are_used_when_the_segmenter_is_the_same_and_redone_otherwise(segmenter):
    from routing_model.training import TrainingSample

    cached = TrainingSample(text="家里停水了", label="water", tokens=["缓存", "词"],
                            tokens_signature=segmenter.signature)
    stale = TrainingSample(text="家里停水了", label="water", tokens=["旧"],
                           tokens_signature="jieba:old")
    prepared = samples_prepare(samples=[cached, stale], segmenter=segmenter)
    assert prepared.segmented == 1
    assert prepared.tokens[0] == ["缓存", "词"]
    assert prepared.tokens[1] == segmenter.tokens("家里停水了")


SGD = RouterConfig(max_word_features=5000, max_char_features=5000, solver="sgd",
                   calibration_share=0.25, sgd_chunk=100)


@pytest.fixture
def trained_sgd(segmenter, gazetteer):
    prepared = samples_prepare(samples=tiny_samples(seed=1), segmenter=segmenter)
    return router_train(prepared=prepared, config=SGD, segmenter=segmenter,
                        gazetteer=gazetteer).model


def test_the_streaming_solver_learns_the_same_topics(segmenter, trained_sgd):
    predictions = trained_sgd.predict(_rows(segmenter, "家里停水了，水龙头没水", "路口违章停车"))
    assert [p.ranked[0][0] for p in predictions] == ["water", "traffic"]


def test_the_streaming_solver_is_calibrated_like_scikit_learn_says(segmenter, trained_sgd):
    features = trained_sgd.features(_rows(segmenter, "家里停水了", "门口占道经营", "红绿灯坏了"))
    np.testing.assert_allclose(trained_sgd.probabilities(features),
                               trained_sgd.classifier.predict_proba(features),
                               rtol=1e-6, atol=1e-9)


def test_the_streaming_solver_keeps_the_calibration_slice_out_of_training(trained_sgd):
    calibrated = trained_sgd.classifier.calibrated_classifiers_[0]
    fitted_on = calibrated.estimator.estimator.t_ - 1  # SGD counts one step per sample seen
    total = len(tiny_samples(seed=1))
    held = int(total * 0.25)
    epochs = -(-100_000 // (total - held))  # ceil: passes needed for 100,000 updates…
    assert fitted_on == (total - held) * min(5, epochs)  # …capped at 5


@pytest.mark.parametrize(("samples", "solver"), [(20_000, "liblinear"), (20_001, "sgd")])
def test_auto_streams_only_large_corpora(samples, solver):
    from routing_model.pipeline import solver_choose

    assert solver_choose(config=RouterConfig(), samples=samples) == solver


def test_an_unknown_solver_is_refused():
    from routing_model.pipeline import solver_choose

    with pytest.raises(ValueError):
        solver_choose(config=RouterConfig(solver="adam"), samples=10)


def _with_urgency(samples):
    """Urgent: the burst pipe and the dangerous junction; everything else is not."""
    from dataclasses import replace

    return [replace(s, urgent=("爆裂" in s.text or "红绿灯坏了" in s.text)) for s in samples]


@pytest.mark.parametrize("config", [CONFIG, SGD], ids=["liblinear", "sgd"])
def test_urgency_is_learnt_when_the_samples_say_it(segmenter, gazetteer, config):
    samples = _with_urgency(tiny_samples(seed=4, per_label=40))
    model = router_train(prepared=samples_prepare(samples=samples, segmenter=segmenter),
                         config=config, segmenter=segmenter, gazetteer=gazetteer).model
    urgent, calm = model.predict(_rows(segmenter, "水管爆裂了路面冒水", "社区活动室锁门"))
    assert urgent.urgent > 0.5 > calm.urgent
    features = model.features(_rows(segmenter, "水管爆裂了路面冒水", "社区活动室锁门"))
    theirs = model.urgency.predict_proba(features)[:, list(model.urgency.classes_).index("True")]
    np.testing.assert_allclose(model.urgent_probabilities(features), theirs, rtol=1e-6,
                               atol=1e-9)


def test_without_urgency_labels_there_is_no_urgency_estimate(segmenter, trained):
    (prediction,) = trained.predict(_rows(segmenter, "水管爆裂了路面冒水"))
    assert prediction.urgent is None and trained.urgency is None


@pytest.mark.django_db
def test_the_urgency_classifier_survives_the_artifact_round_trip(segmenter, gazetteer):
    from routing_model.artifacts import artifact_load, artifact_save
    from routing_model.pipeline import TopicModel

    samples = _with_urgency(tiny_samples(seed=4, per_label=40))
    model = router_train(prepared=samples_prepare(samples=samples, segmenter=segmenter),
                         config=CONFIG, segmenter=segmenter, gazetteer=gazetteer).model
    name, sha = artifact_save(state=model.to_state(), name="m.skops")
    loaded = TopicModel.from_state(artifact_load(name=name, sha256=sha))
    rows = _rows(segmenter, "水管爆裂了路面冒水")
    assert loaded.predict(rows)[0].urgent == pytest.approx(model.predict(rows)[0].urgent)
