"""render: the briefing note in Markdown and self-contained HTML, built from a VerifiedSummary only."""

import base64
import hashlib
import re
from importlib.resources import files

import lxml.html
import pytest
from markdown_it import MarkdownIt

from summarizer import render
from summarizer.draft import ModelInfo
from summarizer.verify import Status
from verified_fixture import PWNED_IMG, PWNED_SCRIPT


@pytest.fixture(scope="module")
def md(seeds_verified):
    return render.markdown(seeds_verified)


@pytest.fixture(scope="module")
def page(seeds_verified):
    return lxml.html.document_fromstring(render.html(seeds_verified))


def _headings(markdown: str) -> list[str]:
    return re.findall(r"^## (.+)$", markdown, flags=re.M)


# --- Markdown ---------------------------------------------------------------------------------------------------

def test_markdown_puts_the_bottom_line_first_then_the_analysts_sections_in_order(md, seeds_verified):
    assert md.startswith(f"# {seeds_verified.summary.headline}\n\n**Bottom line:** ")
    assert _headings(md) == ["Key facts", "Contested facts", "Flagged fields", "Sources", "How this note was made"]


def test_markdown_bottom_line_marks_each_sentence_with_its_status_and_reports(md):
    lead = md.split("\n")[2]
    assert "Diyala province, Iraq. (✓ [1][2]) Officials blame" in lead
    assert "(Brig. Gen. Saad Maan). (⚖ [1][3])" in lead


def test_markdown_warns_of_flagged_fields_before_the_key_facts(md):
    warning = md.index("> **⚠ 3 flagged fields")
    assert warning < md.index("## Key facts")
    assert "Actor (perpetrator), Killed: civilians in the prison break, Claim by Official reports" in md[warning:]


def test_markdown_key_facts_show_value_status_and_report_numbers(md):
    assert "| Killed: police officers | 12, per Iraqi officials | ⚖ contested | [1][2] |" in md
    assert "| Actor (perpetrator) | Al Qaeda in Iraq | **⚠ UNSUPPORTED** | [3] |" in md
    assert "| Location: region | — | — not stated | none |" in md


def test_markdown_states_contested_facts_as_who_reports_what(md):
    assert ("- **Killed: police officers / guards:** The Independent [1] and Wikipedia [2] report 12 police "
            "officers; Communities Digital News [3] reports 5 guards;") in md


def test_markdown_says_when_differing_figures_overlap(md):
    escaped = next(line for line in md.splitlines() if line.startswith("- **Escaped: prisoners:**"))
    killed = next(line for line in md.splitlines() if line.startswith("- **Killed: police officers / guards:**"))
    assert escaped.endswith("*(The figures overlap, so these reports need not conflict.)*")
    assert "overlap" not in killed


def test_markdown_cites_a_duplicate_capture_by_its_reports_number(md):
    # "dozens" is only in d2, a capture of d1: it is cited as report [1], and d2 is listed under it, not numbered.
    assert "The Independent [1] reports dozens." in md
    assert "   - also captured as `seeds/001_2790ee7c4ba18998.txt` (The Independent), 91% similar" in md
    assert "[5]" not in md


def test_markdown_explains_each_flagged_field_with_reason_and_closest_sentence(md):
    flagged = md[md.index("## Flagged fields"):md.index("## Sources")]
    assert "- **✗ CONTRADICTED** **Killed: civilians in the prison break:** 26" in flagged
    assert "  - Why: 26 were killed by a car bomb in Baghdad's Karrada district the next day" in flagged
    assert "  - Closest source sentence [3]: “Officials said the violence continued on Saturday" in flagged


def test_markdown_says_how_the_note_was_made(md):
    made = md[md.index("## How this note was made"):]
    assert "sha256 `1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32`" in made
    assert "Prompt event-v1, schema 1.0; 2941 prompt tokens, 612 generated" in made
    assert "- Evidence search: sentence-transformers/all-MiniLM-L6-v2 (sentence-transformers), sha256 `53aa" in made
    assert "- Time: ingest 0.41 s · load model 1.9 s · generate 38.2 s · verify 3.7 s · total 44.2 s" in made


