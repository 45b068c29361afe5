"""The text of each notification template, in English source strings translated to Indonesian.

A template has a subject (e-mail) and a body (both channels); its context holds only display
strings (`stall`, `outlet`, `deadline`, dates, fee), so a message renders the same at any retry.
Vendors read them in Indonesian, the service's language, whatever language the sender used.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications.models import Template

OFFER_MADE = Template.OFFER_MADE.value
OFFER_EXPIRING = Template.OFFER_EXPIRING.value
LEASE_STARTED = Template.LEASE_STARTED.value
LEASE_ENDING = Template.LEASE_ENDING.value

SUBJECTS = {
    OFFER_MADE: _("You have been offered stall %(stall)s"),
    OFFER_EXPIRING: _("Your offer of stall %(stall)s expires in 24 hours"),
    LEASE_STARTED: _("Your lease of stall %(stall)s starts today"),
    LEASE_ENDING: _("Your lease of stall %(stall)s ends on %(end)s"),
}
BODIES = {
    OFFER_MADE: _(
        "Round %(round)s: you are offered stall %(stall)s at %(outlet)s. Accept or decline it "
        "before %(deadline)s (Depok time) on the vendor pages: %(link)s"
    ),
    OFFER_EXPIRING: _(
        "Your offer of stall %(stall)s at %(outlet)s expires at %(deadline)s (Depok time). "
        "Accept or decline it on the vendor pages: %(link)s"
    ),
    LEASE_STARTED: _(
        "Your lease of stall %(stall)s at %(outlet)s starts today, %(start)s, and runs until "
        "%(end)s. Monthly fee: Rp %(fee)s."
    ),
    LEASE_ENDING: _(
        "Your lease of stall %(stall)s at %(outlet)s ends on %(end)s. Ask your outlet manager "
        "about a renewal."
    ),
}
LANGUAGE = "id"


def render(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of a template with its context, in Indonesian."""
    values = {k: str(v) for k, v in context.items()}
    with translation.override(LANGUAGE):
        return str(SUBJECTS[template]) % values, str(BODIES[template]) % values
