"""A tiny world for the router: two streets, four topics, a few dozen requests each."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from routing_model.gazetteer import Gazetteer
from routing_model.registry import router_active_forget
from routing_model.segmenter import Segmenter
from routing_model.serving import routing_rules_forget
from routing_model.training import TrainingSample

GAZETTEER = {"streets": [
    {"unit_code": "street-lianhua", "name": "莲花街道", "aliases": ["莲花"], "communities": [
        {"name": "景田北社区", "aliases": ["景田北"], "places": ["景田北小区", "天健花园"]},
        {"name": "彩田社区", "aliases": [], "places": ["彩田村", "莲花山公园"]},
    ]},
    {"unit_code": "street-futian", "name": "福田街道", "aliases": [], "communities": [
        {"name": "岗厦社区", "aliases": ["岗厦"], "places": ["岗厦村", "皇庭广场"]},
        {"name": "水围社区", "aliases": ["水围"], "places": ["水围村"]},
    ]},
]}
UNITS = [
    {"code": "urban", "name": "福田区城市管理和综合执法局", "short_name": "城管局",
     "kind": "district_department"},
    {"code": "water", "name": "福田供水分公司", "short_name": "供水公司", "kind": "public_utility"},
    {"code": "traffic", "name": "福田交警大队", "short_name": "交警大队", "kind": "city_branch"},
    {"code": "street-lianhua", "name": "莲花街道办事处", "short_name": "莲花街道办",
     "kind": "street_office"},
    {"code": "street-futian", "name": "福田街道办事处", "short_name": "福田街道办",
     "kind": "street_office"},
]
DICTIONARY = "占道经营 3000 n\n噪音扰民 3000 n\n违章停车 3000 n\n"

_TOPICS = {
    "urban": ["有人占道经营摆摊卖水果", "夜市小贩占道经营堵塞人行道", "店铺门口乱摆卖占道经营",
              "流动摊贩占道经营油烟很大"],
    "water": ["家里停水两天了没有通知", "自来水水压太低楼上没水", "水管爆裂路面一直冒水",
              "自来水发黄有异味不敢喝"],
    "traffic": ["路口经常有车违章停车堵住出口", "红绿灯坏了车辆乱行很危险",
                "大货车违章停车占用车道", "学校门口违章停车接送孩子拥堵"],
    "street": ["社区活动室长期锁门居民用不了", "小区物业不作为楼道垃圾没人清",
               "社区健身器材坏了没人修", "物业擅自涨停车费业主不同意"],
}
_PLACES = {"street-lianhua": ["景田北小区", "天健花园", "彩田村"],
           "street-futian": ["岗厦村", "水围村", "皇庭广场"]}
_OPENERS = ["", "您好，", "尊敬的领导：", "我要反映，"]
_TAILS = ["", "请尽快处理。", "希望相关部门管一管。", "已经很久了，谢谢！"]


def tiny_samples(*, seed: int = 1, per_label: int = 30) -> list[TrainingSample]:
    rng = random.Random(seed)
    samples = []
    for topic, phrases in _TOPICS.items():
        labels = list(_PLACES) if topic == "street" else [topic]
        for i in range(per_label * len(labels)):
            label = labels[i % len(labels)]
            street = label if topic == "street" else rng.choice(list(_PLACES))
            place = rng.choice(_PLACES[street])
            text = (f"{rng.choice(_OPENERS)}{place}附近{rng.choice(phrases)}，"
                    f"{rng.choice(phrases)}。{rng.choice(_TAILS)}")
            samples.append(TrainingSample(text=text, label=label, address=f"福田区{place}"))
    rng.shuffle(samples)
    return samples


@pytest.fixture
def router_data_dir(tmp_path: Path, settings) -> Path:
    """ROUTER_DATA_DIR with the tiny gazetteer, units and dictionary."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "gazetteer.json").write_text(json.dumps(GAZETTEER, ensure_ascii=False), "utf-8")
    (data / "units.json").write_text(json.dumps(UNITS, ensure_ascii=False), "utf-8")
    (data / "domain_dictionary.txt").write_text(DICTIONARY, "utf-8")
    settings.ROUTER_DATA_DIR = data
    router_active_forget()
    routing_rules_forget()
    yield data
    router_active_forget()
    routing_rules_forget()


@pytest.fixture
def gazetteer() -> Gazetteer:
    return Gazetteer(GAZETTEER)


@pytest.fixture
def segmenter() -> Segmenter:
    from routing_model.segmenter import STOPWORDS_FILE, DictionaryWord

    words = [DictionaryWord(w.split()[0], 3000, "n") for w in DICTIONARY.splitlines()]
    return Segmenter(backend="rjieba", words=words,
                     stopwords=STOPWORDS_FILE.read_text("utf-8").split())
