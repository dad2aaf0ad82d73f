"""Synthetic citizen requests for the channel simulator: valid, near-duplicate and invalid payloads.

All text is made up here from templates and slot fillers (no real case data). Everything is drawn
from the `rng` that is passed in and from `now`, so one seed always gives the same payloads.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tickets.core.text import clean_text
from tickets.dispatching.duplicates import text_similarity
from tickets.intake.adapters.base import CONTENT_MAX, TITLE_MAX, title_from

FAMILIES = ("hotline", "web_form", "petition", "public_opinion", "machine_event", "city_platform")
ID_FIELDS = {
    "hotline": "call_id",
    "web_form": "submission_id",
    "petition": "case_number",
    "public_opinion": "item_id",
    "machine_event": "event_id",
    "city_platform": "upstream_number",
}
CST = timezone(timedelta(hours=8))
# the bar a near-duplicate must clear here; the task asks for > 0.5, this leaves a margin
NEAR_DUPLICATE_MIN_SIMILARITY = 0.55

# ---------------------------------------------------------------------------------------------
# Geography: the 10 street offices, each with an approximate centre, roads and compounds.

_STREETS: dict[str, tuple[tuple[float, float], tuple[str, ...], tuple[str, ...]]] = {
    "园岭": ((22.552, 114.093),
           ("红荔路", "百花二路", "百花五路", "八卦二路", "园岭东路", "上步中路"),
           ("园岭新村", "百花园", "八卦岭宿舍区", "园东花园", "红荔新苑", "鹏益花园")),
    "南园": ((22.538, 114.091),
           ("南园路", "华强南路", "滨河大道辅道", "赤尾路", "巴登街", "南华路"),
           ("赤尾村", "巴登村", "南华村", "埔尾村", "南园新村", "滨江花园")),
    "福田": ((22.527, 114.068),
           ("福民路", "福华三路", "金田路", "益田路", "福强路", "岗厦路"),
           ("皇岗村", "福田村", "水围村", "岗厦村", "福民新村", "渔农村")),
    "沙头": ((22.527, 114.030),
           ("沙嘴路", "新洲路", "沙尾路", "滨河路", "金地一路", "沙头角路"),
           ("沙尾村", "上沙村", "下沙村", "沙嘴村", "新洲村", "金海湾花园")),
    "香蜜湖": ((22.545, 114.028),
            ("香蜜湖路", "景田路", "农园路", "侨香路", "香梅路", "红荔西路"),
            ("景田北小区", "香蜜三村", "东海花园", "竹子林小区", "农科宿舍区", "香榭花园")),
    "梅林": ((22.569, 114.050),
           ("梅林路", "梅华路", "梅康路", "北环大道辅道", "上梅林路", "凯丰路"),
           ("梅林一村", "梅林二村", "上梅林村", "下梅林村", "梅山苑", "梅京花园")),
    "莲花": ((22.556, 114.058),
           ("彩田路", "红荔西路", "景田东路", "紫荆路", "莲花路", "新闻路"),
           ("莲花北村", "莲花二村", "景华花园", "彩田村", "紫荆苑", "梅岭小区")),
    "华富": ((22.555, 114.078),
           ("华富路", "笋岗西路", "上步北路", "黄木岗路", "泥岗西路", "华新路"),
           ("华富村", "莲花一村", "黄木岗小区", "田面新村", "笋岗宿舍区", "新华苑")),
    "福保": ((22.512, 114.058),
           ("福保路", "桂花路", "红柳道", "绒花路", "石厦北街", "益田路南段"),
           ("石厦村", "益田村", "福保花园", "明月花都", "石厦新村", "保税区宿舍")),
    "华强北": ((22.545, 114.087),
            ("华强北路", "振华路", "燕南路", "华发北路", "中航路", "振兴路"),
            ("上步工业区宿舍", "燕南新村", "振华大院", "华发小区", "荔村", "华强北步行街")),
}
_ROAD_PLACES = ("{road}{num}号", "{road}与{road2}交叉口", "{road}公交站",
                "{road}人行天桥下", "{road}靠近{compound}一段", "{road}{num}号门口")
_COMPOUND_PLACES = ("{compound}{bldg}", "{compound}{bldg}楼下", "{compound}北门",
                    "{compound}南门口", "{compound}东门", "{compound}西门")

# ---------------------------------------------------------------------------------------------
# People.

_SURNAMES = ("张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱",
             "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "邓", "冯",
             "韩", "曹", "曾", "彭", "萧", "蔡", "潘", "田", "董", "袁", "钟", "叶")
_GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国"
          "志文玉兰婷雪慧晨浩宇欣佳思俊德海晓春红林辉")
_TITLES = ("先生", "先生", "女士", "女士", "小姐", "阿姨", "伯")
_MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
                    "150", "151", "152", "153", "155", "156", "157", "158", "159", "166",
                    "173", "175", "176", "177", "178", "180", "181", "182", "183", "184",
                    "185", "186", "187", "188", "189", "191", "193", "195", "198", "199")
_ID_AREAS = ("440304", "440304", "440303", "440305", "440306", "440307", "430102", "360102",
             "450102", "420106", "440582", "441402", "445202", "510107", "350102", "410105")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_NICKNAMES = ("福田街坊", "梅林老街坊", "莲花山下的猫", "深漂小王", "香蜜湖夜跑的", "华强北打工人",
              "沙头角落", "车公庙搬砖侠", "福保小透明", "园岭老住户", "一只南园的喵", "岗厦阿强",
              "下沙吃货", "爱吐槽的深圳人", "宝妈日记2020", "皇岗路人甲")
_MEDIA = ("本地报社记者", "电视台民生栏目", "都市频道记者", "新闻客户端记者")
_GRID_REPORTERS = ("网格员", "网格员", "城管队员", "社区巡查员")

# ---------------------------------------------------------------------------------------------
# Topics: what citizens report. Sentences are neutral about who speaks; {me} is "我" for a
# citizen writing and "来电人"/"市民"/"来访人" for someone relaying.

_DAYS = ("两三天", "三天", "快一个星期", "一个多星期", "半个多月", "一个多月", "两个多月")
_WHEN = ("每天晚上十一点以后", "凌晨一两点", "半夜十二点多", "每天早上六点不到", "周末一大早",
         "晚上十点以后")
_SINCE = ("今天早上七点多", "昨天晚上", "今天中午", "前天下午", "今天凌晨", "昨天傍晚")
_DUR = ("十几分钟", "半个多小时", "二十分钟左右", "一个多小时")
_SMALL = ("两", "三", "四", "五", "六", "七", "八")


@dataclass(frozen=True)
class _Topic:
    key: str
    weight: int
    where: str  # "road", "compound" or "any"
    category: tuple[str, ...]
    titles: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    asks: tuple[str, ...]
    urgent: bool = False
    emergency: bool = False  # someone must go there now: no subject for a petition
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)


_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "streetlight", 6, "any", ("城乡建设", "市政设施", "路灯照明"),
        ("{place}路灯不亮", "{road}一段路灯坏了好久", "{compound}周边路灯损坏",
         "反映{road}路灯夜间不亮"),
        ("{place}有{n}盏路灯已经{days}不亮了，晚上一片漆黑。",
         "{road}靠近{compound}这一段路灯时亮时不亮，有的干脆全黑。",
         "{place}的路灯坏了{days}，晚上走路全靠手机照明。"),
        ("附近老人小孩晚上出来散步，很容易摔倒。",
         "这段路晚上外卖电动车多，黑灯瞎火的很危险。",
         "之前打过电话说会来修，到现在还是没动静。",
         "旁边就是小学，晚上接孩子补课回来路过都提心吊胆。"),
        ("希望尽快安排人员维修。", "请路灯管理部门派人来看看。", "麻烦尽快修一下，谢谢。"),
    ),
    _Topic(
        "construction_noise", 6, "any", ("生态环境", "噪声污染", "建筑施工噪声"),
        ("{place}工地夜间施工扰民", "{road}夜间施工噪音太大", "反映{compound}旁工地半夜施工"),
        ("{place}附近的工地{when}还在施工，打桩声、电钻声不断。",
         "{road}在修路，{when}还有机器轰隆隆作业，吵得根本睡不着。",
         "{compound}旁边的工地最近{days}天天{when}开工，渣土车进进出出。"),
        ("{me}家有老人和刚出生的小孩，整晚被吵醒好几次。",
         "问过工地保安，说有夜间施工许可，但现场没看到任何公示。",
         "白天施工能理解，半夜还干就太过分了。",
         "工地周边扬尘也很大，阳台晾的衣服全是灰。"),
        ("请核查是否办理了夜间施工许可，依法处理。", "希望有关部门管一管，别再夜间施工了。",
         "请环保部门晚上到现场测一下噪声。"),
    ),
    _Topic(
        "social_noise", 5, "any", ("生态环境", "噪声污染", "社会生活噪声"),
        ("{road}{venue}噪音扰民", "{compound}楼下{venue}太吵", "投诉{place}{venue}深夜扰民"),
        ("{place}的{venue}{when}音乐还开得震天响。",
         "{compound}楼下新开了一家{venue}，{when}还有人大声喧哗。",
         "{road}一带的{venue}经常营业到凌晨，客人在门口喝酒吵闹。"),
        ("{me}住在{floor}楼，关着窗都能听到低音炮。",
         "打过110，来了就小声一会儿，警察一走又恢复原样。",
         "第二天还要上班，连续几个晚上没睡好觉，人都快崩溃了。",
         "周边住户意见都很大，业主群里天天有人在说。"),
        ("请相关部门依法查处。", "希望规定营业时间，晚上十点以后别再放音乐。",
         "麻烦派人晚上来现场看看就知道有多吵。"),
        slots={"venue": ("酒吧", "KTV", "清吧", "烧烤大排档", "广场舞队伍", "棋牌室")},
    ),
    _Topic(
        "cooking_fumes", 5, "any", ("生态环境", "大气污染", "餐饮油烟"),
        ("{compound}楼下{eatery}油烟直排", "{road}{eatery}油烟扰民", "反映{place}餐饮油烟问题"),
        ("{place}一楼的{eatery}油烟直接往外排，整栋楼都是油烟味。",
         "{compound}{bldg}底商{eatery}没装油烟净化器，烟道正对着住户窗口。",
         "{road}上的{eatery}每天中午和晚上排油烟，呛得人直咳嗽。"),
        ("夏天根本不敢开窗，空调外机上都是一层油。",
         "{me}家有哮喘病人，闻到油烟就难受。",
         "跟店家沟通过，老板说装了净化器，但明显没开。",
         "这家店还把厨余垃圾堆在后巷，招老鼠蟑螂。"),
        ("请执法部门检查其油烟净化设施。", "希望督促店家整改，加装或清洗净化设备。",
         "请尽快处理，不要再拖了。"),
        slots={"eatery": ("烧烤店", "川菜馆", "湘菜馆", "猪脚饭店", "粉面店", "火锅店",
                          "炸鸡店")},
    ),
    _Topic(
        "illegal_parking", 6, "road", ("交通运输", "道路交通", "违章停车"),
        ("{road}路段车辆乱停", "{place}长期违章停车", "{compound}门口违停堵塞消防通道"),
        ("{place}每天傍晚都有车辆违停，双向车道只剩一条能走。",
         "{compound}门口的消防通道被私家车长期占用。",
         "{road}与{road2}交叉口常年有车辆乱停，公交车都开不进站。"),
        ("早高峰堵得很厉害，送孩子上学经常迟到。",
         "有几辆车停了{days}都没动过，像是僵尸车。",
         "万一小区里着火，消防车根本进不来。",
         "路边明明画了禁停黄线，还是照停不误。"),
        ("请交警加强巡查，依法处罚。", "建议安装违停抓拍设备。", "希望尽快清理，恢复道路通行。"),
    ),
    _Topic(
        "occupied_sidewalk", 5, "road", ("城市管理", "市容市貌", "占道经营"),
        ("{road}人行道被{stall}占用", "{place}占道经营", "反映{place}人行道无法通行"),
        ("{place}人行道上摆满了{stall}，行人只能走机动车道。",
         "{road}的商铺把货物和{stall}摆到人行道上，盲道全被占了。",
         "{compound}门口每天早上都有{stall}占道，垃圾随手乱丢。"),
        ("推婴儿车、坐轮椅的根本过不去。",
         "城管来了就收，城管一走又摆出来，反反复复。",
         "晚上摊位收了以后地上全是油污和垃圾。"),
        ("请城管部门加强管理。", "希望规划一个固定的摊点区域，别占人行道。",
         "请尽快清理占道物品。"),
        slots={"stall": ("水果摊", "小吃摊", "电动车维修点", "早餐摊", "服装地摊",
                         "快递堆放点")},
    ),
    _Topic(
        "garbage", 6, "any", ("城市管理", "环境卫生", "垃圾清运"),
        ("{compound}垃圾多日未清运", "{place}垃圾堆积发臭", "反映{compound}垃圾收集点问题"),
        ("{place}的垃圾收集点已经{days}没人清运了，垃圾桶满得溢出来。",
         "{compound}{bldg}旁边堆了一大堆装修垃圾和旧家具，一直没人拉走。",
         "{road}路边的垃圾桶天天满，周边全是散落的垃圾。"),
        ("天气热，臭味熏得人不敢开窗，苍蝇蚊子特别多。",
         "晚上还能看到老鼠在垃圾堆里窜来窜去。",
         "问了物业，物业说是环卫公司的事，互相推来推去。"),
        ("请环卫部门尽快清运。", "希望增加清运频次。", "请明确责任单位，别再推诿。"),
    ),
    _Topic(
        "water_outage", 4, "compound", ("城乡建设", "供水", "停水"),
        ("{compound}突然停水", "{compound}{bldg}停水无通知", "{compound}水压太低"),
        ("{compound}从{since}开始停水，到现在还没来水。",
         "{compound}{bldg}已经停水{days}，事先没有任何通知。",
         "{compound}高层住户水压一直很低，{floor}楼以上基本没水。"),
        ("家里有老人和小孩，做饭洗澡都成问题。",
         "打水务热线说是管网抢修，但没说什么时候恢复。",
         "来水以后水是黄的，不敢喝。"),
        ("请尽快恢复供水并告知时间。", "希望以后停水提前通知。", "请安排送水车应急。"),
    ),
    _Topic(
        "power_cut", 4, "compound", ("城乡建设", "供电", "停电"),
        ("{compound}频繁停电", "{compound}{bldg}停电", "反映{compound}停电问题"),
        ("{compound}{bldg}从{since}开始停电，到现在还没恢复。",
         "{compound}这个月已经停了{n}次电，每次都没通知。",
         "{place}整栋楼突然停电，电梯也停了。"),
        ("冰箱里的东西都坏了，家里老人还要用制氧机。",
         "物业说是供电局线路问题，供电局说是小区内部问题。",
         "晚上黑灯瞎火，楼道应急灯也不亮。"),
        ("请供电部门尽快抢修。", "希望查明频繁停电的原因，彻底解决。", "请尽快恢复供电。"),
    ),
    _Topic(
        "gas_smell", 2, "compound", ("城乡建设", "燃气", "燃气泄漏"),
        ("{place}闻到燃气味", "{compound}{bldg}疑似燃气泄漏", "紧急：{compound}燃气味很重"),
        ("{compound}{bldg}楼道里有很浓的燃气味，已经持续{dur}。",
         "{place}附近闻到明显的煤气味，不知道是哪家漏气。",
         "{road}一家餐馆后厨燃气味很重，旁边就是住宅楼。"),
        ("已经让邻居们不要开关电器，打开了窗户通风。",
         "楼上住了很多老人，担心出事。",
         "敲了几户门都没人应，不知道源头在哪。"),
        ("请燃气公司立即派人排查！", "情况紧急，请马上处理。", "请尽快到现场，以免发生危险。"),
        urgent=True, emergency=True,
    ),
    _Topic(
        "lift_trapped", 2, "compound", ("城乡建设", "安全生产", "电梯安全"),
        ("{compound}{bldg}电梯困人", "紧急：{compound}电梯困人", "{compound}电梯故障有人被困"),
        ("{compound}{bldg}电梯停在{floor}楼附近，里面困了{people}。",
         "{compound}{bldg}电梯突然下坠后卡住，{people}被困在里面。",
         "{place}的电梯门打不开，里面有{people}，已经被困{dur}。"),
        ("按了紧急呼叫按钮没人应答。", "物业值班电话一直打不通。",
         "里面的人说很闷，有点喘不上气。", "这部电梯上个月就坏过两次，一直没彻底修好。"),
        ("请马上派人救援！", "请电梯维保单位立即到场。", "情况紧急，请尽快处置。"),
        urgent=True, emergency=True,
        slots={"people": ("两位老人", "一名孕妇", "一个小学生", "三四个人",
                          "外卖小哥和一位阿姨")},
    ),
    _Topic(
        "waterlogging", 3, "road", ("城乡建设", "排水", "道路积水"),
        ("{place}严重积水", "{road}下穿通道积水", "紧急：{road}水浸"),
        ("{place}积水已经没过小腿，有车辆在水里熄火。",
         "{road}下穿通道积水很深，还有车辆往里开。",
         "{compound}地下车库进水了，水还在往里灌。"),
        ("雨还在下，水位还在涨。", "路边井盖被水冲开了，行人看不见很危险。",
         "每次下大雨这里都淹，排水口好像被堵住了。"),
        ("请立即派人排水并设置警示。", "请尽快封闭通道，防止车辆涉水。", "请排水部门紧急处置。"),
        urgent=True, emergency=True,
    ),
    _Topic(
        "wage_arrears", 4, "any", ("劳动和社会保障", "劳动关系", "拖欠工资"),
        ("{employer}拖欠工资", "反映{road}一家{employer}欠薪", "讨薪：{employer}拖欠{months}工资"),
        ("{street}街道一家{employer}拖欠{months}工资，共计{money}。",
         "在{road}的{employer}上班，老板已经{months}没发工资了。",
         "{employer}突然关门，老板失联，工人工资{money}没结。"),
        ("找老板要了好几次，每次都说下个月发。",
         "一起干活的还有{n}个工友，大家都等着钱交房租。",
         "劳动合同没签，只有微信聊天记录和考勤截图。",
         "家里还有孩子要交学费，实在拖不起了。"),
        ("请劳动监察部门帮忙追讨。", "希望政府出面协调，尽快拿到工资。",
         "请依法处理，维护劳动者权益。"),
        slots={"employer": ("装修公司", "餐饮店", "快递站点", "物流公司", "美容院", "保安公司",
                            "电子产品档口"),
               "money": ("一万多元", "三万多元", "八千元", "五万多元", "二十多万元")},
    ),
    _Topic(
        "property_dispute", 5, "compound", ("城乡建设", "物业管理", "物业服务"),
        ("{compound}物业乱收费", "{compound}物业不作为", "反映{compound}物业管理问题"),
        ("{compound}物业未经业主大会同意，把月租停车费从{p1}元涨到{p2}元。",
         "{compound}物业收了物业费却不干事，楼道没人打扫，门禁坏了{days}也不修。",
         "{compound}物业强行更换门禁系统，要求每户交钱办卡。",
         "{compound}物业擅自把公共绿地改成停车位出租。"),
        ("业主多次找物业协商，物业态度很差。", "物业合同早就到期了，一直没有重新选聘。",
         "公共收益从来没有公示过。"),
        ("请住建部门介入调查。", "希望街道协调成立业委会。", "请督促物业整改并公示收支。"),
        slots={"p1": ("300", "350", "400"), "p2": ("500", "600", "800")},
    ),
    _Topic(
        "school_places", 3, "compound", ("教育", "基础教育", "学位申请"),
        ("学位申请咨询", "{compound}片区学位问题", "孩子入学学位紧张"),
        ("孩子明年上小学，家住{compound}，想了解学位申请需要哪些材料。",
         "{compound}划分的对口学校离家太远，要过{road}好几个路口。",
         "非深户，租房住在{compound}{years}，孩子上学积分不够。",
         "孩子今年小升初，被派位到很远的学校。"),
        ("租房合同备案和居住证都已经办了。", "网上查了政策，看得不太明白。",
         "每天接送要一个多小时，家长实在吃不消。"),
        ("请教育部门给予解答。", "希望能调整学区划分。", "请告知是否有补录的可能。"),
    ),
    _Topic(
        "social_insurance", 3, "any", ("劳动和社会保障", "社会保险", "社保缴纳"),
        ("社保缴费问题咨询", "公司未给员工缴社保", "医保报销问题"),
        ("在{road}一家公司上班{years}，公司一直没给交社保。",
         "社保断缴了{months}，想了解怎么补缴。",
         "退休人员医保在社康报销的比例和说明不一致。",
         "灵活就业人员社保在网上办理一直提示失败。"),
        ("公司说社保费用已经包含在工资里了。", "打了几次12333都占线。",
         "去了行政服务大厅，说材料不全又让回去。"),
        ("请帮忙核实处理。", "希望给一个明确答复。", "请社保部门督促公司补缴。"),
    ),
    _Topic(
        "public_transport", 3, "road", ("交通运输", "公共交通", "公交线路"),
        ("建议增加{road}公交班次", "建议{route}延长运营时间", "{road}公交站设置不合理"),
        ("{road}公交站早高峰等{route}要二十多分钟，车到了也挤不上去。",
         "建议{route}在{compound}增设一个站点，附近居民出行太不方便。",
         "{route}末班车太早，晚上九点以后就没车了。",
         "{road}公交站没有遮雨棚，下雨天等车全身湿透。"),
        ("附近新建了好几个小区，人口多了不少。", "老人去社康看病要转两趟车。",
         "地铁站离这边也比较远，只能坐公交。"),
        ("希望交通部门研究一下。", "建议加密班次。", "恳请考虑居民的实际需求。"),
    ),
    _Topic(
        "food_safety", 4, "road", ("市场监管", "食品安全", "食品质量"),
        ("{road}{store}销售过期{item}", "投诉{road}{store}食品安全问题",
         "{place}{store}卫生状况差"),
        ("在{road}的{store}买的{item}，回家发现已经过期{n}天了。",
         "{place}的{store}后厨卫生很差，看到老鼠在操作台上跑。",
         "{compound}附近{store}卖的{item}吃了以后全家拉肚子。"),
        ("找店家理论，店员态度很差，只肯退钱不肯赔偿。", "小票和照片都保留着。",
         "这家店不是第一次了，之前也有人在网上曝光过。"),
        ("请市场监管部门查处。", "希望依法要求商家赔偿。", "请对该店进行检查。"),
        slots={"store": ("超市", "生鲜店", "便利店", "菜市场档口", "面包店", "奶茶店"),
               "item": ("鲜牛奶", "面包", "冻肉", "熟食", "蛋糕", "酸奶")},
    ),
    _Topic(
        "shared_bikes", 3, "road", ("城市管理", "市容市貌", "共享单车"),
        ("{place}共享单车乱停放", "{road}共享单车堆积堵塞盲道", "地铁口共享单车太多"),
        ("{place}每天晚上堆满共享单车，盲道和消防通道都被占了。",
         "{road}地铁口附近共享单车停得密密麻麻，行人过不去。",
         "{compound}门口有很多坏掉的共享单车，堆了{days}没人管。"),
        ("早上高峰期特别乱，还有人把车扔到绿化带里。",
         "打了单车公司的客服电话，说会派人清理，一直没来。"),
        ("请督促运营企业及时清理。", "建议划定停放区域。", "请尽快清理。"),
    ),
    _Topic(
        "pets", 3, "compound", ("城市管理", "动物管理", "犬只管理"),
        ("{compound}遛狗不拴绳", "{compound}有人饲养大型犬", "{place}流浪狗问题"),
        ("{compound}有住户遛狗不拴绳，还放任狗在草坪上大小便。",
         "{compound}{bldg}有户人家养了一条大型犬，每天晚上叫个不停。",
         "{place}附近流浪狗越来越多，有的还追着小孩跑。"),
        ("前几天邻居家小孩被吓哭了，差点被咬。", "跟狗主人说了，对方还很不耐烦。",
         "电梯里也经常有狗尿，没人清理。"),
        ("请相关部门加强犬只管理。", "希望物业和社区出面处理。", "请依法处理不文明养犬行为。"),
    ),
    _Topic(
        "tree_trimming", 3, "any", ("城市管理", "园林绿化", "树木修剪"),
        ("{place}树木需要修剪", "{road}大树倾斜有倒伏风险", "{compound}树枝遮挡窗户"),
        ("{place}的行道树树枝太长，已经伸到{compound}住户的窗户里了。",
         "{road}有棵大树严重倾斜，根部都翘起来了。",
         "台风过后{place}有树枝断了挂在树上，一直没人处理。"),
        ("树上还有很多蚊虫，家里窗户都不敢开。", "树枝把路灯和交通标志都遮住了。",
         "万一掉下来砸到行人或车辆就麻烦了。"),
        ("请园林部门尽快修剪。", "请尽快派人处理安全隐患。", "希望定期修剪。"),
    ),
    _Topic(
        "manhole", 2, "road", ("城乡建设", "市政设施", "井盖"),
        ("{place}井盖缺失", "{road}井盖破损", "紧急：{place}井盖丢失"),
        ("{place}人行道上有个井盖不见了，留下一个大坑。",
         "{road}机动车道上的井盖破了一个角，车子压上去哐哐响。",
         "{compound}门口的井盖松动下沉，有人踩空差点掉下去。"),
        ("晚上光线暗，很容易有人掉进去。", "现在只有路人放了个纸箱在上面，起不到作用。",
         "附近就是学校，小孩上下学都从这里走。"),
        ("请尽快设置警示并修复！", "请相关部门马上处理。", "请尽快更换井盖。"),
        urgent=True, emergency=True,
    ),
    _Topic(
        "fire_risk", 3, "compound", ("安全生产", "消防安全", "消防隐患"),
        ("{compound}楼道电动车充电隐患", "{compound}消防通道被堵", "{place}消防安全隐患"),
        ("{compound}{bldg}有住户把电动车推进楼道里充电，电线从窗户拉出来。",
         "{compound}的消防通道被杂物和车辆堵死了，消防栓也被挡住。",
         "{place}一栋出租屋把楼道当仓库，堆满了纸箱和泡沫。"),
        ("前段时间就有电动车起火的新闻，看着都害怕。", "消防栓里的水带都不见了。",
         "楼里住了几十户人，一旦着火后果不堪设想。"),
        ("请消防部门尽快检查。", "请尽快清理，消除隐患！", "希望加强巡查，依法处罚。"),
        urgent=True,
    ),
    _Topic(
        "building_risk", 2, "compound", ("城乡建设", "房屋安全", "危房隐患"),
        ("{compound}外墙瓷砖脱落", "{compound}{bldg}楼体开裂", "{place}房屋安全隐患"),
        ("{compound}{bldg}外墙瓷砖一块块往下掉，下面就是人行道。",
         "{compound}{bldg}墙体出现好几道裂缝，最近越来越宽。",
         "{place}一栋旧楼的阳台栏杆锈断了，随时可能掉下来。"),
        ("昨天掉下来一块，差点砸到人。", "这栋楼有三十多年了，一直没做过安全鉴定。",
         "旁边工地施工以后裂缝才明显变大。"),
        ("请住建部门尽快鉴定并处理！", "请先拉警戒线，防止砸伤人。", "请尽快派人排查。"),
        urgent=True,
    ),
    _Topic(
        "road_damage", 3, "road", ("城乡建设", "市政设施", "道路破损"),
        ("{road}路面坑洼", "{place}路面塌陷", "{road}人行道地砖松动"),
        ("{place}路面有好几个大坑，下雨后积水根本看不出来。",
         "{road}人行道地砖松动翘起，一踩就溅一裤腿泥水。",
         "{road}与{road2}路口的路面开裂下沉，车辆经过都要绕行。"),
        ("电动车骑过去很容易摔倒，已经有人摔伤了。", "这个问题存在{days}了。"),
        ("请市政部门尽快修复。", "希望尽快修补路面。", "请派人来看看。"),
    ),
    _Topic(
        "prepaid_card", 3, "road", ("市场监管", "消费维权", "预付卡"),
        ("{venue}关门跑路无法退费", "投诉{road}{venue}预付卡问题", "{venue}拒绝退款"),
        ("在{road}的{venue}办了{price}的会员卡，现在突然关门了。",
         "{place}的{venue}要求退课要扣一半费用，合同上根本没写。",
         "{venue}卖卡的时候承诺随时可退，现在找各种理由不退。"),
        ("一起被坑的会员建了群，已经有{count}多人。",
         "老板电话打不通，店门上贴了停业装修的通知。"),
        ("请市场监管部门介入。", "希望帮忙追回预付款。", "请依法查处。"),
        slots={"venue": ("健身房", "美容院", "游泳馆", "培训机构", "理发店"),
               "price": ("三千多元", "五千元", "八千八百元", "一万二")},
    ),
    _Topic(
        "rental", 3, "compound", ("城乡建设", "房屋租赁", "租赁纠纷"),
        ("二房东扣押金不退", "{compound}出租屋租赁纠纷", "房东长期不修漏水"),
        ("租住在{compound}的房子到期退租，二房东以各种理由扣押金不退。",
         "{compound}的房东突然要涨租两成，不同意就让搬走。",
         "{compound}一间出租屋漏水{days}，房东一直不修。"),
        ("签合同时房子就有问题，入住时拍了视频。",
         "押金{deposit}，对打工的人来说不是小数目。"),
        ("请租赁管理部门协调。", "希望帮忙调解。", "请给个说法。"),
        slots={"deposit": ("四千多", "六千元", "一万出头")},
    ),
    _Topic(
        "clinic", 2, "compound", ("卫生健康", "医疗服务", "社康中心"),
        ("{compound}社康排队时间长", "社康中心服务态度差", "疫苗预约问题"),
        ("带孩子去{compound}附近的社康打疫苗，预约了还要排两个小时。",
         "{street}街道一家社康的医生态度很差，问两句就不耐烦。",
         "老人在{compound}社康开慢性病药，经常缺药，只能跑大医院。"),
        ("周末人特别多，只有一个窗口开着。", "老人腿脚不好，来回折腾很辛苦。"),
        ("请卫健部门关注。", "希望改善服务。", "建议增加周末的医生。"),
    ),
)
_TOPIC_BY_KEY = {t.key: t for t in _TOPICS}

# Machine events: event type -> (Chinese name, topic whose sentences a grid worker might use).
_MACHINE_TYPES: dict[str, tuple[str, str]] = {
    "occupy_road": ("占道经营", "occupied_sidewalk"),
    "garbage": ("垃圾堆放", "garbage"),
    "waterlogging": ("水浸告警", "waterlogging"),
    "gas_leak": ("燃气泄漏告警", "gas_smell"),
    "manhole_missing": ("井盖缺失", "manhole"),
    "illegal_parking": ("违章停车", "illegal_parking"),
    "building_risk": ("房屋安全隐患", "building_risk"),
}
_MACHINE_WEIGHTS = {"occupy_road": 5, "garbage": 5, "waterlogging": 2, "gas_leak": 1,
                    "manhole_missing": 2, "illegal_parking": 5, "building_risk": 1}
_AI_TEXT: dict[str, tuple[str, ...]] = {
    "occupy_road": ("视频AI识别到人行道有{n}处流动摊点占道经营，持续约{mins}分钟。",
                    "识别到商铺出店经营，货物摆放超出门前线。"),
    "garbage": ("识别到垃圾桶满溢，地面有散落垃圾。",
                "识别到路边堆放大件垃圾，持续超过{mins}分钟。"),
    "waterlogging": ("识别到路面大面积积水，车辆通行缓慢。",
                     "识别到下穿通道积水，有车辆涉水通行。"),
    "manhole_missing": ("识别到机动车道疑似井盖缺失。", "识别到人行道井盖移位，有开口。"),
    "illegal_parking": ("识别到{n}辆机动车在禁停路段停放超过{mins}分钟。",
                        "识别到车辆占用公交站台停放。"),
}
_IOT_TEXT: dict[str, tuple[str, ...]] = {
    "waterlogging": ("水浸传感器读数 {cm} 厘米，超过 20 厘米告警阈值，{trend}。",),
    "gas_leak": ("可燃气体探测器浓度 {lel}%LEL，超过 20%LEL 告警阈值。",
                 "燃气管网压力异常下降，同时探测到可燃气体浓度 {lel}%LEL。"),
    "manhole_missing": ("智能井盖传感器检测到井盖倾斜 {deg} 度，疑似被移开。",),
    "building_risk": ("倾斜监测仪读数较上次增加 {mm} 毫米，超过预警值。",
                      "裂缝计读数 {mm} 毫米，超过预警值。"),
}
_GRID_ENDINGS = ("已拍照取证。", "已现场劝导，需相关部门跟进处置。", "已告知社区工作站。",
                 "现场已设置临时警示。", "")

# ---------------------------------------------------------------------------------------------
# Voices: how the same problem is framed by each kind of channel.

_POLITE_OPEN = ("您好，", "领导您好！", "你好，", "尊敬的领导：")
_POLITE_CLOSE = ("谢谢！", "辛苦了，谢谢！", "麻烦了，感谢！", "盼复。")
_ANGRY = ("已经反映过{n}次了，一直没人管！", "到底有没有人管？", "真的忍无可忍了！",
          "这种情况还要持续多久？", "搞什么嘛，天天这样谁受得了。", "真的服了，投诉了也白投诉。",
          "说句不好听的，这是拿老百姓的安全开玩笑。")
_URGENT = ("情况紧急！", "十万火急！", "急！急！急！")
_CITIZEN_INTRO = ("我是{compound}的居民，", "我住在{compound}，", "本人在{road}附近上班，",
                  "我家就在{road}边上，", "", "", "")
_AGENT_OPEN = ("市民来电反映：", "来电人反映：", "{name}来电称，", "来电人表示，", "市民来电投诉：")
_AGENT_MOOD = {
    "angry": ("来电人情绪激动，称已多次反映未果。", "来电人对处理进度非常不满。"),
    "urgent": ("来电人语气焦急，请求立即处置。", "来电人称情况危急。"),
}
_AGENT_CLOSE = ("来电人要求回复处理结果。", "来电人不需要回复。", "来电人同意公开诉求内容。", "",
                "")
_RELAY_OPEN = ("市民通过@深圳-民意速办反映：", "市民通过深圳市长信箱反映：", "群众反映：",
               "市民来信反映：")
_POST_TAGS = ("@福田发布 管管吧！", "有没有人管管？", "[怒][怒]", "求扩散！",
              "@深圳民意速办 麻烦看看")

_LETTER_CLOSE = ("特此来信，恳请领导重视为盼。", "望予以解决。", "此致敬礼！")
_FORUM_CLOSE = ("大家有没有遇到同样情况的？", "求支招。", "顶上去让有关部门看到！")
_MEDIA_CLOSE = ("目前，记者已将相关情况反映给属地街道。", "对此，相关部门表示将尽快核实。", "")

_AGAIN_PREFIX = {
    "citizen": ("再次反映！", "之前已经反映过一次，", "第二次提交了，", "重复反映："),
    "agent": ("来电人再次来电，", "市民再次来电反映：", "来电人称此前已反映过，"),
    "relay": ("市民再次反映：", "重复诉求：", "市民称此前已反映，"),
    "post": ("又来了！", "再发一次，", "旧事重提：", "二次曝光："),
    "machine": ("复核：", "再次告警：", "同点位："),
}
_FOLLOW_UP = {
    "citizen": ("到现在还是老样子，一点改善都没有。", "已经过去好几天了，还是没人来处理。",
                "希望这次能认真对待。", "上次说会处理，结果什么都没变。"),
    "agent": ("来电人称问题至今未解决，要求尽快处理。", "来电人要求回电告知处理进度。",
              "来电人称上次反映后无人联系。"),
    "relay": ("市民称问题仍未解决。", "市民要求尽快回复。", "市民称上次反映后没有人联系。"),
    "post": ("这都多少天了还没人管？", "转发扩散，希望有关部门看到。", "评论区好多人说也遇到过。"),
    "machine": ("同一点位再次触发告警。", "复核仍存在该问题。", "前次处置后问题复现。"),
}
_AGAIN_TITLE = ("再次反映：{t}", "{t}（重复反映）", "{t}，至今未解决", "{t}仍未处理")
_SYNONYMS = (("尽快", "赶紧"), ("希望", "恳请"), ("晚上", "夜里"), ("马上", "立刻"),
             ("每天", "天天"), ("附近", "周边"), ("一直", "始终"), ("谢谢", "感谢"),
             ("很多", "不少"), ("没人", "没有人"))
_DUP_VOICE = {"hotline": "agent", "web_form": "citizen", "petition": "citizen",
              "public_opinion": "post", "machine_event": "machine", "city_platform": "relay"}

# ---------------------------------------------------------------------------------------------
# Small helpers.


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=CST)


def _iso(moment: datetime, *, utc: bool = False) -> str:
    if utc:
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace(
            "+00:00", "Z")
    return moment.astimezone(CST).isoformat(timespec="seconds")


def _before(now: datetime, rng: random.Random) -> datetime:
    """A moment a few seconds to a few hours before now."""
    bucket = rng.random()
    if bucket < 0.25:
        seconds = rng.randint(5, 120)
    elif bucket < 0.75:
        seconds = rng.randint(120, 3600)
    else:
        seconds = rng.randint(3600, 5 * 3600)
    return now - timedelta(seconds=seconds)


def _between(earlier: Any, now: datetime, rng: random.Random) -> datetime:
    """A moment after the original's timestamp (when it can be read) and before now."""
    try:
        start = datetime.fromisoformat(earlier) if isinstance(earlier, str) else None
    except ValueError:
        start = None
    if start is None or start.tzinfo is None or start >= now:
        return _before(now, rng)
    gap = (now - start).total_seconds()
    return start + timedelta(seconds=rng.uniform(0.3, 0.95) * gap)


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _styled_mobile(rng: random.Random, number: str) -> str:
    """How people type a number in a form: mostly plain, sometimes spaced or with +86."""
    style = rng.random()
    if style < 0.8:
        return number
    if style < 0.9:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style < 0.95:
        return f"+86 {number}"
    return f"{number[:3]}-{number[3:7]}-{number[7:]}"


