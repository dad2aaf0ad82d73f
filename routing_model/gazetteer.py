"""Where a request is: street → community → compounds and landmarks, found in text and address.

The gazetteer is data (fixtures/gazetteer.json). Matching is one regular expression over every
name, longest first, so "景田北" wins over "景田" and a compound beats its community's alias.
The address is searched before the text: it is what the channel says, the text what the
citizen says in passing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Place:
    street_unit: str  # the street office's unit code, e.g. "street-lianhua"
    street: str
    community: str  # "" when only the street is known
    matched: str  # the name found
    level: str  # "street" | "community" | "place"


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    source: str  # "address" | "text"


class Gazetteer:
    def __init__(self, data: dict[str, Any]) -> None:  # gazetteer.json
        self.places: dict[str, Place] = {}
        self.street_units: dict[str, str] = {}
        for street in data["streets"]:
            code, name = street["unit_code"], street["name"]
            self.street_units[code] = name
            for alias in [name, *street.get("aliases", [])]:
                self._add(alias, Place(code, name, "", alias, "street"))
            for community in street["communities"]:
                cname = community["name"]
                for alias in [cname, *community.get("aliases", [])]:
                    self._add(alias, Place(code, name, cname, alias, "community"))
                for place in community.get("places", []):
                    self._add(place, Place(code, name, cname, place, "place"))
        names = sorted(self.places, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None

    def _add(self, name: str, place: Place) -> None:
        name = name.strip()
        # A one-character alias would match everywhere; a name claimed twice is ambiguous.
        if len(name) < 2:
            return
        if name in self.places and self.places[name].street_unit != place.street_unit:
            self.places[name] = Place("", "", "", name, "ambiguous")
            return
        self.places.setdefault(name, place)

    def find(self, *, text: str, address: str = "") -> PlaceMatch | None:
        """The most specific place in the address, else in the text; None if nothing known."""
        for source, value in (("address", address), ("text", text)):
            best = self._best(value)
            if best is not None:
                return PlaceMatch(best, source)
        return None

    def _best(self, value: str) -> Place | None:
        if not value or self._pattern is None:
            return None
        rank = {"place": 3, "community": 2, "street": 1}
        best: Place | None = None
        for m in self._pattern.finditer(value):
            place = self.places[m.group(0)]
            if place.level == "ambiguous":
                continue
            if best is None or rank[place.level] > rank[best.level]:
                best = place
        return best


_instance: dict[str, Gazetteer] = {}


def gazetteer_get() -> Gazetteer:
    """The process's gazetteer, loaded once from ROUTER_DATA_DIR/gazetteer.json."""
    path = Path(settings.ROUTER_DATA_DIR) / "gazetteer.json"
    key = str(path)
    if key not in _instance:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"streets": []}
        _instance[key] = Gazetteer(data)
    return _instance[key]
