"""The vendor portal (`/vendor/...`): server-rendered pages over the outlets services and
selectors, phone first, Indonesian first, working with JavaScript off.

Modules by concern: `account` (registration, the reset code), `profile`, `rounds` (open rounds,
the application and its ranked choices), `results` (the outcome and why), `offers` (the offer and
the lease), `queries` (the reads the pages share), `_common` (the vendor check, throttles).
"""