def test_a_note_checked_with_the_entailment_judge_names_it_in_both_formats(seeds_verified):
    judge = ModelInfo(role="generator-large", repo_id="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", sha256="cc324a",
                      backend="llamacpp")
    judged = seeds_verified.model_copy(update={"meta": seeds_verified.meta.model_copy(update={"judge": judge})})
    assert "- Entailment judge: Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF (generator-large, llamacpp)" in render.markdown(judged)
    assert "<dt>Entailment judge</dt>" in render.html(judged)
    assert "Entailment judge" not in render.markdown(seeds_verified)


def test_a_note_whose_text_a_writer_model_wrote_names_it_in_both_formats(seeds_verified):
    writer = ModelInfo(role="generator-large", repo_id="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", sha256="cc324a",
                       backend="llamacpp")
    written = seeds_verified.model_copy(update={"meta": seeds_verified.meta.model_copy(update={"writer": writer})})
    assert ("- Writer (headline, claims, notes): Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF (generator-large, llamacpp)"
            in render.markdown(written))
    assert "<dt>Writer</dt>" in render.html(written)
    assert "Writer" not in render.markdown(seeds_verified)


def test_a_repaired_note_says_in_one_line_what_was_repaired_in_both_formats(seeds_verified):
    from summarizer.draft import Action, Repair

    repairs = [Repair(pointer="/claims/2", action=Action.rewritten, before="a", after="b", status="unsupported"),
               Repair(pointer="/claims/3", action=Action.rewritten, before="c", after="d", status="unsupported"),
               Repair(pointer="/claims/3", action=Action.replaced, before="d", after="e", status="unsupported",
                      attempt=2),
               Repair(pointer="/figures/4", action=Action.dropped, before="f", status="contradicted")]
    meta = seeds_verified.meta.model_copy(update={"repairs": repairs, "first_draft": seeds_verified.summary})
    repaired = seeds_verified.model_copy(update={"meta": meta})
    line = ("Repaired before this note: 3 fields the check flagged in the first draft (1 rewritten, 1 replaced by "
            "source sentence, 1 dropped); the first draft and every change are in summary.json")
    assert f"- {line} (meta.repairs)" in render.markdown(repaired)
    assert "<dt>Repaired</dt>" in render.html(repaired)
    assert "Repaired" not in render.markdown(seeds_verified)


def test_markdown_without_run_metadata_says_it_was_not_recorded(seeds_verified):
    md = render.markdown(seeds_verified.model_copy(update={"meta": None}))
    assert "- Not recorded: this summary was checked without run metadata." in md


def test_markdown_keeps_markup_from_sources_inert_when_rendered(md):
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    for live in ("<script", "<img", "<b>", 'href="javascript'):
        assert live not in rendered
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in rendered  # shown, as text


def test_markdown_table_cells_cannot_be_split_by_a_pipe_in_source_text(md):
    rows = [line for line in md[md.index("## Key facts"):md.index("## Contested")].splitlines()
            if line.startswith("|")]
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows)


# --- HTML --------------------------------------------------------------------------------------------------------

def test_html_is_self_contained(page):
    assert not page.xpath("//link | //img | //iframe | //object | //embed | //*[@src]")
    assert all(href.startswith("#") for href in page.xpath("//@href"))


def test_html_csp_admits_only_the_notes_own_script_and_style(page):
    csp = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    (script,) = page.xpath("//script/text()")
    (style,) = page.xpath("//style/text()")

    def digest(code):
        return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"

    assert "default-src 'none'" in csp and "unsafe" not in csp
    assert f"script-src {digest(script)};" in csp
    assert f"style-src {digest(style)};" in csp


def test_html_shows_hostile_source_markup_as_text(page):
    assert len(page.xpath("//script")) == 1  # the note's own
    assert not page.xpath("//img | //*[@onerror] | //b")
    panel_text = page.get_element_by_id("doc-d5").text_content()
    assert PWNED_SCRIPT in panel_text and PWNED_IMG in panel_text


