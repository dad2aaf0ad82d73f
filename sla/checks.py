"""System checks of the SLA calendar (``manage.py check --database default``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.utils import timezone

from org.calendar import package_knows
from org.models import Holiday
from org.schema_state import schema_is_current


@register(Tags.database)
def check_next_year_is_known(app_configs: Any = None, databases: Any = None,
                             **kwargs: Any) -> list[Warning]:
    """Next year's holidays must be loaded before it starts, or working-time deadlines count
    plain weekends (and miss every make-up Saturday)."""
    if not databases or not any(
            schema_is_current(using=alias, app_labels=["dispatch"]) for alias in databases):
        return []

    year = timezone.localdate().year + 1
    if package_knows(year) or Holiday.objects.filter(date__year=year).exists():
        return []
    return [Warning(
        f"{year} 年的法定节假日和调休安排尚未载入：工作日时限将只按周末计算",
        hint=f"国务院公布 {year} 年放假安排后，用 manage.py holidays_load 载入（CSV：date,name,"
             "is_workday），或在「节假日」表中录入，或升级 chinesecalendar。", id="sla.W001")]
