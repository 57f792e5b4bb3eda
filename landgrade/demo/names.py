"""Chinese names for the demo's enterprises, people and sites, composed from word lists the way
registered names are built (行政区划 + 字号 + 行业 + 组织形式), so no name needs a number to be
unique. Nothing here names a real enterprise on purpose."""

from __future__ import annotations

import random
from collections.abc import Callable

PLACES = ("北京", "北京亦庄", "北京经开", "亦庄", "北京亦城", "北京大兴", "北京通州", "北京南苑")
# 字号: two-character brand words; a brand is one word or two joined (华创, 华创博远).
WORDS = (
    "华创", "中屹", "博瑞", "康宁", "金谷", "星河", "天工", "卓越", "恒通", "瑞丰", "新元", "远航", "汇智", "京泰",
    "博远", "永信", "安捷", "睿达", "联创", "宏图", "百川", "鼎盛", "精诚", "盛世", "奥星", "海纳", "明德", "启航",
    "正弘", "东方", "长弘", "光启", "晨曦", "嘉和", "信达", "凯瑞", "华夏", "兴业", "同创", "锐新", "泰和", "致远",
    "思源", "云帆", "聚能", "中晟", "德信", "蓝海", "紫岚", "金桥", "国泰", "万通", "诺康", "天瑞", "科华", "普瑞",
    "宏达", "拓弘", "英朗", "凯睿", "世纪", "和光", "宇航", "北辰", "辰星", "瀚海", "中鼎", "恒熠", "安泰", "华誉",
    "众合", "君安", "银河", "青禾", "润泽", "融智", "昊天", "祥云",
)
INDUSTRIES = (
    "精密制造", "生物医药", "集成电路", "新能源汽车", "智能装备", "光电子", "医疗器械", "新材料", "机器人", "航空航天",
    "半导体设备", "电子信息", "汽车零部件", "数控机床", "生物技术", "检测仪器", "电子材料", "智能制造", "通信设备",
    "光学仪器", "储能科技", "显示技术", "医药科技", "环保科技",
)
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司")
GROUP_SUFFIXES = ("集团有限公司", "控股有限公司", "投资控股有限公司")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许"
    "傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆"
    "郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚",
         "丽", "华", "建", "国", "文", "辉", "鹏", "宇", "欣", "佳", "晨", "婷", "博", "浩", "思", "悦", "志", "海")
# Each street or town's roads, for parcel names and addresses.
ROADS: dict[str, tuple[str, ...]] = {
    "ronghua": ("荣华南路", "荣华中路", "荣京东街", "地盛北街", "宏达北路"),
    "boxing": ("博兴八路", "博兴二路", "经海三路", "经海五路", "科创六街"),
    "yizhuang": ("科创十三街", "科创十一街", "景园北街", "同济南路", "运成街"),
    "jiugong": ("旧宫东路", "德茂路", "久敬庄路", "成和街"),
    "yinghai": ("瀛海南路", "瀛顺路", "兴海路", "南海子路"),
    "qingyundian": ("青云店大街", "青云店东路", "北辛屯路"),
    "zhangziying": ("长子营工业园路", "长子营东路", "朱庄路"),
    "caiyu": ("采育经济开发区路", "育隆大街", "采华路"),
    "taihu": ("台湖光机电路", "兴光二街", "次渠南路", "嘉创路"),
    "majuqiao": ("金桥科技路", "兴贸二街", "景盛南二街", "环科中路"),
}
SITE_KINDS = ("产业基地", "生产基地", "研发中心", "产业园", "制造基地", "科技园", "厂区")


class CompanyNamer:
    """Registered names, each given out once: a name is composed until it is new (the word lists
    allow millions of combinations, so this stays fast far beyond a million enterprises)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._taken: set[str] = set()

    def brand(self) -> str:
        rng = self._rng
        return rng.choice(WORDS) if rng.random() < 0.3 else rng.choice(WORDS) + rng.choice(WORDS)

    def enterprise(self, industry: str) -> str:
        rng = self._rng
        return self._new(lambda: rng.choice(PLACES) + self.brand() + industry + rng.choice(SUFFIXES))

    def group(self) -> str:
        rng = self._rng
        return self._new(lambda: rng.choice(PLACES[:4]) + self.brand() + rng.choice(GROUP_SUFFIXES))

    def _new(self, compose: Callable[[], str]) -> str:
        while True:
            name = compose()
            if name not in self._taken:
                self._taken.add(name)
                return name


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.35 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def site_name(rng: random.Random, street: str, industry: str) -> str:
    return rng.choice(ROADS[street]) + industry + rng.choice(SITE_KINDS)


def address(rng: random.Random, street: str) -> str:
    return f"{rng.choice(ROADS[street])}{rng.randint(1, 188)}号"
