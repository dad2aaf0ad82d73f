"""The adapter interface every channel family implements, and the registry of families."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from tickets.intake.payload import PayloadReader

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
TITLE_MAX = 200
CONTENT_MAX = 10_000


@dataclass
class NormalisedRequest:
    """What every family's payload becomes: the fields of a ticket."""

    external_id: str
    title: str
    content: str
    received_at: datetime | None = None
    citizen_name: str = ""
    citizen_phone: str = ""
    citizen_id_number: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    urgency: str = "normal"
    category: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    upstream_number: str = ""
    upstream_contact_due_at: datetime | None = None
    upstream_resolve_due_at: datetime | None = None


class IntakeAdapter(ABC):
    family: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def read(self, reader: PayloadReader) -> NormalisedRequest:
        """Read the payload; record problems on the reader instead of raising."""

    def parse(self, payload: Any) -> NormalisedRequest:
        reader = PayloadReader(payload)
        result = self.read(reader) if isinstance(payload, dict) else None
        reader.raise_if_invalid()
        assert result is not None
        if reader.html_converted:
            # The ticket says that its text is the text of the HTML sent (the raw record keeps
            # the HTML): nothing a channel sent is changed without a word.
            result.details["converted_from_html"] = reader.html_converted
        return result

    @classmethod
    def examples(cls) -> dict[str, dict[str, Any]]:
        """Payload examples, one file each: examples/<family>/<event>__<variant>.json."""
        folder = EXAMPLES_DIR / cls.family
        return {
            path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*__*.json"))
        }


def title_from(text: str, *, limit: int = 40) -> str:
    """A title for channels that send none: the first sentence, shortened."""
    first = text.strip().split("\n", 1)[0]
    for stop in "。！？!?；;":
        first = first.split(stop, 1)[0]
    return first[:limit] or text[:limit]


ADAPTERS: dict[str, IntakeAdapter] = {}


def register(adapter_class: type[IntakeAdapter]) -> type[IntakeAdapter]:
    ADAPTERS[adapter_class.family] = adapter_class()
    return adapter_class

