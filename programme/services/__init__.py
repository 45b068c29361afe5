"""The programme's writes (`<entity>_<action>`), and the two hooks the outlets services call:
`check_licences` when an application is made or changed, `match_registered_vendor` after a
vendor registers."""

from programme.services.cohorts import cohort_list_import, match_registered_vendor
from programme.services.records import (
    attendance_record,
    check_licences,
    coaching_session_create,
    licence_create,
    licence_requirement_create,
    licence_requirement_delete,
    target_create,
    target_update,
)

__all__ = [
    "attendance_record",
    "check_licences",
    "coaching_session_create",
    "cohort_list_import",
    "licence_create",
    "licence_requirement_create",
    "licence_requirement_delete",
    "match_registered_vendor",
    "target_create",
    "target_update",
]
