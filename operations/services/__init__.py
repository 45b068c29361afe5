"""Writes of the operations app, by entity: `pricing` (terms, tariffs, a lease's price),
`billing` (bills, payments, statements, reversals), `enforcement` (warnings, terminations,
inspections), `renewals`, `waitlist` and `daily` (`run_daily`). Each function is one
transaction (the waitlist's refill after a termination is a second one, after it commits);
messages are module constants the tests import."""
