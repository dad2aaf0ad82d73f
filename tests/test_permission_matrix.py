"""The permission matrix: every page, action and endpoint of the console, the API and the admin
against every role, with what each role gets (allowed, 403, 404, or sent to log in).

The rows are checked against the URL resolver: a URL pattern without a row fails
(test_every_url_has_a_row), and so does a model registered in the admin without a row of
ADMIN_MODELS, or a catalogue action without its console row. Each row sends one realistic
request per role (valid input, the right ticket state) and compares what came back; every
role's request runs in a savepoint rolled back afterwards, so each finds the same data.

Written from the rules (README: the console, the lifecycle table), not read off the code."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from org.directory import ROLE_GROUPS
from tickets.actions.catalogue import CATALOGUE

pytestmark = pytest.mark.django_db

# --- roles and outcomes ------------------------------------------------------------------------

ANON, CW, UD, UL, CD, SUP, SU = ("anonymous", "caseworker", "unit_dispatcher", "unit_lead",
                                 "centre_dispatcher", "supervisor", "superuser")
ROLES = (ANON, CW, UD, UL, CD, SUP, SU)
STAFF = ROLES[1:]
UNIT_ROLES = (CW, UD, UL)  # people of the ticket's unit (莲花街道)

OK = "ok"  # done, shown, or redirected onwards
LOGIN = "login"  # sent to a login page (?next=…), or 401 from the API
DENY = "403"
HIDDEN = "404"  # also the admin's "no such object" redirect to its index
INVALID = "400"

Expect = dict[str, str]


def allow(*roles: str, others: str = DENY, anonymous: str = LOGIN) -> Expect:
    return {ANON: anonymous} | {role: OK if role in roles else others for role in STAFF}


def hidden_from(*roles: str) -> Expect:
    return dict.fromkeys(roles, HIDDEN)


EVERYONE = allow(*STAFF, anonymous=OK)
SIGNED_IN = allow(*STAFF)

# --- the world each row runs in --------------------------------------------------------------

PASSWORD = "matrix-pass-2026"
Send = Callable[[Client], HttpResponse]


@dataclass
class World:
    org: Any
    users: dict[str, Any]
    made: dict[str, Any] = field(default_factory=dict)

    def client(self, role: str, *, api: bool) -> Client:
        user = self.users.get(role)
        if api:
            from tickets.api.tokens import api_token_issue

            client = APIClient()
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")
            return client
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    # Tickets, each in the state an action starts from.
    def working(self, **fields: Any):
        """Assigned to the caseworker of 莲花街道 through the service, so its clocks run."""
        from tickets.services.lifecycle import ticket_assign

        org = self.org
        return ticket_assign(ticket=org.ticket("triage", unit=None, assignee=None, **fields),
                             actor=org.centre_dispatcher.user, unit=org.unit,
                             assignee=org.assignee)

    def ticket(self, state: str, **fields: Any):
        if state == "triage":
            fields = {"unit": None, "assignee": None, **fields}
        return self.org.ticket(state, **fields)


@pytest.fixture
def world(org, superuser) -> World:
    """The org fixture's people with their role's admin permissions (as load_org and
    import_staff give them) and a password each."""
    for role, (name, perms) in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([Permission.objects.get(content_type__app_label=p.split(".")[0],
                                                      codename=p.split(".")[1]) for p in perms])
        for staff in (org.centre_dispatcher, org.centre_supervisor, org.lead, org.assignee,
                      org.coworker, org.unit_dispatcher, org.other_lead, org.other_caseworker):
            if staff.role == role:
                staff.user.groups.add(group)
    users = {ANON: None, CW: org.assignee.user, UD: org.unit_dispatcher.user,
             UL: org.lead.user, CD: org.centre_dispatcher.user, SUP: org.centre_supervisor.user,
             SU: superuser}
    for user in users.values():
        if user is not None:
            user.set_password(PASSWORD)
            user.save()
    return World(org=org, users=users)


def outcome(response: HttpResponse, accept: frozenset[int], *, admin_row: bool = False) -> str:
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if location.startswith(("/console/login/", "/admin/login/")):
            return LOGIN
        # The admin answers a row the person may not see by going back to its index.
        return HIDDEN if admin_row and location == "/admin/" else OK
    if status in accept or 200 <= status < 300:
        return OK
    return {401: LOGIN, 403: DENY, 404: HIDDEN}.get(status, str(status))


# --- probes: one realistic request -------------------------------------------------------------

Probe = Callable[[World], Send]


def get(path: str | Callable[[World], str], **extra: Any) -> Probe:
    def probe(w: World) -> Send:
        url = path(w) if callable(path) else path
        return lambda c: c.get(url, **extra)
    return probe


def post(path: str | Callable[[World], str],
         data: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None) -> Probe:
    def probe(w: World) -> Send:
        url = path(w) if callable(path) else path
        body = data(w) if callable(data) else (data or {})
        return lambda c: c.post(url, body, format="json") if isinstance(c, APIClient) \
            else c.post(url, body)
    return probe


def two_step(make: Callable[[World], Any], send: Callable[[Any, Client], HttpResponse]) -> Probe:
    """Objects made once for the row, then the request, made per role."""
    def probe(w: World) -> Send:
        made = make(w)
        return lambda c: send(made, c)
    return probe


def _later(hours: int = 4) -> Any:
    return timezone.localtime() + timedelta(hours=hours)


@dataclass(frozen=True)
class Action:
    """A catalogue action's scenario: the ticket it starts from and its input per interface."""

    expect: Expect
    ticket: Callable[[World], Any]
    values: Callable[[World, bool], dict[str, Any]]  # (world, through the API?) -> input


