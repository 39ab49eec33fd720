"""repair: what the checker flags goes back to the draft stage once (rewritten with its evidence, else replaced by its
source sentence, or dropped), and every change is recorded."""

import json

import pytest

from summarizer.draft import Action, Draft, Flag, ModelInfo, RunMeta, repair
from summarizer.schema import Actor, Claim, EventDate, EventSummary, Figure, Location, Note


def meta(**extra) -> RunMeta:
    return RunMeta(model=ModelInfo(role="generator", repo_id="test", sha256="0" * 64, backend="llamacpp"),
                   prompt_version="v1+test", schema_version="1.1", **extra)


def seeds_draft_with(**fields) -> Draft:
    """A hand-made draft of the seeds (sentence ids of load_sources('seeds')), its bottom line composed."""
    from summarizer.draft.bottom_line import compose_bottom_line

    summary = EventSummary(**{
        "headline": "Prison break in Al-Khalis", "bottom_line": "-", "event_type": "prison_break",
        "date": EventDate(value="2015-05-08", precision="day", text="Friday", citations=["d4:1"]),
        "location": Location(place="Al-Khalis", country="Iraq", citations=["d1:3"]), **fields})
    text, used = compose_bottom_line(summary)
    return Draft(summary=summary.model_copy(update={"bottom_line": text}), meta=meta(bottom_line_from=used))


OFFICIAL_REPORTS = Claim(claimant="Official reports", statement="An external attack by ISIS vehicles broke open the "
                         "prison.", citations=["d3:20"])


@pytest.mark.model
def test_a_flagged_claim_is_repaired_or_replaced_and_the_change_is_recorded_in_summary_json(seed_sources, tmp_path):
    from summarizer.brief import repaired, write_outputs
    from summarizer.verify import Status, verify

    draft = seeds_draft_with(claims=[OFFICIAL_REPORTS])
    first = verify(draft.summary, seed_sources, meta=draft.meta)
    assert {c.status for c in first.claims if c.pointer == "/claims/0"} & {Status.unsupported, Status.contradicted}

    draft, verified = repaired(draft, first, seed_sources,
                               check=lambda d: verify(d.summary, seed_sources, meta=d.meta))

    [claim] = [c for c in verified.claims if c.pointer == "/claims/0"]
    assert claim.status in (Status.supported, Status.contested)
    assert "no external attack" in verified.summary.claims[0].statement.lower()
    saved = json.loads(write_outputs(verified, tmp_path, formats=["json"])["json"].read_text())["meta"]
    assert saved["first_draft"]["claims"][0]["statement"] == OFFICIAL_REPORTS.statement
    change = saved["repairs"][-1]
    assert change["pointer"] == "/claims/0" and change["action"] in ("rewritten", "replaced by source sentence")
    assert change["before"] == f"Official reports: {OFFICIAL_REPORTS.statement}"
    assert change["status"] in ("unsupported", "contradicted") and change["reasons"]


def test_a_claim_still_flagged_is_replaced_by_the_speakers_sentence_naming_them_as_the_source_does(seed_sources):
    claim = Claim(claimant="Brigadier General Saad Maan Ibrahim", statement="The prisoners clashed with guards.",
                  citations=["d3:13", "d4:6"])
    flag = Flag(pointer="/claims/0", status="unsupported", reasons=["no source supports it"], evidence=["d4:6"])
    out = repair(seeds_draft_with(claims=[claim]), seed_sources, [flag], rewrite=False)
    assert out.summary.claims[0].claimant == "Brigadier General Saad Maan"
    assert out.summary.claims[0].statement == "The prisoners then clashed with guards before the escape."
    assert [(r.action, r.attempt) for r in out.meta.repairs] == [(Action.replaced, 2)]


def test_a_flagged_note_is_replaced_by_its_cited_sentence(seed_sources):
    note = Note(text="A curfew was declared in Baghdad.", citations=["d1:14"])
    flag = Flag(pointer="/aftermath/0", status="contradicted", evidence=["d1:14"])
    out = repair(seeds_draft_with(aftermath=[note]), seed_sources, [flag], rewrite=False)
    assert out.summary.aftermath[0].text.startswith("Authorities declared a curfew in Al-Khalis")
    assert out.meta.repairs[0].before == note.text and out.meta.repairs[0].status == "contradicted"


