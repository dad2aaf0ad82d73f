"""Training and evaluation samples from a CSV file (real exports, the synthetic corpus)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from routing_model.training import TrainingSample


class CsvSampleError(ValueError):
    pass


def samples_from_csv(*, path: Path, text_cols: Sequence[str], label_col: str,
                     address_col: str = "address") -> list[TrainingSample]:
    """Text columns joined by a newline; columns a file lacks are skipped (so one
    ``--text-cols title,content,body`` serves files that call the body differently)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        present = [c for c in text_cols if c in header]
        if not present:
            raise CsvSampleError(
                f"{path} 没有文本列 {', '.join(text_cols)}（有：{', '.join(header)}）")
        if label_col not in header:
            raise CsvSampleError(f"{path} 没有标签列 {label_col}")
        samples = []
        for row in reader:
            label = (row.get(label_col) or "").strip()
            text = "\n".join((row.get(c) or "").strip() for c in present).strip()
            if label and text:
                samples.append(TrainingSample(text=text, label=label,
                                              address=(row.get(address_col) or "").strip()))
    return samples