def _merge_values(w: World, api: bool) -> dict[str, Any]:
    return {"parent": w.made.setdefault("parent", w.working()).number}


def _person(staff: Any, api: bool) -> Any:
    return staff.user.username if api else staff.pk


def _when(api: bool) -> str:
    moment = _later(24 * 30)  # past any resolve deadline: an extension must move it on
    return moment.isoformat() if api else moment.strftime("%Y-%m-%dT%H:%M")


ACTIONS: dict[str, Action] = {
    "dispatch": Action(allow(CD, SU) | hidden_from(*UNIT_ROLES),
                       lambda w: w.ticket("triage"), lambda w, api: {"unit": "water"}),
    "reject": Action(allow(CD, SU) | hidden_from(*UNIT_ROLES),
                     lambda w: w.ticket("triage"), lambda w, api: {"reason": "骚扰电话"}),
    "contact": Action(allow(CW, UL, SU), lambda w: w.working(),
                      lambda w, api: {"method": "电话", "note": "已致电"}),
    "meeting": Action(allow(CW, UL, SU), lambda w: w.ticket("contacted"),
                      lambda w, api: {"method": "上门"}),
    "resolve": Action(allow(CW, UL, SU), lambda w: w.ticket("met"),
                      lambda w, api: {"reply": "已修复路灯"}),
    "return_request": Action(allow(CW, UD, UL, SU), lambda w: w.working(),
                             lambda w, api: {"reason_code": "other", "text": "不归本单位"}),
    "transfer": Action(allow(UL, CD, SU), lambda w: w.working(),
                       lambda w, api: {"unit": "water", "reason": "供水管网归水务"}),
    "reassign": Action(allow(UD, UL, CD, SU), lambda w: w.working(),
                       lambda w, api: {"assignee": _person(w.org.coworker, api)}),
    # Asked by whoever holds the ticket (or their lead): no one else, superusers included.
    "extension": Action(allow(CW, UL), lambda w: w.working(),
                        lambda w, api: {"new_due_at": _when(api), "reason": "等待配件"}),
    "suspension": Action(allow(CW, UL), lambda w: w.working(),
                         lambda w, api: {"reason": "联系不上诉求人"}),
    "assist": Action(allow(UL, CD, SU), lambda w: w.working(),
                     lambda w, api: {"unit": "water", "task": "核查管网压力"}),
    "merge": Action(allow(CD, SU) | hidden_from(*UNIT_ROLES), lambda w: w.ticket("triage"),
                    _merge_values),
    "follow_up": Action(allow(CD, SUP, SU), lambda w: w.ticket("resolved"),
                        lambda w, api: {"satisfaction": "satisfied"}),
    "close_unreasonable": Action(allow(SUP, SU),
                                 lambda w: w.working(satisfaction="unsatisfied"),
                                 lambda w, api: {"reason": "诉求超出政策范围"}),
    "supervise": Action(allow(SUP, SU), lambda w: w.working(),
                        lambda w, api: {"level": "district", "instructions": "今日办结",
                                        "reply_due_at": _when(api)}),
}


def console_action(name: str) -> Probe:
    spec = ACTIONS[name]

    def make(w: World) -> tuple[str, dict[str, Any]]:
        ticket = spec.ticket(w)
        values = {f"{name}-{k}": v for k, v in spec.values(w, False).items()}
        return f"/console/tickets/{ticket.number}/{name}/", values
    return two_step(make, lambda made, c: c.post(made[0], made[1]))


def api_action(name: str) -> Probe:
    spec, entry = ACTIONS[name], CATALOGUE[name]

    def make(w: World) -> tuple[str, dict[str, Any]]:
        ticket = spec.ticket(w)
        return f"/api/tickets/{ticket.number}/{entry.api_path}/", spec.values(w, True)
    return two_step(make, lambda made, c: c.post(made[0], made[1], format="json"))


# Rows attached to a ticket, each waiting for someone's decision or answer.

def _return_by(who: str) -> Callable[[World], Any]:
    def make(w: World) -> Any:
        from tickets.dispatching.collaboration import ticket_return_request

        return ticket_return_request(ticket=w.working(), actor=getattr(w.org, who).user,
                                     reason_code="not_our_duty", text="供水管网归水务")
    return make


def _extension(w: World) -> Any:
    from sla.extensions import sla_extension_request

    return sla_extension_request(ticket=w.working(), actor=w.org.assignee.user,
                                 reason="等待配件", new_due_at=_later(24 * 30))


def _suspension(w: World) -> Any:
    from sla.suspensions import sla_suspension_request

    return sla_suspension_request(ticket=w.working(), actor=w.org.assignee.user,
                                  reason="联系不上诉求人")


def _running_suspension(w: World) -> Any:
    from sla.suspensions import sla_suspension_decide

    return sla_suspension_decide(suspension=_suspension(w), actor=w.org.lead.user,
                                 approve=True)


def _supervision(w: World) -> Any:
    from sla.supervision import supervision_issue

    return supervision_issue(ticket=w.working(), actor=w.org.centre_supervisor.user,
                             level="district", instructions="今日办结", reply_due_at=_later())


def _assist_task(w: World) -> Any:
    """The water bureau's ticket, which 莲花街道 assists (its caseworker named)."""
    from tickets.models import AssistTask

    ticket = w.ticket("assigned", unit=w.org.other_unit, assignee=w.org.other_caseworker)
    ticket.assisting_units.add(w.org.unit)
    return AssistTask.objects.create(ticket=ticket, unit=w.org.unit, task="核查小区管网",
                                     assignee=w.org.assignee, created_at=timezone.now())


def _ruling(w: World) -> Any:
    from tickets.models import Ruling

    return Ruling.objects.create(ticket=w.ticket("triage"), returned_by=["street-lianhua",
                                                                         "water"],
                                 requested_at=timezone.now())