def test_a_flagged_headline_is_replaced_by_the_lead_reports_title(seed_sources):
    out = repair(seeds_draft_with(), seed_sources, [Flag(pointer="/headline", status="unsupported")], rewrite=False)
    assert out.summary.headline == seed_sources.canonical[0].title


def test_a_headline_dated_as_a_dropped_date_is_replaced_by_the_lead_reports_title(seed_sources):
    draft = seeds_draft_with(headline="ISIS frees prisoners in Al-Khalis in 2014",
                             date=EventDate(value="2014", precision="year", text="2014", citations=["d4:1"]))
    out = repair(draft, seed_sources, [Flag(pointer="/date", status="unsupported")])
    assert out.summary.date is None and out.summary.headline == seed_sources.canonical[0].title
    assert [(r.pointer, r.action) for r in out.meta.repairs][:2] == [("/date", Action.dropped),
                                                                      ("/headline", Action.replaced)]
    assert not out.meta.calls  # no model call: the date alone was flagged


def test_a_figure_no_source_supports_is_dropped_with_its_reason_and_the_bottom_line_composed_without_it(seed_sources):
    figures = [Figure(kind="killed", group="police officers", value_min=12, text="12", reported_by="Iraqi officials",
                      citations=["d1:3"]),
               Figure(kind="killed", group="guards", value_min=7, text="seven", reported_by="Maan",
                      citations=["d4:9"])]
    draft = seeds_draft_with(figures=figures, actors=[Actor(name="ISIS", role="claimed_responsibility")])
    assert "seven guards" in draft.summary.bottom_line
    flags = [Flag(pointer="/figures/1", status="contradicted", reasons=["d4 gives 'five guards'"]),
             Flag(pointer="/bottom_line", status="contradicted", reasons=["/figures/1: d4 gives 'five guards'"])]
    out = repair(draft, seed_sources, flags)
    assert [f.value_min for f in out.summary.figures] == [12]
    assert "seven" not in out.summary.bottom_line and "12 police officers" in out.summary.bottom_line
    assert "/figures/0" in out.meta.bottom_line_from and "/figures/1" not in out.meta.bottom_line_from
    dropped, recomposed = out.meta.repairs
    assert (dropped.pointer, dropped.action, dropped.reasons) == ("/figures/1", Action.dropped,
                                                                   ["d4 gives 'five guards'"])
    assert dropped.before == "killed: seven guards, per Maan" and dropped.after == ""
    assert recomposed.action is Action.recomposed and out.meta.first_draft == draft.summary
    assert not out.meta.calls  # nothing to write: no model call


def test_a_draft_with_nothing_flagged_is_left_as_it_is(seed_sources):
    draft = seeds_draft_with(claims=[OFFICIAL_REPORTS])
    out = repair(draft, seed_sources, [])
    assert out.summary == draft.summary and out.meta.repairs == [] and out.meta.first_draft is None


def test_a_flagged_location_keeps_the_place_the_sources_name_and_loses_the_parts_they_never_name(seed_sources):
    draft = seeds_draft_with(location=Location(place="Al-Khalis", region="Ontario", country="Iraq",
                                               citations=["d1:3"]))
    flags = [Flag(pointer="/location", status="unsupported",
                  reasons=["no source supports it: evidence does not name Ontario"])]
    out = repair(draft, seed_sources, flags)
    assert (out.summary.location.place, out.summary.location.region, out.summary.location.country) == (
        "Al-Khalis", None, "Iraq")
    (narrowed, *_) = out.meta.repairs
    assert narrowed.action is Action.narrowed and narrowed.after == "Al-Khalis, Iraq"


def test_a_flagged_location_whose_place_no_source_names_is_dropped(seed_sources):
    draft = seeds_draft_with(location=Location(place="Mosul", country="Iraq", citations=["d1:3"]))
    out = repair(draft, seed_sources, [Flag(pointer="/location", status="unsupported", reasons=["no source names it"])])
    assert out.summary.location is None and out.meta.repairs[0].action is Action.dropped