def _full_width(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def _id_number(rng: random.Random) -> str:
    birth = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 55 * 365))
    body = f"{rng.choice(_ID_AREAS)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def _hex(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？])", text) if s]


# ---------------------------------------------------------------------------------------------
# A scene: one citizen, one place, one problem.


@dataclass
class _Scene:
    topic: _Topic
    street: str
    slots: dict[str, str]
    place: str
    address: str
    lat: float
    lng: float
    caller: str  # 张先生
    full_name: str
    phone: str
    tone: str  # polite / neutral / angry / urgent

    def fill(self, template: str, **extra: str) -> str:
        return template.format_map({**self.slots, **extra})

    def pick(self, rng: random.Random, templates: tuple[str, ...], **extra: str) -> str:
        return self.fill(rng.choice(templates), **extra)


def _scene(rng: random.Random, topic: _Topic, *, me: str) -> _Scene:
    street = rng.choice(list(_STREETS))
    (lat0, lng0), roads, compounds = _STREETS[street]
    road, road2 = rng.sample(roads, 2)
    bldg_style = rng.random()
    if bldg_style < 0.6:
        bldg = f"{rng.randint(1, 32)}栋"
    elif bldg_style < 0.8:
        bldg = f"{rng.choice('ABCDEF')}座"
    else:
        bldg = f"{rng.randint(1, 12)}号楼"
    route = f"{rng.choice(('', '', 'M', 'B'))}{rng.randint(2, 399)}路"
    slots = {
        "street": street, "road": road, "road2": road2, "compound": rng.choice(compounds),
        "bldg": bldg, "floor": str(rng.randint(2, 32)), "num": str(rng.randint(1, 388)),
        "days": rng.choice(_DAYS), "when": rng.choice(_WHEN), "since": rng.choice(_SINCE),
        "dur": rng.choice(_DUR), "n": rng.choice(_SMALL), "count": rng.choice(("二十", "三十",
                                                                                "五十", "一百")),
        "route": route, "years": rng.choice(("一年", "两年", "三年多", "五年")),
        "months": rng.choice(("两个月", "三个月", "四个多月", "半年")), "me": me,
    }
    for name, values in topic.slots.items():
        slots[name] = rng.choice(values)
    kind = topic.where
    if kind == "any":
        kind = rng.choice(("road", "compound"))
    place = rng.choice(_ROAD_PLACES if kind == "road" else _COMPOUND_PLACES).format_map(slots)
    slots["place"] = place
    surname = rng.choice(_SURNAMES)
    caller = surname + rng.choice(_TITLES)
    slots["name"] = caller
    full_name = surname + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    if topic.urgent:
        tone = rng.choices(("urgent", "angry", "neutral"), (5, 2, 2))[0]
    else:
        tone = rng.choices(("polite", "neutral", "angry"), (3, 4, 3))[0]
    lat = min(22.579, max(22.501, lat0 + rng.uniform(-0.006, 0.006)))
    lng = min(114.099, max(114.001, lng0 + rng.uniform(-0.006, 0.006)))
    return _Scene(topic, street, slots, place, f"福田区{street}街道{place}", lat, lng, caller,
                  full_name, _mobile(rng), tone)