def on_row(make: Callable[[World], Any], path: str, data: dict[str, Any]) -> Probe:
    """POST to a path naming the row ({pk})."""
    return two_step(make, lambda row, c: c.post(path.format(pk=row.pk), data, format="json")
                    if isinstance(c, APIClient) else c.post(path.format(pk=row.pk), data))


DECIDE_RETURN = allow(UL, SU)  # a member's return: the unit's lead
DECIDE_LEADS_RETURN = allow(CD, SU)  # the lead's own: another lead, or the centre
DECIDE_TIME = allow(UL, SU)  # extensions and suspensions: the unit's lead
END_SUSPENSION = allow(CW, UL, SU)
ANSWER_SUPERVISION = allow(CW, UL, SU)
REPLY_ASSIST = allow(CW, UL, SU)
RULE = allow(SUP, SU) | hidden_from(*UNIT_ROLES)

# --- admin pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """Who may view, add, change and delete rows of one model in the admin. Its pages follow
    Django's rules: the list, a row and its history need view or change, the add and delete
    pages their own permission; everyone else gets 403, and a visitor the login page."""

    view: tuple[str, ...]
    add: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    delete: tuple[str, ...] = ()
    make: Callable[[World], Any] | None = None  # a row to open (default: the first there is)

    def expect(self) -> dict[str, Expect]:
        seen = tuple(set(self.view) | set(self.change))
        return {"changelist": allow(*seen), "change": allow(*seen), "history": allow(*seen),
                "add": allow(*self.add), "delete": allow(*self.delete)}


EVERY_STAFF = STAFF
ONLY_SU = (SU,)
EDITABLE_BY_SU = {"view": ONLY_SU, "add": ONLY_SU, "change": ONLY_SU, "delete": ONLY_SU}
READ_ONLY_SU = {"view": ONLY_SU}  # records the system writes: nobody edits them


def NOW(w: World) -> Any:
    return timezone.now()


def _make(model_path: str, **fields: Any) -> Callable[[World], Any]:
    def make(w: World) -> Any:
        from django.apps import apps

        model = apps.get_model(model_path)
        values = {k: v(w) if callable(v) else v for k, v in fields.items()}
        return model._default_manager.create(**values)
    return make


def _token_proxy(w: World) -> Any:
    """The admin lists tokens as TokenProxy rows, named by their user's id."""
    from rest_framework.authtoken.models import TokenProxy

    from tickets.api.tokens import api_token_issue

    return TokenProxy.objects.get(key=api_token_issue(user=w.org.assignee.user).key)


def _event(w: World) -> Any:
    return w.made.setdefault("working", w.working()).events.order_by("pk").first()


def _clock(w: World) -> Any:
    from sla.models import SlaClock

    return SlaClock.objects.filter(ticket=w.made.setdefault("working", w.working())).first()


