from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from console.views import queues, reports, team, tickets

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
    path("approvals/", team.approvals, name="approvals"),
    path("team/", team.team, name="team"),
    path("team/shifts/", team.shift_add, name="shift_add"),
    path("team/shifts/<int:pk>/delete/", team.shift_remove, name="shift_remove"),
    path("team/people/<int:pk>/duty/", team.duty_set, name="duty_set"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reveal/", tickets.ticket_reveal, name="reveal"),
    path("tickets/<str:number>/<slug:action>/", tickets.ticket_act, name="act"),
    path("decide/<slug:kind>/<int:pk>/", tickets.row_decide, name="decide"),
    path("suspensions/<int:pk>/end/", tickets.suspension_end, name="suspension_end"),
    path("supervisions/<int:pk>/answer/", tickets.supervision_answer_view,
         name="supervision_answer"),
    path("assist-tasks/<int:pk>/reply/", tickets.assist_reply, name="assist_reply"),
]
