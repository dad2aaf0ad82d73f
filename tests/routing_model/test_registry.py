from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import skops.io as sio
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from routing_model.artifacts import ArtifactError, artifact_load, artifact_save
from routing_model.models import ModelStatus, ModelVersion
from routing_model.pipeline import RouterConfig, router_rows
from routing_model.registry import (
    RegistryError,
    model_version_promote,
    model_version_register,
    model_version_rollback,
    router_active,
)
from routing_model.training import router_train, samples_prepare
from tests.routing_model.conftest import tiny_samples

CONFIG = RouterConfig(max_word_features=3000, max_char_features=3000)


def _train(segmenter, gazetteer, seed=1):
    return router_train(prepared=samples_prepare(samples=tiny_samples(seed=seed),
                                                 segmenter=segmenter),
                        config=CONFIG, segmenter=segmenter, gazetteer=gazetteer).model


@pytest.fixture
def model(segmenter, gazetteer):
    return _train(segmenter, gazetteer)


def test_a_skops_round_trip_predicts_exactly_the_same(tmp_path, segmenter, model):
    from routing_model.pipeline import TopicModel

    sha = artifact_save(state=model.to_state(), path=tmp_path / "m.skops")
    loaded = TopicModel.from_state(artifact_load(path=tmp_path / "m.skops", sha256=sha))
    rows = router_rows(tokens=[segmenter.tokens("家里停水了")], texts=["家里停水了"])
    assert loaded.predict(rows)[0] == model.predict(rows)[0]


def test_a_tampered_artifact_is_refused_before_it_is_parsed(tmp_path, model):
    path = tmp_path / "m.skops"
    sha = artifact_save(state=model.to_state(), path=path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="校验失败"):
        artifact_load(path=path, sha256=sha)


def test_an_artifact_holding_a_function_is_refused_even_with_the_right_hash(tmp_path):
    import operator

    from routing_model.artifacts import file_sha256

    path = tmp_path / "odd.skops"
    sio.dump({"format": 1, "pipeline": operator.add}, path)

    with pytest.raises(ArtifactError, match="未信任"):
        artifact_load(path=path, sha256=file_sha256(path))


@pytest.mark.django_db
def test_promoting_retires_the_previous_version_and_rollback_restores_it(router_data_dir,
                                                                         model):
    first = model_version_register(model=model, samples=120, source="t", metrics={})
    second = model_version_register(model=model, samples=120, source="t", metrics={})
    assert first.version != second.version and first.status == ModelStatus.CANDIDATE
    model_version_promote(version=first.version)
    model_version_promote(version=second.version)
    statuses = dict(ModelVersion.objects.values_list("version", "status"))
    assert statuses == {first.version: "retired", second.version: "active"}
    assert model_version_rollback().version == first.version
    statuses = dict(ModelVersion.objects.values_list("version", "status"))
    assert statuses == {first.version: "active", second.version: "retired"}


@pytest.mark.django_db
def test_rollback_without_history_says_so(router_data_dir, model):
    model_version_promote(version=model_version_register(
        model=model, samples=1, source="t", metrics={}).version)
    with pytest.raises(RegistryError, match="没有可回滚"):
        model_version_rollback()


@pytest.mark.django_db
def test_a_tampered_version_cannot_be_promoted(router_data_dir, model):
    version = model_version_register(model=model, samples=1, source="t", metrics={})
    Path(version.artifact_path).write_bytes(b"not a model")
    with pytest.raises(ArtifactError):
        model_version_promote(version=version.version)
    assert not ModelVersion.objects.filter(status="active").exists()


@pytest.mark.django_db
def test_the_database_allows_only_one_active_version(router_data_dir, model):
    a = model_version_register(model=model, samples=1, source="t", metrics={})
    b = model_version_register(model=model, samples=1, source="t", metrics={})
    ModelVersion.objects.filter(pk=a.pk).update(status="active")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=b.pk).update(status="active")


@pytest.mark.django_db
def test_a_worker_picks_up_a_newly_active_version_without_a_restart(router_data_dir, settings,
                                                                    segmenter, gazetteer,
                                                                    model):
    settings.ROUTER_RELOAD_SECONDS = 10
    first = model_version_register(model=model, samples=1, source="t", metrics={})
    model_version_promote(version=first.version)
    assert router_active(now=1000.0).version == first.version
    second = model_version_register(model=_train(segmenter, gazetteer, seed=5), samples=1,
                                    source="t", metrics={})
    model_version_promote(version=second.version)
    # within the reload interval the process keeps what it has, then it notices
    assert router_active(now=1009.0).version == first.version
    assert router_active(now=1010.0).version == second.version


@pytest.mark.django_db
def test_the_commands_promote_roll_back_and_list(router_data_dir, model):
    a = model_version_register(model=model, samples=7, source="src-a", metrics={"macro_f1": 0.9})
    b = model_version_register(model=model, samples=8, source="src-b", metrics={})
    out = StringIO()
    call_command("promote_model", a.version, stdout=out)
    call_command("promote_model", b.version, stdout=out)
    call_command("rollback_model", stdout=out)
    assert ModelVersion.objects.get(status="active").version == a.version
    listing = StringIO()
    call_command("list_models", stdout=listing)
    assert a.version in listing.getvalue() and "0.9000" in listing.getvalue()
    with pytest.raises(CommandError, match="没有版本"):
        call_command("promote_model", "no-such-version")
