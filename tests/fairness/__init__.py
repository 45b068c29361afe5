"""Tests of issue 19: public results, the verifier, objections and appeals, reserve with cap."""