ADMIN_MODELS: dict[str, AdminModel] = {
    "auth.group": AdminModel(**EDITABLE_BY_SU, make=_make("auth.Group", name="测试组")),
    "auth.user": AdminModel(**EDITABLE_BY_SU, make=lambda w: w.org.assignee.user),
    "authtoken.tokenproxy": AdminModel(view=ONLY_SU, add=ONLY_SU, delete=ONLY_SU,
                                       make=_token_proxy),
    # Login attempts: the superuser unlocks by deleting one.
    "axes.accessattempt": AdminModel(view=ONLY_SU, delete=ONLY_SU, make=_make(
        "axes.AccessAttempt", username="lianhua.cw1", ip_address="198.51.100.7", user_agent="",
        http_accept="", path_info="/console/login/", get_data="", post_data="",
        failures_since_start=3)),
    "axes.accesslog": AdminModel(view=ONLY_SU, delete=ONLY_SU, make=_make(
        "axes.AccessLog", username="lianhua.cw1", ip_address="198.51.100.7", user_agent="",
        http_accept="", path_info="/console/login/")),
    "axes.accessfailurelog": AdminModel(view=ONLY_SU, delete=ONLY_SU, make=_make(
        "axes.AccessFailureLog", username="lianhua.cw1", ip_address="198.51.100.7",
        user_agent="", http_accept="", path_info="/console/login/")),
    "tickets.channel": AdminModel(view=(UD, CD, SUP, SU), add=ONLY_SU, change=ONLY_SU,
                                  delete=ONLY_SU, make=lambda w: w.ticket("assigned").channel),
    # Every role works tickets in the admin too; none adds or deletes one (一单到底).
    "tickets.ticket": AdminModel(view=EVERY_STAFF, change=EVERY_STAFF,
                                 make=lambda w: w.ticket("assigned")),
    "tickets.ticketevent": AdminModel(view=EVERY_STAFF, make=_event),
    "tickets.ticketnumbersequence": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.TicketNumberSequence", day=date(2026, 11, 28), last=3)),
    "tickets.intakerecord": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.IntakeRecord", channel=lambda w: w.ticket("assigned").channel,
        received_at=NOW, body=b"{}")),
    "tickets.duplicatecandidate": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.DuplicateCandidate", ticket=lambda w: w.ticket("triage"),
        original=lambda w: w.ticket("assigned"), score=0.9)),
    "tickets.callbackdelivery": AdminModel(**READ_ONLY_SU, make=lambda w: _make(
        "tickets.CallbackDelivery", ticket=lambda w: _event(w).ticket,
        channel=lambda w: _event(w).ticket.channel, event=_event,
        url="https://hotline.example.invalid/cb", payload={}, next_attempt_at=NOW)(w)),
    "tickets.urgentsignal": AdminModel(**EDITABLE_BY_SU, make=_make(
        "tickets.UrgentSignal", phrase="测试信号")),
    "tickets.returnrequest": AdminModel(**READ_ONLY_SU, make=_return_by("assignee")),
    "tickets.ruling": AdminModel(**READ_ONLY_SU, make=_ruling),
    "tickets.assisttask": AdminModel(**READ_ONLY_SU, make=_assist_task),
    "tickets.followuptask": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.FollowUpTask", ticket=lambda w: w.ticket("resolved"), created_at=NOW,
        due_at=NOW)),
    "tickets.dispatchcorrection": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.DispatchCorrection", ticket=lambda w: w.ticket("assigned"),
        at=NOW, actor_label="分拨员", kind="dispatch", chosen_unit="water")),
    "tickets.notification": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.Notification", recipient=lambda w: w.org.assignee, kind="test", text="通知")),
    "tickets.accesslog": AdminModel(**READ_ONLY_SU, make=_make(
        "tickets.AccessLog", actor=lambda w: w.users[SU], actor_label="root", kind="intake_body",
        intake_record=lambda w: ADMIN_MODELS["tickets.intakerecord"].make(w))),
    "routing_model.routingrule": AdminModel(**EDITABLE_BY_SU, make=_make(
        "routing_model.RoutingRule", name="测试规则", action="triage", keywords="测试")),
    "routing_model.modelversion": AdminModel(**READ_ONLY_SU, make=_make(
        "routing_model.ModelVersion", version="test-1", artifact="x", sha256="0" * 64)),
    "routing_model.retrainrun": AdminModel(**READ_ONLY_SU, make=_make(
        "routing_model.RetrainRun")),
    "dispatch.unit": AdminModel(view=EVERY_STAFF, add=ONLY_SU, change=ONLY_SU,
                                delete=ONLY_SU, make=lambda w: w.org.unit),
    # A lead changes their own people's duty and capacity; the centre looks people up.
    "dispatch.staff": AdminModel(view=(UD, UL, CD, SUP, SU), add=ONLY_SU, change=(UL, SU),
                                 delete=ONLY_SU, make=lambda w: w.org.coworker),
    "dispatch.holiday": AdminModel(**EDITABLE_BY_SU, make=_make(
        "dispatch.Holiday", date=date(2030, 10, 1), name="国庆节")),
    "dispatch.serviceheartbeat": AdminModel(**READ_ONLY_SU, make=_make(
        "dispatch.ServiceHeartbeat", name="worker@test", seen_at=NOW)),
    "sla.slapolicy": AdminModel(**EDITABLE_BY_SU, make=lambda w: __import__(
        "sla.models", fromlist=["SlaPolicy"]).SlaPolicy.objects.order_by("pk").first()),
    "sla.slaclock": AdminModel(**READ_ONLY_SU, make=_clock),
    "sla.breach": AdminModel(**READ_ONLY_SU, make=lambda w: _make(
        "sla.Breach", clock=_clock, ticket=lambda w: _clock(w).ticket, milestone="contact",
        due_at=NOW, detected_at=NOW)(w)),
    "sla.extension": AdminModel(**READ_ONLY_SU, make=_extension),
    "sla.suspension": AdminModel(**READ_ONLY_SU, make=_suspension),
    "sla.supervision": AdminModel(**READ_ONLY_SU, make=_supervision),
}

ADMIN_PAGES = ("changelist", "add", "change", "delete", "history")

# --- the matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    expect: Expect
    probe: Probe
    api: bool = False  # sent with the role's API token instead of a console session
    accept: frozenset[int] = frozenset()  # statuses that count as OK here (not a refusal)


def _duplicate(w: World) -> Any:
    from tests.factories import DuplicateCandidateFactory

    return DuplicateCandidateFactory(ticket=w.working(), original=w.working())


def _ticket_number(w: World) -> str:
    return w.made.setdefault("working", w.working()).number


def _theirs(w: World) -> str:
    return w.ticket("assigned", unit=w.org.other_unit, assignee=w.org.other_caseworker).number


def _channel_code(w: World) -> str:
    return w.ticket("assigned").channel.code


def _token_login(w: World) -> Send:
    def send(c: Client) -> HttpResponse:
        # Each role with their own name and password; the visitor with a wrong one.
        user = getattr(c, "_matrix_user", None)
        username = user.get_username() if user is not None else "nobody"
        return APIClient().post("/api/auth/token/", {"username": username,
                                                      "password": PASSWORD}, format="json")
    return send


def _caseworkers_notice(w: World) -> Any:
    """A notice to the caseworker about a ticket of their unit (the inbox rows)."""
    from tickets.models import Notification

    return Notification.objects.create(recipient=w.org.assignee, ticket=w.ticket("assigned"),
                                       kind="sla_breach", text="工单已超时")


# Photos (现场照片) and the printable record: the rows' photos are stored in a directory of
# their own (removed at exit), each request with a fresh file.
_PHOTO_DIR: Any = None


def _in_photo_dir(call: Callable[[], Any]) -> Any:
    import tempfile

    from django.test import override_settings

    global _PHOTO_DIR
    if _PHOTO_DIR is None:
        _PHOTO_DIR = tempfile.TemporaryDirectory(prefix="matrix-photos-")
    with override_settings(MEDIA_ROOT=_PHOTO_DIR.name):
        return call()


def _photo_file() -> Any:
    from tests.photo_files import photo_bytes, upload

    return upload(photo_bytes(size=(64, 48)), "site.jpg")


