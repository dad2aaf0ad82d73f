from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing_model.gazetteer import Gazetteer


@pytest.mark.parametrize(("text", "street", "community", "level"), [
    ("景田北小区门口有人摆摊", "street-lianhua", "景田北社区", "place"),
    ("我住在景田北社区，楼下很吵", "street-lianhua", "景田北社区", "community"),
    ("莲花街道这边路灯坏了", "street-lianhua", "", "street"),
    ("岗厦村里握手楼违建", "street-futian", "岗厦社区", "place"),
    ("水围那边夜里施工", "street-futian", "水围社区", "community"),
])
def test_it_finds_the_street_and_community_in_varied_phrasing(gazetteer, text, street,
                                                               community, level):
    match = gazetteer.find(text=text)
    assert match is not None
    assert (match.place.street_unit, match.place.community, match.place.level) == (
        street, community, level)


def test_the_most_specific_name_wins_over_a_shorter_alias(gazetteer):
    match = gazetteer.find(text="莲花街道景田北小区3栋")
    assert match.place.matched == "景田北小区" and match.place.level == "place"


def test_the_address_is_preferred_to_the_text(gazetteer):
    match = gazetteer.find(text="以前住岗厦村", address="福田区天健花园5栋")
    assert (match.place.street_unit, match.source) == ("street-lianhua", "address")


def test_nothing_is_found_in_a_text_without_a_known_place(gazetteer):
    assert gazetteer.find(text="路灯不亮了", address="深圳市") is None


def test_a_name_claimed_by_two_streets_is_ignored():
    data = {"streets": [
        {"unit_code": "s-a", "name": "甲街道", "communities": [
            {"name": "甲社区", "places": ["同名花园"]}]},
        {"unit_code": "s-b", "name": "乙街道", "communities": [
            {"name": "乙社区", "places": ["同名花园"]}]},
    ]}
    assert Gazetteer(data).find(text="同名花园停车难") is None


def test_the_shipped_gazetteer_covers_the_ten_streets_of_the_units_file():
    root = Path(__file__).resolve().parents[2] / "fixtures"
    gazetteer = Gazetteer(json.loads((root / "gazetteer.json").read_text("utf-8")))
    units = json.loads((root / "units.json").read_text("utf-8"))
    streets = {u["code"] for u in units if u["kind"] == "street_office"}
    assert set(gazetteer.street_units) == streets and len(streets) == 10
    assert gazetteer.find(text="我家在莲花街道").place.street_unit == "street-lianhua"
