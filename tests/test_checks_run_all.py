"""checks.run_all: every check on one claim/evidence pair."""

from datetime import date

from summarizer.checks import Check, run_all


def test_run_all_returns_one_check_per_kind():
    checks = run_all("Twelve police officers died on Friday, Iraqi officials said.",
                     "Iraqi officials said 12 police officers died.", ref_date=date(2015, 5, 9))
    assert set(checks) == {"numbers", "dates", "entities", "negation"}
    assert all(isinstance(c, Check) for c in checks.values())


def test_run_all_reports_each_verdict_independently():
    checks = run_all("Fifty police officers died in Baghdad on Friday.",
                     "Iraqi officials said 12 police officers died in Diyala.")
    assert {k: c.verdict for k, c in checks.items()} == {
        "numbers": "mismatch", "dates": "absent", "entities": "mismatch", "negation": "na"}