def test_html_source_panel_reproduces_each_document_exactly(page, seeds_verified):
    for doc in seeds_verified.sources.canonical:
        (text,) = page.xpath(f"//article[@id='doc-{doc.id}']/div[@class='text']")
        assert text.text_content() == doc.text


def test_html_wraps_each_cited_sentence_at_its_evidence_offsets(page, seeds_verified):
    for claim in seeds_verified.claims:
        for e in claim.evidence:
            span = page.get_element_by_id("s-" + e.sentence_id.replace(":", "-"))
            doc = seeds_verified.sources.document(e.doc_id)
            assert span.get("class") == "sent"
            assert span.text_content() == doc.text[e.start:e.end] == e.text


def test_html_every_fact_points_at_evidence_spans_that_exist(page):
    facts = page.xpath("//*[@data-evidence]")
    assert len(facts) > 20
    for fact in facts:
        for sentence_id in fact.get("data-evidence").split():
            assert page.get_element_by_id("s-" + sentence_id.replace(":", "-")) is not None


def with_an_inferred_region(verified):
    """The fixture with its region as the gazetteer would give it for a US town: inferred, not stated."""
    location = verified.summary.location.model_copy(update={"region": "Diyala", "region_basis": "Al Khalis → Diyala"})
    claims = [c.model_copy(update={"status": Status.inferred, "text": "The prison break took place in Diyala.",
                                   "reasons": ["Al Khalis → Diyala"]}) if c.pointer == "/location/region" else c
              for c in verified.claims]
    return verified.model_copy(update={"summary": verified.summary.model_copy(update={"location": location}),
                                       "claims": claims})


def test_html_badges_carry_an_icon_and_a_word_for_every_status(page, seeds_verified):
    inferred = lxml.html.document_fromstring(render.html(with_an_inferred_region(seeds_verified)))
    badges = {" ".join(b.text_content().split()) for b in page.find_class("badge") + inferred.find_class("badge")}
    assert badges == {"✓ supported", "⚖ contested", "⚠ unsupported", "✗ contradicted", "— not stated", "≈ inferred"}
    assert {s.value for s in Status} == {b.split(" ", 1)[1] for b in badges}


def test_markdown_shows_an_inferred_region_with_how_it_was_inferred(seeds_verified):
    md = render.markdown(with_an_inferred_region(seeds_verified))
    assert "| Location: region | The prison break took place in Diyala. | ≈ inferred | Al Khalis → Diyala |" in md


def test_html_puts_the_flagged_fields_box_right_after_the_bottom_line(page):
    sections = [el.get("class") or el.get("id") for el in page.xpath("//main/*[not(self::header)]")]
    assert sections[:4] == ["bluf", "score", "flagbox", "facts"]
    items = page.xpath("//aside[@class='flagbox']//li")
    assert [li.get("class") for li in items] == ["fact unsupported", "fact contradicted", "fact contradicted"]


def test_html_marks_boilerplate_as_not_used(page):
    (cut,) = page.xpath("//details[@id='doc-d2']//span[@class='cut']")
    assert cut.get("title") == "not used: donation appeal"
    assert cut.text_content().startswith("Your support helps us")


def test_html_has_a_print_stylesheet(page):
    assert "@media print" in page.xpath("//style/text()")[0]


def test_templates_ship_inside_the_package():
    templates = files("summarizer.render") / "templates"
    assert {"brief.md.j2", "brief.html.j2", "note.css", "note.js"} <= {p.name for p in templates.iterdir()}


def test_reasons_cite_reports_by_the_notes_numbers_not_document_ids(seeds_verified):
    from summarizer.render.filters import as_cited

    sources = seeds_verified.sources
    copy = next(d for d in sources.documents if d.duplicate_of)
    assert as_cited(f"{copy.id} (x) and {copy.duplicate_of} (x) give 12; d99 is unknown", sources) == \
        "[1] (x) and [1] (x) give 12; d99 is unknown"
