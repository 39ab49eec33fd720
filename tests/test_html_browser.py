"""The HTML note in real headless Chromium: evidence highlighting works, and planted source markup never runs.

Needs Debian's `chromium` at /usr/bin/chromium (installed by .ci/run); Playwright's own browser download is not used.
"""

from pathlib import Path

import pytest

from summarizer import render

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium; .ci/run installs it)"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def note(browser, seeds_verified, tmp_path):
    """The fixture's note opened from disk, recording every request and console error the page makes."""
    path = tmp_path / "brief.html"
    path.write_text(render.html(seeds_verified), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(path.as_uri())
    yield page
    page.close()


def _fact_row(page, label: str):
    return page.locator("tr.fact", has=page.locator("th", has_text=label))


def test_clicking_a_fact_highlights_its_evidence_sentence_in_the_source_panel(note, tmp_path):
    row = _fact_row(note, "Killed: police officers")
    evidence = row.get_attribute("data-evidence").split()
    row.click()
    for sentence_id in evidence:
        span = note.locator(f"#s-{sentence_id.replace(':', '-')}")
        assert "hl" in span.get_attribute("class").split()
    assert note.locator(".sent.hl").count() == len(evidence)
    note.wait_for_function(
        "() => { const s = document.querySelector('.sent.hl').getBoundingClientRect();"
        " const p = document.querySelector('.panel').getBoundingClientRect();"
        " return s.top >= p.top && s.bottom <= p.bottom; }"
    )  # the first evidence sentence has been scrolled into the panel's view
    note.screenshot(path=str(tmp_path / "brief-clicked.png"))


def test_hovering_another_fact_previews_it_and_leaving_restores_the_clicked_one(note):
    clicked, hovered = _fact_row(note, "Killed: police officers"), _fact_row(note, "Killed: guards")
    clicked.click()
    hovered.hover()
    assert note.locator(".sent.hl").evaluate_all("spans => spans.map(s => s.id)") == ["s-d4-11"]
    note.locator("h1").hover()
    assert "active" in clicked.get_attribute("class").split()


def test_evidence_in_a_duplicate_capture_opens_that_capture(note):
    dozens = note.locator("#contested li.fact", has_text="dozens")
    assert not note.locator("details#doc-d2").evaluate("d => d.open")
    dozens.click()
    assert note.locator("details#doc-d2").evaluate("d => d.open")
    assert note.locator("details#doc-d2 .sent.hl").is_visible()


def test_a_script_planted_in_a_source_does_not_run(note):
    for fact in note.locator("[data-evidence*='d5:']").all():
        fact.click()
    assert note.evaluate("typeof window.__pwned") == "undefined"
    assert "<script>window.__pwned=1</script>" in note.locator("#doc-d5 .text").inner_text()
    assert note.errors == []


def test_the_note_makes_no_network_requests(note):
    note.locator("tr.fact").first.click()
    note.wait_for_load_state("networkidle")
    assert note.requests == [note.url]


def test_on_a_narrow_screen_hovering_leaves_the_page_still_and_clicking_goes_to_the_evidence(note):
    note.set_viewport_size({"width": 700, "height": 1000})
    row = _fact_row(note, "Killed: guards")
    row.scroll_into_view_if_needed()
    before = note.evaluate("window.scrollY")
    row.hover()
    assert note.evaluate("window.scrollY") == before
    row.click()
    note.wait_for_function("() => { const r = document.querySelector('.sent.hl').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= window.innerHeight; }")
