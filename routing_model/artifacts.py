"""Saving and loading model artifacts with skops, verified by SHA-256 before anything is parsed.

skops reads only the types it is told to trust. The trusted list is the fixed set of
scikit-learn, NumPy and SciPy types a router is made of; an artifact needing anything else (a
function, another class) is refused, as is a file whose hash differs from the registry's.
"""

from __future__ import annotations

import hashlib
from typing import Any

import skops.io as sio
from django.core.files.base import ContentFile

from routing_model.storage import model_storage


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


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def artifact_save(*, state: dict[str, Any], name: str) -> tuple[str, str]:
    """Write the artifact to the model storage; returns the name it got and its SHA-256."""
    data = sio.dumps(state)
    # One write of the whole file: a reader on another machine never sees half of it.
    saved = model_storage().save(name, ContentFile(data))
    return saved, bytes_sha256(data)


def artifact_read(*, name: str, sha256: str) -> bytes:
    """The artifact's bytes, only if they are the ones registered and hold only trusted types."""
    try:
        with model_storage().open(name, "rb") as fh:
            data: bytes = fh.read()
    except FileNotFoundError as exc:
        raise ArtifactError(f"模型文件不存在：{name}") from exc
    actual = bytes_sha256(data)
    if actual != sha256:
        raise ArtifactError(f"模型文件校验失败（sha256 {actual[:12]}… ≠ 登记的 {sha256[:12]}…）")
    untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
    if untrusted:
        raise ArtifactError(f"模型文件含未信任的类型：{', '.join(untrusted)}")
    return data


def artifact_load(*, name: str, sha256: str) -> dict[str, Any]:
    """Load only if the file is the one registered and holds only trusted types."""
    loaded: dict[str, Any] = sio.loads(artifact_read(name=name, sha256=sha256),
                                       trusted=TRUSTED_TYPES)  # what artifact_save() stored
    return loaded
