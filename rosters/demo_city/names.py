"""Chinese names for the demo city: place names and personal names, drawn from a seeded
random generator so a seed always gives the same city."""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"
    "谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    "英华玉兰建国志红春梅海鹏飞文斌宁波晨雪峰辉浩宇鑫佳欣"
)
PLACE_HEADS = "东西南北上下前后新老大小沙河泉湾堡营庄园岭坪滩川源湖柳杨梨枣黄红青白金石"
PLACE_TAILS = ("村", "村", "村", "社区", "村", "村")
TOWN_TAILS = ("镇", "乡", "镇", "街道")


def person_name(rng: np.random.Generator) -> str:
    surname = SURNAMES[rng.integers(len(SURNAMES))]
    n = 1 if rng.random() < 0.3 else 2
    return surname + "".join(GIVEN[rng.integers(len(GIVEN))] for _ in range(n))


def place_name(rng: np.random.Generator, used: set[str], tails: tuple[str, ...]) -> str:
    """A two-character place stem plus a tail (村, 镇…), unique within `used`."""
    for _ in range(1000):
        stem = "".join(PLACE_HEADS[rng.integers(len(PLACE_HEADS))] for _ in range(2))
        name = stem + tails[rng.integers(len(tails))]
        if stem[0] != stem[1] and name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of place names")
