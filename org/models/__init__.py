from org.models.org import ServiceHeartbeat, Staff, StaffRole, Unit, UnitKind
from org.models.roster import ExtraShift, Holiday, Leave, Weekday, WeeklyShift

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
