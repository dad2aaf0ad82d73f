"""System checks that need the database (``manage.py check --database default``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register

from org.models import Weekday
from org.schema_state import schema_is_current
from org.selectors import units_always_on_with_gaps


@register(Tags.database)
def check_always_on_units_are_covered(app_configs: Any = None, databases: Any = None,
                                      **kwargs: Any) -> list[Warning]:
    if not databases or not any(
            schema_is_current(using=alias, app_labels=["dispatch"]) for alias in databases):
        return []

    warnings = []
    for unit, gaps in units_always_on_with_gaps():
        weekday, hour = gaps[0]
        warnings.append(Warning(
            f"「{unit.name}」承诺 7×24 值守，但值班表有 {len(gaps)} 个小时无人（最早："
            f"{Weekday(weekday).label} {hour:02d}时）",
            hint="在值班表中为该单位的经办人安排夜班和周末班。", obj=unit,
            id="dispatch.W001"))
    return warnings
