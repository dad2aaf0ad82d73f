"""Saving and loading model artifacts with skops, verified by SHA-256 before anything is parsed.

skops reads only the types it is told to trust. The trusted list is the fixed set of
scikit-learn, NumPy and SciPy types a router is made of; an artifact needing anything else (a
function, another class) is refused, as is a file whose hash differs from the registry's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import skops.io as sio


class ArtifactError(Exception):
    pass


TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float32",
    "numpy.float64",
    "numpy.int32",
    "numpy.int64",
    "numpy.uint64",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.utils._bunch.Bunch",
    "builtins.slice",
]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def artifact_save(*, state: dict[str, Any], path: Path) -> str:
    """Write the artifact; returns its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    sio.dump(state, tmp)
    tmp.replace(path)  # a reader never sees half a file
    return file_sha256(path)


def artifact_load(*, path: Path, sha256: str) -> dict[str, Any]:
    """Load only if the file is the one registered and holds only trusted types."""
    if not path.exists():
        raise ArtifactError(f"模型文件不存在：{path}")
    actual = file_sha256(path)
    if actual != sha256:
        raise ArtifactError(f"模型文件校验失败（sha256 {actual[:12]}… ≠ 登记的 {sha256[:12]}…）")
    data = path.read_bytes()
    untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
    if untrusted:
        raise ArtifactError(f"模型文件含未信任的类型：{', '.join(untrusted)}")
    return sio.loads(data, trusted=TRUSTED_TYPES)
