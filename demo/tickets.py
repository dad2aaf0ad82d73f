"""A handful of realistic tickets in every stage, made through the services, for the demo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from org.models import Staff, StaffRole, Unit
from tickets.models import Channel, Ticket
from tickets.services import lifecycle as services


@dataclass(frozen=True)
class DemoRequest:
    channel: str
    title: str
    content: str
    unit: str
    street: str
    urgency: str = "normal"


DEMO_REQUESTS = [
    DemoRequest("hotline-12345", "景田路小区门口路灯不亮",
                "景田路某小区北门外三盏路灯已经连续一周不亮，晚上老人小孩出行很不安全，请尽快维修。",
                "municipal-facilities", "street-xiangmihu"),
    DemoRequest("hotline-12345", "华强北某大厦地下室有燃气味",
                "大厦负一层靠近餐饮区的位置闻到明显的燃气味，已经通知保安，请燃气公司马上来人检查。",
                "gas", "street-huaqiangbei", "urgent"),
    DemoRequest("ifutian-app", "梅林一村电梯困人",
                "梅林一村12栋电梯停在7楼和8楼之间，里面困了两位老人，物业电话打不通。",
                "market", "street-meilin", "urgent"),
    DemoRequest("mayor-mailbox", "深南大道辅道夜间施工噪音",
                "最近两周每晚十一点以后还在破路施工，噪音很大，严重影响休息，请核查是否办理了夜间施工许可。",
                "ecology", "street-lianhua"),
    DemoRequest("zhiyan-video-ai", "华强北路人行道占道经营",
                "视频分析发现华强北路步行街东侧人行道有流动摊贩占道经营，持续约40分钟。",
                "street-huaqiangbei", "street-huaqiangbei"),
    DemoRequest("hotline-12333", "装修公司拖欠三个月工资",
                "我在福田一家装修公司做水电工，公司已经拖欠我和十几个工友三个月工资，老板一直推脱。",
                "labor-inspection", "street-fubao"),
    DemoRequest("hotline-12345", "园岭新村整栋楼停水",
                "园岭新村某栋从早上八点开始停水，没有看到任何停水通知，家里有老人需要用水。",
                "water-group", "street-yuanling", "urgent"),
    DemoRequest("secretary-online", "建议增加莲花山公园周边公交班次",
                "周末去莲花山公园的人很多，附近公交站等车要半个多小时，建议周末加密班次。",
                "transport", "street-lianhua"),
    DemoRequest("wechat-futian", "一年级学位申请材料咨询",
                "孩子明年上小学，我们是租房住，想问一下学位申请需要准备哪些材料，居住证需要满多久？",
                "education", "street-futian"),
    DemoRequest("grid-report", "沙头街道共享单车堆放阻塞盲道",
                "网格员巡查发现沙尾村路口大量共享单车堆放，占用盲道和消防通道。",
                "urban-mgmt", "street-shatou"),
    DemoRequest("petition-online", "小区物业擅自提高停车费",
                "华富街道某小区物业未经业主大会同意，把月租停车费从300元涨到500元，业主多次反映无果。",
                "street-huafu", "street-huafu"),
    DemoRequest("iot-sensor", "福民路下穿通道水浸告警",
                "水浸传感器报警：福民路下穿通道积水深度超过20厘米，仍在上涨。",
                "water-drainage", "street-fubao", "urgent"),
    DemoRequest("hotline-12345", "南园路口长期违章停车",
                "南园路与华强南路交叉口每天傍晚都有车辆违停，造成拥堵，请交警加强管理。",
                "traffic-police", "street-nanyuan"),
    DemoRequest("ifutian-app", "香蜜湖片区垃圾清运不及时",
                "小区门口垃圾桶已经满了两天，天气热气味很大，请环卫部门及时清运。",
                "sanitation", "street-xiangmihu"),
    DemoRequest("opinion-monitor", "网友反映某餐馆油烟扰民",
                "微博网友反映福田街道某餐馆油烟直排，楼上住户无法开窗，帖子转发量较高。",
                "ecology", "street-futian"),
]
STAGES = ["received", "triage", "assigned", "contacted", "met", "resolved", "closed"]


def _caseworker(unit: Unit) -> Staff:
    # demo_staff.json gives every unit a lead, so one of the two is there.
    return cast(Staff, (
        Staff.objects.filter(unit=unit, role=StaffRole.CASEWORKER, on_duty=True)
        .select_related("user").order_by("user__username").first()
        or Staff.objects.filter(unit=unit, role=StaffRole.UNIT_LEAD).first()))


def demo_tickets_seed() -> int:
    """Create the demo tickets that do not exist yet; returns how many were created."""
    created = 0
    for i, req in enumerate(DEMO_REQUESTS):
        result = services.ticket_create(
            channel=Channel.objects.get(code=req.channel), external_id=f"demo-{i + 1:03d}",
            title=req.title, content=req.content, urgency=req.urgency,
            street=Unit.objects.get(code=req.street), citizen_name="市民",
            citizen_phone=f"138{i:04d}{(i * 7919) % 10000:04d}",
        )
        if not result.created:
            continue
        created += 1
        _advance(result.ticket, STAGES[i % len(STAGES)], Unit.objects.get(code=req.unit))
    return created


def _advance(ticket: Ticket, stage: str, unit: Unit) -> None:
    order = STAGES.index(stage)
    if stage == "triage":
        services.ticket_triage(ticket=ticket, actor=None, reason="模型置信度不足，转人工分拨")
        return
    if order < STAGES.index("assigned"):
        return
    person = _caseworker(unit)
    ticket = services.ticket_assign(ticket=ticket, actor=None, unit=unit, assignee=person)
    actor = person.user
    if order >= STAGES.index("contacted"):
        ticket = services.ticket_record_contact(ticket=ticket, actor=actor, note="已电话联系市民")
    if order >= STAGES.index("met"):
        ticket = services.ticket_record_meeting(ticket=ticket, actor=actor, note="已到现场核实")
    if order >= STAGES.index("resolved"):
        ticket = services.ticket_resolve(ticket=ticket, actor=actor,
                                         reply="经现场核查，问题已处理完毕，感谢您的反映。")
    if order >= STAGES.index("closed"):
        services.ticket_follow_up(ticket=ticket, actor=None, satisfaction="satisfied",
                                  note="回访市民，表示满意")