def _topic(rng: random.Random, *, petition: bool = False) -> _Topic:
    topics = [t for t in _TOPICS if not (petition and t.emergency)]
    return rng.choices(topics, [t.weight for t in topics])[0]


def _details(rng: random.Random, scene: _Scene, *, most: int = 3) -> list[str]:
    k = min(rng.choices((0, 1, 2, 3), (3, 4, 3, 1))[0], most, len(scene.topic.details))
    return [scene.fill(d) for d in rng.sample(scene.topic.details, k)]


def _title(rng: random.Random, scene: _Scene) -> str:
    return scene.pick(rng, scene.topic.titles)


def _citizen_text(rng: random.Random, scene: _Scene) -> str:
    """First person, as typed into a form, a mailbox or an online petition."""
    problem = scene.pick(rng, scene.topic.problems)
    if rng.random() < 0.2:  # one line
        return problem if rng.random() < 0.5 else problem + scene.pick(rng, scene.topic.asks)
    head = scene.pick(rng, _CITIZEN_INTRO) + problem
    if scene.tone == "polite":
        head = rng.choice(_POLITE_OPEN) + head
    elif scene.tone == "urgent":
        head = rng.choice(_URGENT) + head
    details = _details(rng, scene)
    tail = scene.pick(rng, scene.topic.asks)
    if scene.tone == "angry":
        tail = scene.pick(rng, _ANGRY) + tail
    elif scene.tone == "polite":
        tail += rng.choice(_POLITE_CLOSE)
    if len(details) >= 2:
        return "\n".join((head, "".join(details), tail))
    return head + "".join(details) + tail


