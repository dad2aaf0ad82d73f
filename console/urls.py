from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from console.views import (
    duplicates,
    follow_ups,
    history,
    inbox,
    photos,
    printing,
    queues,
    reports,
    team,
    tickets,
)

app_name = "console"

urlpatterns = [
    path("", queues.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html",
                                                redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    # A new account's first password, through the signed link import_staff and
    # staff_password_link print (no shared password is ever handed out).
    path("password/set/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="console/password_set.html",
        success_url=reverse_lazy("console:password_set_done"),
        extra_context={"title": _("设置密码")}), name="password_set"),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="console/password_set_done.html", extra_context={"title": _("密码已设置")}),
        name="password_set_done"),
    path("mine/", queues.mine, name="mine"),
    path("unit/", queues.unit, name="unit"),
    path("open/", queues.all_open, name="all_open"),
    path("triage/", queues.triage, name="triage"),
    path("triage/dispatch-many/", queues.bulk_dispatch, name="bulk_dispatch"),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/decide/", duplicates.duplicate_decide, name="duplicate_decide"),
    # The centre's 回访 worklist and each call's outcome.
    path("follow-ups/", follow_ups.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/", follow_ups.follow_up_record, name="follow_up_record"),
    # History (finished tickets) and the centre's search across every ticket.
    path("history/", history.history, name="history"),
    path("search/", history.search, name="search"),
    path("overview/", queues.overview, name="overview"),
    path("supervisions/", queues.supervisions, name="supervisions"),
    path("rulings/", queues.rulings, name="rulings"),
    path("rulings/<int:pk>/decide/", tickets.ruling_decide, name="ruling_decide"),
    path("reports/", reports.report_page, name="reports"),
    path("reports/tickets/", reports.report_tickets_page, name="report_tickets"),
    path("reports/compare/", reports.report_compare_page, name="report_compare"),
    path("reports/export/", reports.report_export, name="report_export"),
    path("reports/files/", reports.report_files_page, name="report_files"),
    path("reports/files/<int:pk>/", reports.report_file_download, name="report_file_download"),
    # The inbox (通知): the bell on every page polls inbox_bell.
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bell/", inbox.inbox_bell, name="inbox_bell"),
    path("inbox/read/", inbox.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/open/", inbox.inbox_open, name="inbox_open"),
    path("approvals/", team.approvals, name="approvals"),
    path("team/", team.team, name="team"),
    path("team/shifts/", team.shift_add, name="shift_add"),
    path("team/shifts/<int:pk>/delete/", team.shift_remove, name="shift_remove"),
    path("team/people/<int:pk>/duty/", team.duty_set, name="duty_set"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reveal/", tickets.ticket_reveal, name="reveal"),
    # Photos (现场照片) and the printable record: before "act", whose <action> would take them.
    path("tickets/<str:number>/photos/", photos.photo_add, name="photo_add"),
    path("tickets/<str:number>/print/", printing.ticket_print, name="ticket_print"),
    path("attachments/<int:pk>/", photos.attachment_file, name="attachment"),
    path("attachments/<int:pk>/thumb/", photos.attachment_thumb, name="attachment_thumb"),
    path("tickets/<str:number>/<slug:action>/", tickets.ticket_act, name="act"),
    path("decide/<slug:kind>/<int:pk>/", tickets.row_decide, name="decide"),
    path("suspensions/<int:pk>/end/", tickets.suspension_end, name="suspension_end"),
    path("supervisions/<int:pk>/answer/", tickets.supervision_answer_view,
         name="supervision_answer"),
    path("assist-tasks/<int:pk>/reply/", tickets.assist_reply, name="assist_reply"),
]
