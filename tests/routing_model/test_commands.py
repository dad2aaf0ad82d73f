from __future__ import annotations

import csv
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from routing_model.models import ModelVersion
from tests.routing_model.conftest import tiny_samples

LAST_LINE = re.compile(r"^macro_f1=(\d\.\d{4}) accuracy=(\d\.\d{4}) n_train=(\d+) n_test=(\d+)$")


def _write(path, samples, *, body_col="content"):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", body_col, "address", "unit_code"])
        for s in samples:
            title, _, body = s.text.partition("，")
            writer.writerow([title, body, s.address, s.label])
    return path


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
def test_cross_validation_prints_metrics_and_ends_with_the_line_for_scripts(tmp_path,
                                                                           router_data_dir):
    data = _write(tmp_path / "all.csv", tiny_samples(seed=1))
    lines = _run("evaluate_router", "--csv", str(data), "--cv", "3")
    assert lines[0].startswith("3 折交叉验证")
    assert any("最常混淆" in line or "精确率" in line for line in lines)
    m = LAST_LINE.match(lines[-1])
    assert m is not None, lines[-1]
    assert float(m.group(1)) > 0.8 and int(m.group(4)) == len(tiny_samples(seed=1))


@pytest.mark.django_db
def test_train_on_one_file_and_test_on_another_even_with_another_body_column(
        tmp_path, router_data_dir):
    train = _write(tmp_path / "a.csv", tiny_samples(seed=1))
    test = _write(tmp_path / "b.csv", tiny_samples(seed=2, per_label=5), body_col="body")
    lines = _run("evaluate_router", "--train-csv", str(train), "--test-csv", str(test),
                 "--text-cols", "title,content,body")
    m = LAST_LINE.match(lines[-1])
    assert m and int(m.group(3)) == len(tiny_samples(seed=1))
    assert int(m.group(4)) == len(tiny_samples(seed=2, per_label=5))


@pytest.mark.django_db
def test_the_baseline_is_evaluated_the_same_way(tmp_path, router_data_dir):
    data = _write(tmp_path / "all.csv", tiny_samples(seed=1))
    assert LAST_LINE.match(_run("evaluate_router", "--csv", str(data), "--cv", "3",
                                "--baseline")[-1])


@pytest.mark.django_db
def test_train_router_registers_a_candidate_and_can_promote_it(tmp_path, router_data_dir):
    data = _write(tmp_path / "all.csv", tiny_samples(seed=1))
    lines = _run("train_router", "--csv", str(data), "--promote")
    version = ModelVersion.objects.get()
    assert version.status == "active" and version.samples == len(tiny_samples(seed=1))
    assert any(version.version in line for line in lines)
    # and the active model can then be evaluated on a file
    assert LAST_LINE.match(_run("evaluate_router", "--csv", str(data))[-1])


@pytest.mark.django_db
def test_a_file_without_the_label_column_is_a_clear_error(tmp_path, router_data_dir):
    data = tmp_path / "bad.csv"
    data.write_text("title,content\n停水,家里停水了\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有标签列 unit_code"):
        call_command("evaluate_router", "--csv", str(data), "--cv", "3")


@pytest.mark.django_db
def test_evaluating_without_an_active_model_says_what_to_do(tmp_path, router_data_dir):
    data = _write(tmp_path / "all.csv", tiny_samples(seed=1))
    with pytest.raises(CommandError, match="没有在用模型"):
        call_command("evaluate_router", "--csv", str(data))
