"""The multi-machine layout as plain processes: two webs and two workers with separate disks,
one beat, a retrain worker; a worker killed with SIGKILL mid-run (benchmarks/multi_machine.py
runs it; BENCHMARKS.md has a longer run)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = [pytest.mark.service, pytest.mark.postgres]


def test_two_machines_lose_nothing_when_a_worker_dies_and_share_one_model_store():
    run = subprocess.run(
        [sys.executable, "benchmarks/multi_machine.py", "--requests", "600", "--rate", "20",
         "--train", "800", "--db", "dispatch_multi_test"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=600)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ready_before_traffic"], run.stdout[-3000:] + run.stderr[-3000:]
    assert result["sent"] == 600 and result["accepted_requests"] == 600
    assert result["tickets"] == result["accepted_external_ids"] > 400
    assert (result["lost"], result["duplicates"], result["answered_two_numbers"],
            result["stuck_in_received"]) == (0, 0, 0, 0)
    second = result["models"]["second"]
    assert set(result["routed_after_promotion_by_model"]) == {second}
    assert result["retrain_ran_on_retrain_queue"] and result["retrain"] == "skipped"
    assert result["readyz_after"] == [200, 200]
    assert result["ok"] and run.returncode == 0