def _photo_on(theirs: bool) -> Callable[[World], Any]:
    """A photo on the caseworker's ticket, or on the water bureau's (another unit's)."""
    def make(w: World) -> Any:
        from tickets.services.attachments import ticket_photo_add

        org = w.org
        ticket, person = ((w.ticket("assigned", unit=org.other_unit,
                                    assignee=org.other_caseworker), org.other_caseworker)
                          if theirs else (w.working(), org.assignee))
        return _in_photo_dir(lambda: ticket_photo_add(ticket=ticket, actor=person.user,
                                                      upload=_photo_file()))
    return make


def _photo_upload(number: Callable[[World], str]) -> Probe:
    return two_step(number, lambda n, c: _in_photo_dir(lambda: c.post(
        f"/console/tickets/{n}/photos/", {"photos": [_photo_file()]})))


def _photo_get(theirs: bool, suffix: str) -> Probe:
    return two_step(_photo_on(theirs), lambda p, c: _in_photo_dir(
        lambda: c.get(f"/console/attachments/{p.pk}/{suffix}")))


MATRIX: dict[str, Row] = {
    # The project
    "route:": Row(EVERYONE, get("/")),
    "healthz": Row(EVERYONE, get("/healthz/")),
    "favicon": Row(EVERYONE, get("/favicon.ico")),
    "readyz": Row(EVERYONE, get("/readyz/"), accept=frozenset({503})),  # 503 until warm
    # Metrics go by token or address, never by role: from an outside address, nobody.
    "metrics": Row(allow(others=DENY, anonymous=DENY), get("/metrics", REMOTE_ADDR="192.0.2.1")),
    "set_language": Row(EVERYONE, post("/i18n/setlang/", {"language": "en", "next": "/"})),

    # The console: open to all
    "console:home": Row(SIGNED_IN, get("/console/")),
    "console:login": Row(EVERYONE, get("/console/login/")),
    # Signed out, and on to the login page.
    "console:logout": Row(dict.fromkeys(ROLES, LOGIN), post("/console/logout/")),
    "console:password_set": Row(EVERYONE, get("/console/password/set/MQ/bad-token/")),
    "console:password_set_done": Row(EVERYONE, get("/console/password/set/done/")),
    # The console: each role's own pages
    "console:mine": Row(allow(CW, UL), get("/console/mine/")),
    "console:unit": Row(allow(UD, UL), get("/console/unit/")),
    "console:all_open": Row(allow(CD, SUP, SU), get("/console/open/")),
    "console:triage": Row(allow(CD, SU), get("/console/triage/")),
    "console:bulk_dispatch": Row(allow(CD, SU), post("/console/triage/dispatch-many/",
                                                     lambda w: {"numbers": [w.ticket(
                                                         "triage").number], "unit": "water"})),
    "console:overview": Row(allow(SUP, SU), get("/console/overview/")),
    "console:supervisions": Row(allow(UL, SUP, SU), get("/console/supervisions/")),
    "console:rulings": Row(allow(SUP, SU), get("/console/rulings/")),
    # Suspected duplicates, wherever the new ticket is: the centre's dispatchers decide.
    "console:duplicates": Row(allow(CD, SU), get("/console/duplicates/")),
    "console:duplicate_decide": Row(allow(CD, SU), on_row(
        lambda w: _duplicate(w), "/console/duplicates/{pk}/decide/", {"decision": "dismiss"})),
    # The centre's 回访 worklist and each call's outcome: whoever may follow up (the centre's
    # dispatchers, district supervisors).
    "console:follow_ups": Row(allow(CD, SUP, SU), get("/console/follow-ups/")),
    "console:follow_up_record": Row(allow(CD, SUP, SU), on_row(_make(
        "tickets.FollowUpTask", ticket=lambda w: w.ticket("resolved"), created_at=NOW,
        due_at=NOW), "/console/follow-ups/{pk}/", {"outcome": "satisfied"})),
    "console:approvals": Row(allow(UL, CD, SU), get("/console/approvals/")),
    "console:team": Row(allow(UL), get("/console/team/")),
    "console:shift_add": Row(allow(UL), post("/console/team/shifts/", lambda w: {
        "staff": w.org.assignee.pk, "weekday": 0, "starts": "08:00", "ends": "20:00"})),
    "console:shift_remove": Row(allow(UL), on_row(_make(
        "dispatch.WeeklyShift", staff=lambda w: w.org.assignee, weekday=1,
        starts=time(8), ends=time(12)),
        "/console/team/shifts/{pk}/delete/", {})),
    "console:duty_set": Row(allow(UL), on_row(lambda w: w.org.coworker,
                                              "/console/team/people/{pk}/duty/",
                                              {"on_duty": "0"})),
    # The console: the inbox (通知). Everyone with a Staff row has their own; a superuser without
    # one has none: the page says so, the bell is empty, marking read finds nothing of theirs (404).
    # A notice is its recipient's alone: for anyone else it does not exist.
    "console:inbox": Row(SIGNED_IN, get("/console/inbox/")),
    "console:inbox_bell": Row(SIGNED_IN, get("/console/inbox/bell/")),
    "console:inbox_read": Row(allow(CW, UD, UL, CD, SUP, others=HIDDEN),
                              post("/console/inbox/read/", {"all": "1"})),
    "console:inbox_read [the caseworker's notice]": Row(allow(CW, others=HIDDEN), two_step(
        _caseworkers_notice, lambda n, c: c.post("/console/inbox/read/", {"id": n.pk}))),
    "console:inbox_open": Row(allow(CW, others=HIDDEN), two_step(
        _caseworkers_notice, lambda n, c: c.get(f"/console/inbox/{n.pk}/open/"))),
    # The console: a ticket and what is done on it (another unit's ticket does not exist)
    "console:ticket": Row(SIGNED_IN, get(lambda w: f"/console/tickets/{_ticket_number(w)}/")),
    "console:ticket [another unit's]": Row(SIGNED_IN | hidden_from(*UNIT_ROLES),
                                        get(lambda w: f"/console/tickets/{_theirs(w)}/")),
    # The full phone and ID number: roles holding tickets.view_citizen_pii.
    "console:reveal": Row(allow(CW, UD, UL, CD, SU),
                          post(lambda w: f"/console/tickets/{_ticket_number(w)}/reveal/")),
    **{f"console:act [{name}]": Row(spec.expect, console_action(name))
       for name, spec in ACTIONS.items()},
    "console:act [no such action]": Row(SIGNED_IN | dict.fromkeys(STAFF, HIDDEN),
                                      post(lambda w: f"/console/tickets/{_ticket_number(w)}/"
                                                     "no-such-action/")),
    "console:decide [return]": Row(DECIDE_RETURN, on_row(
        _return_by("assignee"), "/console/decide/return/{pk}/", {"approve": "1"})),
    "console:decide [the lead's own return]": Row(DECIDE_LEADS_RETURN, on_row(
        _return_by("lead"), "/console/decide/return/{pk}/", {"approve": "1"})),
    "console:decide [extension]": Row(DECIDE_TIME, on_row(
        _extension, "/console/decide/extension/{pk}/", {"approve": "1"})),
    "console:decide [suspension]": Row(DECIDE_TIME, on_row(
        _suspension, "/console/decide/suspension/{pk}/", {"approve": "1"})),
    "console:decide [no such kind]": Row(SIGNED_IN | dict.fromkeys(STAFF, HIDDEN), on_row(
        _extension, "/console/decide/nothing/{pk}/", {"approve": "1"})),
    "console:suspension_end": Row(END_SUSPENSION, on_row(
        _running_suspension, "/console/suspensions/{pk}/end/", {"note": "已联系上"})),
    "console:supervision_answer": Row(ANSWER_SUPERVISION, on_row(
        _supervision, "/console/supervisions/{pk}/answer/", {"answer": "已办结"})),
    "console:assist_reply": Row(REPLY_ASSIST, on_row(
        _assist_task, "/console/assist-tasks/{pk}/reply/", {"reply": "管网压力正常"})),
    "console:ruling_decide": Row(RULE, on_row(
        _ruling, "/console/rulings/{pk}/decide/", {"unit": "water", "reason": "职责所在"})),
    # The console: photos (现场照片) and the printable record. Photos are added by whoever may
    # work the ticket (its assignee, the unit's lead); seen, like the ticket, by whoever may see
    # it; another unit's photo, upload or record does not exist.
    "console:photo_add": Row(allow(CW, UL, SU), _photo_upload(_ticket_number)),
    "console:photo_add [another unit's]": Row(allow(SU) | hidden_from(*UNIT_ROLES),
                                              _photo_upload(_theirs)),
    "console:attachment": Row(SIGNED_IN, _photo_get(False, "")),
    "console:attachment [another unit's]": Row(SIGNED_IN | hidden_from(*UNIT_ROLES),
                                               _photo_get(True, "")),
    "console:attachment_thumb": Row(SIGNED_IN, _photo_get(False, "thumb/")),
    "console:attachment_thumb [another unit's]": Row(SIGNED_IN | hidden_from(*UNIT_ROLES),
                                                     _photo_get(True, "thumb/")),
    "console:ticket_print": Row(SIGNED_IN, get(
        lambda w: f"/console/tickets/{_ticket_number(w)}/print/")),
    "console:ticket_print [another unit's]": Row(SIGNED_IN | hidden_from(*UNIT_ROLES), get(
        lambda w: f"/console/tickets/{_theirs(w)}/print/")),
    # The console: the reports (考核报表): supervisors every unit, a unit lead their own (another
    # unit's is not found); the scheduled files cover the whole district, so not a lead's.
    "console:reports": Row(allow(UL, SUP, SU), get("/console/reports/")),
    "console:reports [another unit's]": Row(allow(SUP, SU) | hidden_from(UL),
                                            get("/console/reports/?unit=water")),
    "console:report_tickets": Row(allow(UL, SUP, SU),
                                  get("/console/reports/tickets/?figure=received")),
    "console:report_tickets [another unit's]": Row(allow(SUP, SU) | hidden_from(UL), get(
        "/console/reports/tickets/?figure=received&unit=water")),
    "console:report_compare": Row(allow(UL, SUP, SU), get("/console/reports/compare/")),
    "console:report_export": Row(allow(UL, SUP, SU), get("/console/reports/export/?format=csv")),
    "console:report_export [another unit's]": Row(allow(SUP, SU) | hidden_from(UL), get(
        "/console/reports/export/?format=xlsx&unit=water")),
    "console:report_files": Row(allow(UL, SUP, SU), get("/console/reports/files/")),
    "console:report_file_download": Row(allow(SUP, SU) | hidden_from(UL), two_step(
        _make("reports.ReportFile", kind="month", period_first=date(2026, 11, 1),
              period_last=date(2026, 11, 30), created_at=NOW, filename="月报.xlsx",
              content=b"PK", size=2),
        lambda f, c: c.get(f"/console/reports/files/{f.pk}/"))),
    # The console: history (finished tickets: a caseworker's own, the unit's for its lead and
    # unit dispatcher; a list, so another unit's tickets are simply not in it) and the search
    # across every ticket (the centre and supervisors).
    "console:history": Row(allow(CW, UD, UL), get("/console/history/?state=closed")),
    "console:search": Row(allow(CD, SUP, SU), get("/console/search/?q=路灯不亮")),
    "console:search [by phone]": Row(allow(CD, SUP, SU),
                                     get("/console/search/?q=13812345678&kind=phone")),

    # The API
    "api-root": Row(SIGNED_IN, get("/api/"), api=True),
    "api-schema": Row(EVERYONE, get("/api/schema/"), api=True),
    "api-docs": Row(EVERYONE, get("/api/docs/"), api=True),
    "api-token": Row(allow(*STAFF, anonymous=INVALID), _token_login, api=True),
    "api-token-revoke": Row(SIGNED_IN, post("/api/auth/token/revoke/"), api=True),
    # Channels sign their requests; a person's login or token is no signature.
    "intake": Row(allow(others=LOGIN), post(lambda w: f"/api/intake/{_channel_code(w)}/",
                                            {"call_id": "x"}), api=True),
    "intake-rating": Row(allow(others=LOGIN), post(
        lambda w: f"/api/intake/{_channel_code(w)}/rating/", {"x": 1}), api=True),
    "dispatch-accuracy": Row(allow(CD, SUP, SU), get("/api/reports/dispatch-accuracy/"),
                             api=True),
    "satisfaction": Row(allow(CD, SUP, SU), get("/api/reports/satisfaction/"), api=True),
    # The SLA report (reports.api): supervisors every unit, a unit lead their own.
    "sla-report": Row(allow(UL, SUP, SU), get("/api/reports/sla/?from=2026-12-01&to=2026-12-31"),
                      api=True),
    "sla-report [another unit's]": Row(allow(SUP, SU) | hidden_from(UL), get(
        "/api/reports/sla/?from=2026-12-01&to=2026-12-31&unit=water"), api=True),
    "sla-trend": Row(allow(UL, SUP, SU), get(
        "/api/reports/sla/trend/?from=2026-12-01&to=2026-12-31&granularity=week"), api=True),
    "ticket-list": Row(SIGNED_IN, get("/api/tickets/"), api=True),
    "ticket-detail": Row(SIGNED_IN, get(lambda w: f"/api/tickets/{_ticket_number(w)}/"),
                         api=True),
    "ticket-detail [another unit's]": Row(SIGNED_IN | hidden_from(*UNIT_ROLES),
                                       get(lambda w: f"/api/tickets/{_theirs(w)}/"), api=True),
    # The full phone and ID number, as the console's reveal.
    "ticket-reveal-pii": Row(allow(CW, UD, UL, CD, SU), post(
        lambda w: f"/api/tickets/{_ticket_number(w)}/reveal-pii/"), api=True),
    "ticket-events": Row(SIGNED_IN, get(lambda w: f"/api/tickets/{_ticket_number(w)}/events/"),
                         api=True),
    # Anyone may call it: each ticket the caller may not dispatch is refused in the answer.
    "ticket-dispatch-many": Row(SIGNED_IN, post("/api/tickets/dispatch-many/", lambda w: {
        "numbers": [w.ticket("triage").number], "unit": "water"}), api=True),
    **{f"ticket-{CATALOGUE[name].api_name.replace('_', '-')}": Row(spec.expect, api_action(name),
                                                                    api=True)
       for name, spec in ACTIONS.items()},
    "return-request-decide": Row(DECIDE_RETURN, on_row(
        _return_by("assignee"), "/api/return-requests/{pk}/decide/", {"approve": True}),
        api=True),
    "return-request-decide [the lead's own]": Row(DECIDE_LEADS_RETURN, on_row(
        _return_by("lead"), "/api/return-requests/{pk}/decide/", {"approve": True}), api=True),
    "extension-decide": Row(DECIDE_TIME, on_row(
        _extension, "/api/extensions/{pk}/decide/", {"approve": True}), api=True),
    "suspension-decide": Row(DECIDE_TIME, on_row(
        _suspension, "/api/suspensions/{pk}/decide/", {"approve": True}), api=True),
    "suspension-end": Row(END_SUSPENSION, on_row(
        _running_suspension, "/api/suspensions/{pk}/end/", {"note": "已联系上"}), api=True),
    "supervision-answer": Row(ANSWER_SUPERVISION, on_row(
        _supervision, "/api/supervisions/{pk}/answer/", {"answer": "已办结"}), api=True),
    "assist-task-reply": Row(REPLY_ASSIST, on_row(
        _assist_task, "/api/assist-tasks/{pk}/reply/", {"reply": "管网压力正常"}), api=True),
    "ruling-decide": Row(RULE, on_row(
        _ruling, "/api/rulings/{pk}/decide/", {"unit": "water", "reason": "职责所在"}),
        api=True),

    # The admin (its pages per model: ADMIN_MODELS)
    "admin:index": Row(SIGNED_IN, get("/admin/")),
    "admin:login": Row(EVERYONE, get("/admin/login/")),
    "admin:logout": Row(EVERYONE, post("/admin/logout/")),
    "admin:password_change": Row(SIGNED_IN, get("/admin/password_change/")),
    "admin:password_change_done": Row(SIGNED_IN, get("/admin/password_change/done/")),
    "admin:jsi18n": Row(SIGNED_IN, get("/admin/jsi18n/")),
    # Looking up units for a form: everyone who may see units.
    "admin:autocomplete": Row(SIGNED_IN, get(
        "/admin/autocomplete/?app_label=dispatch&model_name=staff&field_name=unit")),
    "admin:view_on_site": Row(SIGNED_IN | dict.fromkeys(STAFF, HIDDEN), get(
        lambda w: f"/admin/r/{_content_type_id('tickets.ticket')}/{w.ticket('assigned').pk}/")),
    "admin:app_list": Row(SIGNED_IN, get("/admin/tickets/")),
    "route:admin/(?P<url>.*)$": Row(allow(others=HIDDEN), get("/admin/no-such-page/")),
    "admin:auth_user_password_change": Row(allow(SU), get(
        lambda w: f"/admin/auth/user/{w.org.assignee.user.pk}/password/")),
    # The admin's form of a catalogue action: the same service, the same answer.
    "admin:tickets_ticket_act": Row(ACTIONS["contact"].expect, two_step(
        lambda w: w.working(), lambda t, c: c.post(f"/admin/tickets/ticket/{t.pk}/act/contact/",
                                                   {"method": "电话"}))),
    "admin:tickets_ticket_reveal_pii": Row(allow(CW, UD, UL, CD, SU), two_step(
        lambda w: w.working(), lambda t, c: c.post(f"/admin/tickets/ticket/{t.pk}/reveal-pii/"))),
    # A channel's raw request (names, numbers): superusers only, each look recorded.
    "admin:tickets_intakerecord_body": Row(allow(SU), two_step(
        ADMIN_MODELS["tickets.intakerecord"].make or (lambda w: None),
        lambda r, c: c.get(f"/admin/tickets/intakerecord/{r.pk}/body/"))),
    # The state machine's button: it files the same return request, which the service refuses
    # to those who may not; the admin reports the refusal as a message on the ticket's page.
    "admin:tickets_ticket_transition": Row(SIGNED_IN, two_step(
        lambda w: w.working(), lambda t, c: c.get(
            f"/admin/tickets/ticket/{t.pk}/transition/return_to_triage/"))),
}


