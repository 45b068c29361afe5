"""Fairness anyone can check (issue 19): objections before the draw, appeals after it, and the
round's public results with the verification file an outside verifier re-runs."""
