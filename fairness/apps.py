from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairnessConfig(AppConfig):
    name = "fairness"
    verbose_name = _("Fairness: public results, objections and appeals")

    def ready(self) -> None:
        # An upheld appeal takes the first vacancy in a group its vendor ranked higher, before
        # the waitlist (operations.services.waitlist.VACANCY_CLAIMANTS).
        from fairness.selectors import remedy_claimant
        from operations.services.waitlist import VACANCY_CLAIMANTS

        if remedy_claimant not in VACANCY_CLAIMANTS:
            VACANCY_CLAIMANTS.append(remedy_claimant)