def _agent_text(rng: random.Random, scene: _Scene) -> str:
    """Third person, as a hotline agent writes a call down."""
    parts = [scene.pick(rng, _AGENT_OPEN), scene.pick(rng, scene.topic.problems)]
    parts += _details(rng, scene, most=2)
    if scene.tone in _AGENT_MOOD and rng.random() < 0.7:
        parts.append(rng.choice(_AGENT_MOOD[scene.tone]))
    parts.append("诉求：" + scene.pick(rng, scene.topic.asks))
    parts.append(rng.choice(_AGENT_CLOSE))
    return "".join(parts)


def _relay_text(rng: random.Random, scene: _Scene) -> str:
    parts = [scene.pick(rng, _RELAY_OPEN), scene.pick(rng, scene.topic.problems)]
    parts += _details(rng, scene, most=2)
    parts.append("诉求：" + scene.pick(rng, scene.topic.asks))
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Valid payloads, one builder per family.


def _external_id(family: str, seq: int) -> str:
    return f"SIM-{family}-{seq:08d}"


def _hotline(rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    scene = _scene(rng, _topic(rng), me="来电人")
    payload: dict[str, Any] = {
        "call_id": _external_id("hotline", seq),
        "call_time": _iso(_before(now, rng)),
        "agent_id": f"{rng.choice('ABC')}{rng.randint(1001, 2999)}",
    }
    if rng.random() < 0.9:  # otherwise the number was withheld
        payload["caller_number"] = _styled_mobile(rng, scene.phone)
    if rng.random() < 0.6:
        payload["caller_name"] = scene.caller
    if rng.random() < 0.5:
        payload["title"] = _title(rng, scene)
    payload["agent_summary"] = _agent_text(rng, scene)
    if rng.random() < 0.85:
        payload["address"] = scene.address
    payload["urgent"] = scene.topic.urgent
    return payload


def _web_form(rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    scene = _scene(rng, _topic(rng), me="我")
    title = _title(rng, scene)
    if scene.tone == "angry" and rng.random() < 0.4:
        title = rng.choice(("强烈投诉：", "求助！", "再不管就出事了：")) + title
    elif scene.tone == "urgent" and rng.random() < 0.5:
        title = "紧急！" + title
    content = _citizen_text(rng, scene)
    payload: dict[str, Any] = {"submission_id": _external_id("web_form", seq), "title": title}
    if rng.random() < 0.85:
        payload["submitted_at"] = _iso(_before(now, rng))
    if rng.random() < 0.6:
        contact: dict[str, Any] = {"name": scene.caller if rng.random() < 0.7
                                   else scene.full_name,
                                   "phone": _styled_mobile(rng, scene.phone)}
        if rng.random() < 0.15:
            contact["id_number"] = _id_number(rng)
        payload["contact"] = contact
        if rng.random() < 0.15:
            number = _full_width(scene.phone) if rng.random() < 0.5 else scene.phone
            content += f"\n联系电话：{number}"
    if rng.random() < 0.1:  # some forms send HTML from a rich-text editor
        content = "".join(f"<p>{line}</p>" for line in content.split("\n"))
    payload["content"] = content
    if rng.random() < 0.65:
        payload["address"] = scene.address
    if rng.random() < 0.4:
        digits = rng.choice((4, 5, 6))
        payload["location"] = {"lat": round(scene.lat, digits), "lng": round(scene.lng, digits)}
    if rng.random() < 0.35:
        day = f"{now:%Y/%m/%d}"
        payload["photos"] = [f"https://img.ifutian.example.cn/{day}/{_hex(rng, 12)}.jpg"
                             for _ in range(rng.randint(1, 4))]
    return payload


def _petition(rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    kind = rng.choices(("letter", "visit", "online"), (3, 2, 5))[0]
    scene = _scene(rng, _topic(rng, petition=True), me="来访人" if kind == "visit" else "本人")
    subject = _title(rng, scene)
    if subject.startswith(("反映", "投诉", "讨薪", "建议")) or subject.endswith(("咨询", "问题")):
        subject = rng.choice(("{t}", "关于{t}")).format(t=subject)
    else:
        subject = rng.choice(("反映{t}", "关于{t}的问题", "{t}", "请求解决{t}")).format(t=subject)
    name = rng.choice((scene.full_name, scene.full_name[0] + "某", scene.full_name[0] + "某某"))
    group = kind != "online" and scene.topic.key in (
        "wage_arrears", "property_dispute", "construction_noise", "building_risk", "rental",
        "prepaid_card") and rng.random() < 0.5
    co_petitioners = rng.randint(3, 40) if group else 0
    problem = scene.pick(rng, scene.topic.problems)
    details = "".join(_details(rng, scene))
    ask = scene.pick(rng, scene.topic.asks)
    if kind == "letter":
        signed = f"，共{co_petitioners + 1}人联名" if co_petitioners else ""
        content = (f"尊敬的领导：\n本人{name}，住福田区{scene.street}街道{scene.slots['compound']}"
                   f"{signed}。现将有关情况反映如下：\n{problem}{details}\n{ask}"
                   f"\n{rng.choice(_LETTER_CLOSE)}")
    elif kind == "visit":
        who = f"{co_petitioners + 1}名群众集体来访" if co_petitioners else "来访人"
        content = f"{who}反映：{problem}{details}来访人诉求：{ask}"
    else:
        content = _citizen_text(rng, scene)
    payload: dict[str, Any] = {
        "case_number": _external_id("petition", seq),
        "kind": kind,
        "subject": subject,
        "content": content,
    }
    if rng.random() < 0.85:
        payload["registered_at"] = _iso(_before(now, rng))
    petitioner: dict[str, Any] = {"name": name}
    if rng.random() < 0.75:
        petitioner["phone"] = _styled_mobile(rng, scene.phone)
    if rng.random() < 0.3:
        petitioner["id_number"] = _id_number(rng)
    if rng.random() < 0.5:
        petitioner["address"] = f"福田区{scene.street}街道{scene.slots['compound']}"
    payload["petitioner"] = petitioner
    if co_petitioners:
        payload["co_petitioners"] = co_petitioners
    return payload


def _public_opinion(rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    platform = rng.choices(("微博", "抖音", "本地论坛", "媒体"), (5, 3, 3, 2))[0]
    scene = _scene(rng, _topic(rng), me="我")
    problem = scene.pick(rng, scene.topic.problems)
    title = ""
    if platform == "微博":
        parts = [rng.choice(("", "#深圳福田# ", "#福田区# ")), problem]
        parts += _details(rng, scene, most=1)
        parts.append(rng.choice(_POST_TAGS))
        excerpt = "".join(parts)
        url = f"https://weibo.example.cn/{rng.randint(10**9, 10**10 - 1)}/{_hex(rng, 9)}"
        heat = int(10 ** rng.uniform(1.5, 5.5))
        author = rng.choice(_NICKNAMES)
    elif platform == "抖音":
        excerpt = (f"实拍{scene.street}街道，{problem}"
                   f"{''.join(_details(rng, scene, most=1))} #深圳 #福田 #民生")
        url = f"https://douyin.example.cn/video/{rng.randint(10**15, 10**16 - 1)}"
        heat = int(10 ** rng.uniform(2, 6))
        author = rng.choice(_NICKNAMES)
    elif platform == "本地论坛":
        title = rng.choice(("【求助】", "【吐槽】", "【曝光】", "")) + _title(rng, scene)
        excerpt = ("各位街坊，" + problem + "".join(_details(rng, scene))
                   + rng.choice(_FORUM_CLOSE))
        url = f"https://bbs.futian.example.cn/thread-{rng.randint(100000, 999999)}-1-1.html"
        heat = rng.randint(20, 5000)
        author = rng.choice(_NICKNAMES)
    else:
        title = rng.choice(("记者调查：", "民生关注：", "")) + _title(rng, scene)
        quotes = _details(rng, scene, most=1) or [scene.pick(rng, scene.topic.asks)]
        excerpt = (f"记者走访发现，{problem}有居民告诉记者：“{quotes[0]}”"
                   + rng.choice(_MEDIA_CLOSE))
        url = f"https://news.example.cn/sz/{now:%Y%m%d}/{rng.randint(1, 99):03d}.html"
        heat = rng.randint(100, 20000)
        author = rng.choice(_MEDIA)
    payload: dict[str, Any] = {
        "item_id": _external_id("public_opinion", seq),
        "source_url": url,
        "platform": platform,
        "author": author,
        "excerpt": excerpt,
        "heat": heat,
    }
    if title:
        payload["title"] = title
    if rng.random() < 0.9:
        payload["published_at"] = _iso(_before(now, rng))
    return payload


def _machine_event(rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    event_type = rng.choices(list(_MACHINE_WEIGHTS), list(_MACHINE_WEIGHTS.values()))[0]
    type_name, topic_key = _MACHINE_TYPES[event_type]
    topic = _TOPIC_BY_KEY[topic_key]
    sources = ["grid", "patrol"]
    if event_type in _AI_TEXT:
        sources += ["ai", "ai"]
    if event_type in _IOT_TEXT:
        sources += ["iot", "iot"]
    source = rng.choice(sources)
    scene = _scene(rng, topic, me="居民")
    place = scene.address if rng.random() < 0.7 else f"福田区{scene.place}"
    numbers = {"mins": str(rng.randint(5, 90)), "cm": str(rng.randint(21, 60)),
               "lel": str(rng.randint(21, 80)), "deg": str(rng.randint(15, 90)),
               "mm": str(rng.randint(3, 25)),
               "trend": rng.choice(("仍在上涨", "趋于稳定", "上涨较快"))}
    payload: dict[str, Any] = {
        "event_id": _external_id("machine_event", seq),
        "event_type": event_type,
        "event_type_name": type_name,
    }
    moment = _before(now, rng)
    payload["occurred_at"] = _iso(moment, utc=source == "iot" and rng.random() < 0.3)
    payload["place"] = place
    if source in ("ai", "iot") or rng.random() < 0.4:
        payload["lat"] = round(scene.lat, 4)
        payload["lng"] = round(scene.lng, 4)
    if source == "ai":
        payload["image_url"] = (f"https://zhiyan.example.cn/snapshots/{moment:%Y%m%d}/"
                                f"{_hex(rng, 10)}.jpg")
        payload["confidence"] = round(rng.uniform(0.6, 0.99), 2)
        if rng.random() < 0.6:
            payload["description"] = scene.pick(rng, _AI_TEXT[event_type], **numbers)
    elif source == "iot":
        payload["confidence"] = round(rng.uniform(0.85, 0.99), 2)
        payload["description"] = scene.pick(rng, _IOT_TEXT[event_type], **numbers)
    else:
        role = rng.choice(_GRID_REPORTERS) if source == "grid" else "城管队员"
        payload["reporter"] = f"{role} {scene.full_name}"
        text = "巡查发现：" + scene.pick(rng, topic.problems)
        text += "".join(_details(rng, scene, most=1)) + rng.choice(_GRID_ENDINGS)
        payload["description"] = text
        if rng.random() < 0.6:
            payload["image_url"] = (f"https://wangge.example.cn/photos/{moment:%Y%m%d}/"
                                    f"{_hex(rng, 10)}.jpg")
    return payload


def _deadlines(dispatched: datetime, urgent: bool) -> dict[str, str]:
    return {"contact_by": _iso(dispatched + timedelta(minutes=10)),
            "resolve_by": _iso(dispatched + (timedelta(hours=24) if urgent
                                             else timedelta(days=5)))}


def _city_platform(rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    scene = _scene(rng, _topic(rng), me="市民")
    dispatched = _before(now, rng)
    urgent = scene.topic.urgent
    payload: dict[str, Any] = {
        "upstream_number": _external_id("city_platform", seq),
        "dispatched_at": _iso(dispatched),
        "title": _title(rng, scene),
        "content": _relay_text(rng, scene),
        "urgency": "urgent" if urgent else "normal",
    }
    citizen: dict[str, Any] = {"name": scene.caller}
    if rng.random() < 0.9:
        citizen["phone"] = scene.phone
    if rng.random() < 0.2:
        citizen["id_number"] = _id_number(rng)
    payload["citizen"] = citizen
    payload["address"] = scene.address
    payload["category"] = list(scene.topic.category[:rng.choice((1, 2, 3, 3, 3))])
    payload["deadlines"] = _deadlines(dispatched, urgent)
    return payload


_BUILDERS: dict[str, Callable[[random.Random, int, datetime], dict[str, Any]]] = {
    "hotline": _hotline,
    "web_form": _web_form,
    "petition": _petition,
    "public_opinion": _public_opinion,
    "machine_event": _machine_event,
    "city_platform": _city_platform,
}


def _builder(family: str) -> Callable[[random.Random, int, datetime], dict[str, Any]]:
    try:
        return _BUILDERS[family]
    except KeyError:
        raise ValueError(f"unknown channel family {family!r}") from None


def build_payload(*, family: str, rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    """A valid payload for the family, with the external id `SIM-<family>-<seq:08d>`.

    Timestamps are a few seconds to a few hours before `now`; city-platform deadlines are
    10 minutes (contact) and 24 hours or 5 days (resolve) after dispatch.
    """
    return _builder(family)(rng, seq, _aware(now))


# ---------------------------------------------------------------------------------------------
# Near-duplicates: the same citizen again, text lightly reworded.

def _clean(value: Any, limit: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    return clean_text(value, max_length=limit, multiline=multiline)


_TEXT_FIELDS = {"hotline": ("title", "agent_summary"), "web_form": ("title", "content"),
                "petition": ("subject", "content"), "public_opinion": ("title", "excerpt"),
                "machine_event": ("", "description"), "city_platform": ("title", "content")}


def _ticket_text(family: str, payload: dict[str, Any]) -> str:
    """Title and content as the family's adapter reads them, for the similarity check."""
    if family == "machine_event":
        type_name = _clean(payload.get("event_type_name"), 40) or str(payload.get("event_type"))
        place = _clean(payload.get("place"), 300)
        content = _clean(payload.get("description"), CONTENT_MAX, multiline=True)
        return f"{type_name}：{place}"[:200] + " " + (content or f"{type_name}，地点：{place}")
    title_key, content_key = _TEXT_FIELDS[family]
    content = _clean(payload.get(content_key), CONTENT_MAX, multiline=True)
    title = _clean(payload.get(title_key), TITLE_MAX)
    if not title and family in ("hotline", "public_opinion"):
        title = title_from(content)
    return f"{title} {content}"


def _reword(rng: random.Random, text: str, voice: str, strength: int) -> str:
    operations = rng.sample(("prefix", "follow", "synonym", "drop"), min(strength, 4))
    for operation in operations:
        if operation == "prefix":
            text = rng.choice(_AGAIN_PREFIX[voice]) + text
        elif operation == "follow":
            text = text.rstrip() + rng.choice(_FOLLOW_UP[voice])
        elif operation == "synonym":
            pairs = [p for p in _SYNONYMS if p[0] in text]
            if pairs:
                old, new = rng.choice(pairs)
                text = text.replace(old, new, 1)
            else:
                text = text.rstrip() + rng.choice(_FOLLOW_UP[voice])
        else:
            parts = _sentences(text)
            if len(parts) >= 4 and "<" not in text:
                del parts[rng.randrange(1, len(parts) - 1)]
                text = "".join(parts)
            else:
                text = rng.choice(_AGAIN_PREFIX[voice]) + text
    return text


def _refresh(family: str, payload: dict[str, Any], rng: random.Random, now: datetime) -> None:
    """New timestamps (after the original's) and the details a second report changes."""
    if family == "hotline":
        payload["call_time"] = _iso(_between(payload.get("call_time"), now, rng))
        payload["agent_id"] = f"{rng.choice('ABC')}{rng.randint(1001, 2999)}"
    elif family == "web_form":
        if "submitted_at" in payload:
            payload["submitted_at"] = _iso(_between(payload["submitted_at"], now, rng))
        if payload.get("photos") and rng.random() < 0.5:
            payload["photos"] = [f"https://img.ifutian.example.cn/{now:%Y/%m/%d}/"
                                 f"{_hex(rng, 12)}.jpg"]
    elif family == "petition":
        if "registered_at" in payload:
            payload["registered_at"] = _iso(_between(payload["registered_at"], now, rng))
    elif family == "public_opinion":
        if "published_at" in payload:
            payload["published_at"] = _iso(_between(payload["published_at"], now, rng))
        source = str(payload.get("source_url", "https://bbs.futian.example.cn/thread"))
        payload["source_url"] = f"{source.split('#')[0]}#repost-{_hex(rng, 6)}"
        heat = payload.get("heat")
        payload["heat"] = int(heat * rng.uniform(0.2, 1.5)) if isinstance(heat, int) else 0
    elif family == "machine_event":
        payload["occurred_at"] = _iso(_between(payload.get("occurred_at"), now, rng))
        if "confidence" in payload:
            payload["confidence"] = round(rng.uniform(0.6, 0.99), 2)
    elif family == "city_platform":
        dispatched = _between(payload.get("dispatched_at"), now, rng)
        payload["dispatched_at"] = _iso(dispatched)
        payload["deadlines"] = _deadlines(dispatched, payload.get("urgency") == "urgent")


def build_near_duplicate(*, family: str, original: dict[str, Any], rng: random.Random, seq: int,
                         now: datetime) -> dict[str, Any]:
    """The same citizen reporting the same problem again, under a new external id.

    Phone, address and place stay as in `original`; the text is lightly reworded (a prefix, a
    sentence added, dropped or changed) so that the character-bigram Jaccard similarity of
    title and content with the original stays at or above NEAR_DUPLICATE_MIN_SIMILARITY.
    """
    _builder(family)
    now = _aware(now)
    id_field = ID_FIELDS[family]
    payload = copy.deepcopy(original)
    new_id = _external_id(family, seq)
    if new_id == str(original.get(id_field, "")):
        new_id += "-R"
    payload[id_field] = new_id
    _refresh(family, payload, rng, now)

    voice = _DUP_VOICE[family]
    title_key, content_key = _TEXT_FIELDS[family]
    if family == "machine_event" and not _clean(original.get("description"), CONTENT_MAX):
        type_name = original.get("event_type_name") or original.get("event_type")
        original_content: Any = f"{type_name}，地点：{original.get('place')}"
    else:
        original_content = original.get(content_key)
    original_title = original.get(title_key) if title_key else None
    before = _ticket_text(family, original)
    for strength in (3, 2, 2, 1, 1, 1):
        trial = dict(payload)
        if isinstance(original_content, str) and original_content.strip():
            trial[content_key] = _reword(rng, original_content, voice, strength)
        if isinstance(original_title, str) and original_title.strip() and rng.random() < 0.4:
            trial[title_key] = rng.choice(_AGAIN_TITLE).format(t=original_title)
        if text_similarity(before, _ticket_text(family, trial)) >= NEAR_DUPLICATE_MIN_SIMILARITY:
            return trial
    return payload  # the text as it was: a repeat word for word


# ---------------------------------------------------------------------------------------------
# Invalid payloads: what a broken or careless channel sends.

_REQUIRED = {
    "hotline": ("call_id", "call_time", "agent_summary"),
    "web_form": ("submission_id", "title", "content"),
    "petition": ("case_number", "kind", "subject", "content", "petitioner", "petitioner.name"),
    "public_opinion": ("item_id", "source_url", "excerpt"),
    "machine_event": ("event_id", "event_type", "occurred_at", "place"),
    "city_platform": ("upstream_number", "title", "content", "deadlines",
                      "deadlines.resolve_by"),
}
_PHONES = {"hotline": ("caller_number",), "web_form": ("contact.phone",),
           "petition": ("petitioner.phone",), "city_platform": ("citizen.phone",)}
_TIMES = {"hotline": ("call_time",), "web_form": ("submitted_at",),
          "petition": ("registered_at",), "public_opinion": ("published_at",),
          "machine_event": ("occurred_at",),
          "city_platform": ("dispatched_at", "deadlines.resolve_by", "deadlines.contact_by")}
_PAST_ONLY = {"hotline": "call_time", "web_form": "submitted_at", "petition": "registered_at",
              "machine_event": "occurred_at", "city_platform": "dispatched_at"}
_TEXTS = {
    "hotline": ("agent_summary", "caller_name", "title", "address"),
    "web_form": ("title", "content", "address", "contact.name"),
    "petition": ("subject", "content", "petitioner.name", "petitioner.address"),
    "public_opinion": ("excerpt", "title", "platform", "author"),
    "machine_event": ("place", "description", "event_type_name", "reporter"),
    "city_platform": ("title", "content", "address", "citizen.name"),
}
_BAD_PHONES: tuple[Any, ...] = ("12345", "1234567890", "12345678901", "138123456789",
                                "0755-83001234", "10086", "电话同上", 12345, "139 1234 567")
_OVERLONG_ID = "SIM-" + "x" * 120


def _bad_values(family: str, rng: random.Random) -> list[tuple[str, Any]]:
    """Values of the wrong kind for fields that are not plain text (choices, ranges, urls...)."""
    bad_id = _id_number(rng)
    bad_id = bad_id[:17] + rng.choice([c for c in _ID_CHECK if c != bad_id[17]])
    common: list[tuple[str, Any]] = [
        (ID_FIELDS[family], rng.choice((3.5, ["A1"], _OVERLONG_ID, {"id": "A1"}))),
    ]
    per_family: dict[str, list[tuple[str, Any]]] = {
        "hotline": [("urgent", rng.choice(("是", "true", 1, "紧急"))),
                    ("agent_id", {"id": "A1021"})],
        "web_form": [("contact", "王先生 13800138000"), ("location", [22.54, 114.05]),
                     ("location.lat", rng.choice((122.5, "北纬22度", True))),
                     ("photos", rng.choice(("https://img.example.cn/a.jpg", ["img/a1.jpg"]))),
                     ("contact.id_number", rng.choice((bad_id, "12345")))],
        "petition": [("kind", rng.choice(("phone", "邮件", "email", "来信"))),
                     ("co_petitioners", rng.choice(("十二", -3, 2.5))),
                     ("petitioner", "孙某 15811112222"),
                     ("petitioner.id_number", rng.choice((bad_id, "44030419800101")))],
        "public_opinion": [("source_url", rng.choice(("weibo.com/123/abc", "原帖已删除",
                                                      "ftp://bbs.example.cn/t/1"))),
                           ("heat", rng.choice((-5, "很高", 12.5)))],
        "machine_event": [("confidence", rng.choice((1.5, -0.2, "高", 93))),
                          ("lat", rng.choice((122.5, "22.5N"))),
                          ("image_url", rng.choice(("snapshots/0042.jpg", "file:///tmp/a.jpg")))],
        "city_platform": [("urgency", rng.choice(("high", "特急", "1"))),
                          ("category", rng.choice(("城乡建设", [1, 2],
                                                   ["城乡建设", "市政设施", "路灯照明", "灯杆"]))),
                          ("deadlines", "2026-12-05"), ("citizen", "黄先生"),
                          ("citizen.id_number", bad_id)],
    }
    return common + per_family[family]


def _set(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    target = payload
    for parent in parents:
        nested = target.get(parent)
        if not isinstance(nested, dict):
            nested = target[parent] = {}
        target = nested
    target[name] = value


def _remove(payload: dict[str, Any], path: str, rng: random.Random) -> None:
    *parents, name = path.split(".")
    target = payload
    for parent in parents:
        nested = target.get(parent)
        if not isinstance(nested, dict):
            nested = target[parent] = {}
        target = nested
    how = rng.random()
    if how < 0.6:
        target.pop(name, None)
    else:
        target[name] = None if how < 0.8 else rng.choice(("", "   "))


def _not_iso(rng: random.Random, now: datetime) -> Any:
    local = now.astimezone(CST)
    return rng.choice((
        f"{local:%Y}年{local.month}月{local.day}日 {local:%H:%M}",
        f"{local:%d/%m/%Y %H:%M}",
        f"{local:%Y/%m/%d %H:%M:%S}",
        "昨天下午三点",
        f"{local.month}月{local.day}日上午",
        int(local.timestamp()),
        f"{local:%b %d %Y %I:%M%p}",
    ))


def _mutate(family: str, payload: dict[str, Any], rng: random.Random, now: datetime) -> None:
    kinds = ["missing", "missing", "time", "time", "wrong_type", "wrong_type", "bad_value"]
    if family in _PHONES:
        kinds += ["phone", "phone"]
    if family in _PAST_ONLY:
        kinds.append("future")
    kind = rng.choice(kinds)
    if kind == "missing":
        _remove(payload, rng.choice(_REQUIRED[family]), rng)
    elif kind == "phone":
        _set(payload, rng.choice(_PHONES[family]), rng.choice(_BAD_PHONES))
    elif kind == "time":
        _set(payload, rng.choice(_TIMES[family]), _not_iso(rng, now))
    elif kind == "future":  # a channel whose clock is far ahead
        _set(payload, _PAST_ONLY[family], _iso(now + timedelta(days=rng.randint(36500, 40000))))
    elif kind == "wrong_type":
        value = rng.choice((rng.randint(1, 99999), 3.14, True, ["文本"], {"text": "文本"}))
        _set(payload, rng.choice(_TEXTS[family]), value)
    else:
        path, value = rng.choice(_bad_values(family, rng))
        _set(payload, path, value)


def build_invalid(*, family: str, rng: random.Random, seq: int, now: datetime) -> dict[str, Any]:
    """A JSON object the family's adapter must refuse with field errors.

    One (sometimes two) of: a required field missing or blank, an invalid mobile number, a
    timestamp that is not ISO 8601 or lies far in the future, a number/list/object where text is
    expected, or a bad choice, range, URL, list or ID number.
    """
    now = _aware(now)
    payload = build_payload(family=family, rng=rng, seq=seq, now=now)
    for _ in range(1 if rng.random() < 0.8 else 2):
        _mutate(family, payload, rng, now)
    return payload
