"""`/vendor/...`: the vendor portal's pages (namespace `vendor`)."""

from django.urls import path

from web.views.vendor import account, bills, dashboard, offers, profile, results, rounds

app_name = "vendor"

urlpatterns = [
    path("", dashboard.vendor_home, name="home"),
    path("register/", account.register, name="register"),
    path("reset-code/", account.reset_with_code, name="reset_code"),
    path("profile/", profile.profile, name="profile"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/<int:round_id>/apply/", rounds.apply, name="apply"),
    path("rounds/<int:round_id>/withdraw/", rounds.withdraw, name="withdraw"),
    path("applications/<int:application_id>/", results.application_detail, name="application"),
    path("offers/<int:offer_id>/", offers.offer_detail, name="offer"),
    path("offers/<int:offer_id>/accept/", offers.offer_accept, name="offer_accept"),
    path("offers/<int:offer_id>/decline/", offers.offer_decline, name="offer_decline"),
    path("leases/<int:lease_id>/", offers.lease_detail, name="lease"),
    path("leases/<int:lease_id>/bills/", bills.lease_bills, name="bills"),
]
