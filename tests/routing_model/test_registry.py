from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from io import StringIO

import pytest
import skops.io as sio
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from routing_model.artifacts import ArtifactError, artifact_load, artifact_save
from routing_model.models import ModelArtifact, ModelStatus, ModelVersion
from routing_model.pipeline import RouterConfig, router_rows
from routing_model.registry import (
    RegistryError,
    model_version_promote,
    model_version_register,
    model_version_rollback,
    router_active,
)
from routing_model.storage import DatabaseStorage, model_storage
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


@pytest.mark.django_db
def test_a_skops_round_trip_predicts_exactly_the_same(segmenter, model):
    from routing_model.pipeline import TopicModel

    name, sha = artifact_save(state=model.to_state(), name="m.skops")
    loaded = TopicModel.from_state(artifact_load(name=name, sha256=sha))
    rows = router_rows(tokens=[segmenter.tokens("家里停水了")], texts=["家里停水了"])
    assert loaded.predict(rows)[0] == model.predict(rows)[0]


@pytest.mark.django_db
def test_artifacts_are_kept_in_the_database_by_default(model):
    name, sha = artifact_save(state=model.to_state(), name="router-x.skops")
    row = ModelArtifact.objects.get(name=name)
    assert name == "router-x.skops"
    assert hashlib.sha256(bytes(row.content)).hexdigest() == sha
    assert row.size == len(bytes(row.content)) > 1000


@pytest.mark.django_db
def test_a_tampered_artifact_is_refused_before_it_is_parsed(model):
    name, sha = artifact_save(state=model.to_state(), name="m.skops")
    data = bytearray(ModelArtifact.objects.get(name=name).content)
    data[-10] ^= 0xFF
    ModelArtifact.objects.filter(name=name).update(content=bytes(data))
    with pytest.raises(ArtifactError, match="校验失败"):
        artifact_load(name=name, sha256=sha)


@pytest.mark.django_db
def test_a_missing_artifact_says_so():
    with pytest.raises(ArtifactError, match=re.escape("模型文件不存在：router-gone.skops")):
        artifact_load(name="router-gone.skops", sha256="0" * 64)


@pytest.mark.django_db
def test_an_artifact_holding_a_function_is_refused_even_with_the_right_hash():
    import operator

    data = sio.dumps({"format": 1, "pipeline": operator.add})
    name = model_storage().save("odd.skops", ContentFile(data))

    with pytest.raises(ArtifactError, match="未信任"):
        artifact_load(name=name, sha256=hashlib.sha256(data).hexdigest())


def test_another_storage_backend_can_hold_the_artifacts(settings, tmp_path, model):
    settings.STORAGES = {**settings.STORAGES, "router_models": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "shared")}}}
    name, sha = artifact_save(state=model.to_state(), name="router-y.skops")
    assert (tmp_path / "shared" / "router-y.skops").is_file()
    assert artifact_load(name=name, sha256=sha)["format"] == model.to_state()["format"]


@pytest.mark.django_db
def test_the_database_storage_behaves_like_a_storage():
    storage = DatabaseStorage()
    assert storage.save("a/b.bin", ContentFile(b"abc")) == "a/b.bin"
    # a second file of the same name gets a new name, as with any Django storage
    second = storage.save("a/b.bin", ContentFile(b"de"))
    assert second != "a/b.bin" and second.startswith("a/b")
    storage.save("c.bin", ContentFile(b""))
    assert storage.exists("a/b.bin") and not storage.exists("a/none.bin")
    assert (storage.size("a/b.bin"), storage.size(second)) == (3, 2)
    with storage.open("a/b.bin") as fh:
        assert fh.read() == b"abc"
    assert storage.listdir("") == (["a"], ["c.bin"])
    assert storage.listdir("a") == ([], sorted(["b.bin", second.split("/")[1]]))
    storage.delete("a/b.bin")
    assert not storage.exists("a/b.bin")
    with pytest.raises(FileNotFoundError):
        storage.open("a/b.bin")


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
    ModelArtifact.objects.filter(name=version.artifact).update(content=b"not a model")
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


OTHER_MACHINE = """
import django; django.setup()
from routing_model.registry import router_active
loaded = router_active()
print(loaded.version if loaded else "none")
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_model_promoted_here_serves_on_a_machine_with_another_disk(router_data_dir, model,
                                                                     tmp_path):
    version = model_version_promote(version=model_version_register(
        model=model, samples=1, source="t", metrics={}).version)
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "DISPATCH_VAR_DIR": str(tmp_path / "other-machine"), "SECRET_KEY": "t",
           "ROUTER_DATA_DIR": str(router_data_dir)}
    out = subprocess.run([sys.executable, "-c", OTHER_MACHINE], cwd=settings.BASE_DIR, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == version.version
