from dispatch.models.org import ServiceHeartbeat, Staff, StaffRole, Unit, UnitKind
from dispatch.models.roster import ExtraShift, Holiday, Leave, Weekday, WeeklyShift

__all__ = [
           "ExtraShift",
           "Holiday",
           "Leave",
           "ServiceHeartbeat",
           "Staff",
           "StaffRole",
           "Unit",
           "UnitKind",
           "Weekday",
           "WeeklyShift",
]
