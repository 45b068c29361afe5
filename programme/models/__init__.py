"""The programme's models: cohort lists and their members, targets, coaching, licences."""

from programme.models.cohorts import CohortList, CohortMember, Target
from programme.models.records import (
    Attendance,
    CoachingSession,
    Licence,
    LicenceRequirement,
)

__all__ = [
    "Attendance",
    "CoachingSession",
    "CohortList",
    "CohortMember",
    "Licence",
    "LicenceRequirement",
    "Target",
]