def _content_type_id(label: str) -> int:
    from django.contrib.contenttypes.models import ContentType

    app_label, model = label.split(".")
    return ContentType.objects.get(app_label=app_label, model=model).pk


# --- the URL resolver: every pattern must have its row -----------------------------------------

def _patterns(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[
        tuple[str | None, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, prefix + str(pattern.pattern)


def _admin_model_of(name: str | None, route: str) -> str | None:
    """The registered model an admin pattern belongs to (its five pages and the object URL
    that redirects to the change page), else None."""
    for model in admin.site._registry:
        app, model_name = model._meta.app_label, model._meta.model_name
        if name is not None and re.fullmatch(
                rf"admin:{app}_{model_name}_({'|'.join(ADMIN_PAGES)})", name):
            return model._meta.label_lower
        if name is None and route == f"admin/{app}/{model_name}/<path:object_id>/":
            return model._meta.label_lower
    return None


def _row_key(name: str | None, route: str) -> str:
    return name if name is not None else f"route:{route}"


def _url_of(key: str) -> str:
    """A row's URL: its key, less a variant ("console:ticket [another unit's]")."""
    return key.rpartition(" [")[0] if key.endswith("]") else key


def test_every_url_has_a_row():
    rows = {_url_of(key) for key in MATRIX}
    missing, seen = [], set()
    for name, route in _patterns(get_resolver().url_patterns):
        if _admin_model_of(name, route) is not None:
            continue
        key = _row_key(name, route)
        seen.add(key)
        if key not in rows:
            missing.append(f"{key}  ({route})")
    assert not missing, "URLs without a row in MATRIX:\n" + "\n".join(missing)
    assert rows <= seen, f"rows for URLs that no longer exist: {sorted(rows - seen)}"


def test_every_model_in_the_admin_has_a_row():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), (
        f"missing: {sorted(registered - set(ADMIN_MODELS))}, "
        f"stale: {sorted(set(ADMIN_MODELS) - registered)}")


def test_every_catalogue_action_has_its_console_and_api_rows():
    assert set(ACTIONS) == set(CATALOGUE)


def test_the_matrix_covers_every_role():
    for key, row in MATRIX.items():
        assert set(row.expect) == set(ROLES), key


# --- the matrix itself -------------------------------------------------------------------------

def _each_role(world: World, send: Send, *, api: bool, accept: frozenset[int],
               admin_row: bool = False) -> Expect:
    got = {}
    for role in ROLES:
        with transaction.atomic():
            client = world.client(role, api=api)
            client._matrix_user = world.users[role]  # type: ignore[attr-defined]
            got[role] = outcome(send(client), accept, admin_row=admin_row)
            transaction.set_rollback(True)
    return got


def _differences(expected: Expect, got: Expect) -> str:
    return ", ".join(f"{role}: expected {expected[role]}, got {got[role]}"
                     for role in ROLES if expected[role] != got[role])


@pytest.mark.parametrize("key", list(MATRIX))
def test_each_role_gets_what_the_matrix_says(world, key):
    row = MATRIX[key]
    got = _each_role(world, row.probe(world), api=row.api, accept=row.accept)
    assert got == row.expect, _differences(row.expect, got)


@pytest.mark.parametrize("label", list(ADMIN_MODELS))
def test_each_role_gets_what_the_matrix_says_in_the_admin(world, label):
    spec = ADMIN_MODELS[label]
    app, model_name = label.split(".")
    obj = spec.make(world) if spec.make else admin.site._registry[next(
        m for m in admin.site._registry if m._meta.label_lower == label)].model._default_manager\
        .order_by("pk").first()
    assert obj is not None, f"{label}: no row to open; give ADMIN_MODELS[{label!r}] a make"
    base = f"/admin/{app}/{model_name}/"
    paths = {"changelist": base, "add": f"{base}add/", "change": f"{base}{obj.pk}/change/",
             "delete": f"{base}{obj.pk}/delete/", "history": f"{base}{obj.pk}/history/"}
    got = {page: _each_role(world, lambda c, path=path: c.get(path), api=False,
                            accept=frozenset(), admin_row=True) for page, path in paths.items()}
    expected = spec.expect()
    assert got == expected, "; ".join(f"{page}: {_differences(expected[page], got[page])}"
                                      for page in ADMIN_PAGES if got[page] != expected[page])

