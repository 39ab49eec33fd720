"""ingest: files -> clean, deduplicated, sentence-indexed Sources (summarizer/ingest.py)."""

import json
import os
import re
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer import cli
from summarizer.cli import main
from summarizer.ingest import MAX_SENTENCE_CHARS, load_sources, sources_from_texts

# Lines an event summary stands on; none of them may be lost to boilerplate removal.
EVENT_WORDS = re.compile(r"prison break|jail.?break|killed|dead\b|died|casualt|\bIsis\b|\bISIL\b|Amaq|curfew|Karrada",
                         re.I)

ARTICLE = (
    "Flooding closes river crossing\n\n"
    "RIVERTON, March 3, 2021 – Officials said the main bridge was closed after the river rose four metres "
    "overnight.\n\n"
    "Two people were injured when a car left the flooded road, police said.\n"
)


def doc(sources, name_prefix):
    return next(d for d in sources.documents if d.path.startswith(name_prefix))


def removed_text(document, reason):
    return "\n".join(r.text for r in document.removed if r.reason == reason)


def sentence_texts(document):
    return [s.text for s in document.sentences]


def write_article(folder, name="article.txt"):
    (folder / name).write_text(ARTICLE, encoding="utf-8")


def reason_for(sources, path):
    return next(s.reason for s in sources.skipped if s.path == path)


# --- the seeds -------------------------------------------------------------------------------------------------
def test_every_seed_sentence_is_the_exact_slice_of_the_original_file(seed_sources):
    for document in seed_sources.documents:
        assert document.text == (Path(seed_sources.root) / document.path).read_text(encoding="utf-8")
        for sentence in document.sentences:
            assert document.text[sentence.start:sentence.end] == sentence.text
        for removal in document.removed:
            assert document.text[removal.start:removal.end] == removal.text


def test_sentences_have_stable_doc_index_ids_and_no_surrounding_whitespace(seed_sources):
    for document in seed_sources.documents:
        for index, sentence in enumerate(document.sentences):
            assert (sentence.id, sentence.doc_id, sentence.index) == (f"{document.id}:{index}", document.id, index)
            assert sentence.text == sentence.text.strip() and sentence.text


def test_documents_are_numbered_in_sorted_path_order(seed_sources):
    assert [(d.id, d.path[:3]) for d in seed_sources.documents] == [("d1", "000"), ("d2", "001"), ("d3", "002"),
                                                                     ("d4", "004")]


def test_independent_donation_appeal_is_removed(seed_sources):
    independent = doc(seed_sources, "001")
    appeal = removed_text(independent, "donation appeal")
    for phrase in ("Your support helps us", "From reproductive rights", "Your donation allows us", "paywalls",
                   "Your support makes all the difference."):
        assert phrase in appeal
        assert not any(phrase in text for text in sentence_texts(independent))


def test_event_sentence_glued_to_the_appeal_survives_as_its_own_sentence(seed_sources):
    independent = doc(seed_sources, "001")
    assert any(text.startswith("The Isis militant group has claimed") for text in sentence_texts(independent))


def test_cdn_copyright_notice_and_author_bio_are_removed(seed_sources):
    cdn = doc(seed_sources, "004")
    notices = removed_text(cdn, "copyright/reprint notice")
    assert "Copyright 2015 Communities Digital News" in notices
    assert "REPRINTING CONTENT WITHOUT PERMISSION" in notices
    assert "Fair Use Doctrine" in notices
    assert removed_text(cdn, "author bio").startswith("Lisa M. Ruth\nLisa M. Ruth is Editor-in-Chief of CDN.")
    assert not any("Copyright" in text or "Lisa" in text or "CIA" in text for text in sentence_texts(cdn))


def test_commenting_forum_lines_are_removed(seed_sources):
    independent = doc(seed_sources, "001")
    prompts = removed_text(independent, "comment prompt")
    assert "Join our commenting forum" in prompts and "see their replies" in prompts
    assert not any("comment" in text.lower() for text in sentence_texts(independent))


def test_previous_and_next_article_links_are_removed(seed_sources):
    cdn = doc(seed_sources, "004")
    navigation = removed_text(cdn, "navigation link")
    assert "Previous articleNot too late" in navigation and "Next articleBen Carson" in navigation
    assert not any("article" in text and "Ben Carson" in text for text in sentence_texts(cdn))


def test_no_event_mention_is_lost_to_boilerplate_removal(seed_sources):
    """Every prison break / casualty / ISIS / Amaq / curfew / Karrada mention is in a kept sentence, except a
    repeated line whose text is kept elsewhere in the same document."""
    for document in seed_sources.documents:
        kept = " ".join(sentence_texts(document))
        for match in EVENT_WORDS.finditer(document.text):
            in_sentence = any(s.start <= match.start() < s.end for s in document.sentences)
            removal = next((r for r in document.removed if r.start <= match.start() < r.end), None)
            assert in_sentence or (removal and removal.reason == "duplicated line" and removal.text in kept), (
                document.path, match.group(), removal)


def test_repeated_caption_line_keeps_one_copy(seed_sources):
    first = doc(seed_sources, "000")
    caption = ("Isis were suspected to be responsible for a car bomb explosion in Karrada neighborhood, Baghdad, "
               "on 9 May.")
    assert sentence_texts(first).count(caption) == 1
    assert removed_text(first, "duplicated line") == caption


def test_two_captures_of_one_article_are_one_report(seed_sources):
    first, second = doc(seed_sources, "000"), doc(seed_sources, "001")
    assert seed_sources.reports_of(first.id) == seed_sources.reports_of(second.id) == [first.id, second.id]
    copy = first if first.duplicate_of else second
    assert copy.duplicate_of in (first.id, second.id) and copy.similarity >= 0.5
    assert copy not in seed_sources.canonical and copy.sentences  # a copy keeps its sentences for display


def test_different_articles_on_the_same_event_stay_independent(seed_sources):
    assert [d.path[:3] for d in seed_sources.canonical if d.path[:3] in ("002", "004")] == ["002", "004"]
    assert len(seed_sources.canonical) == 3


def test_the_same_sentence_in_two_documents_forms_a_group(seed_sources):
    groups = [[seed_sources.sentence(i) for i in group] for group in seed_sources.sentence_groups]
    officials = next(g for g in groups if any("12 police officers died and 50 inmates" in s.text for s in g))
    assert {s.doc_id for s in officials} == {doc(seed_sources, "000").id, doc(seed_sources, "001").id}
    for group in groups:
        assert len({s.doc_id for s in group}) >= 2


def test_title_outlet_and_dateline_date_are_derived(seed_sources):
    cdn, wiki = doc(seed_sources, "004"), doc(seed_sources, "002")
    assert (cdn.title, cdn.outlet, cdn.date) == ("Latest ISIS jail break foreshadows new attacks",
                                                  "Communities Digital News", "2015-05-09")
    assert doc(seed_sources, "001").outlet == "The Independent"
    assert wiki.title == "2015 Al Khalis prison break"
    assert doc(seed_sources, "000").title == "ISIS part of major Iraq prison break that killed 62"


def test_plain_article_gets_its_heading_as_title_and_its_dateline_date(tmp_path):
    write_article(tmp_path)
    document = load_sources(tmp_path).documents[0]
    assert (document.title, document.date) == ("Flooding closes river crossing", "2021-03-03")


def test_a_quoted_sentence_is_no_title(tmp_path):
    (tmp_path / "a.txt").write_text('The firm was sold on Tuesday.Mr Harley said: "We had productive talks."'
                                    "The new owner met the staff.\n")
    assert load_sources(tmp_path).documents[0].title is None


def test_wiki_section_headings_give_no_sentences(seed_sources):
    wiki = doc(seed_sources, "002")
    assert {r.text for r in wiki.removed if r.reason == "section heading"} == {"Background", "Cause", "Aftermath"}
    assert "Background" not in sentence_texts(wiki)


# --- bad input -------------------------------------------------------------------------------------------------
def test_empty_file_is_skipped_and_the_rest_loads(tmp_path):
    write_article(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    sources = load_sources(tmp_path)
    assert "empty" in reason_for(sources, "empty.txt")
    assert [d.path for d in sources.documents] == ["article.txt"]


def tiny_png() -> bytes:
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND",
                                                                                                           b"")


def test_png_is_skipped_by_type_and_by_content(tmp_path):
    write_article(tmp_path)
    (tmp_path / "photo.png").write_bytes(tiny_png())
    (tmp_path / "photo-renamed.txt").write_bytes(tiny_png())
    sources = load_sources(tmp_path)
    assert "unsupported file type '.png'" in reason_for(sources, "photo.png")
    assert reason_for(sources, "photo-renamed.txt") == "binary file (PNG image), not text"
    assert [d.path for d in sources.documents] == ["article.txt"]


def test_legacy_encoded_text_is_decoded_by_detection_and_says_so(tmp_path):
    legacy = "Le café a fermé après l'explosion, a déclaré la police.\n".encode("cp1252")
    (tmp_path / "cp1252.txt").write_bytes(legacy)
    document = load_sources(tmp_path).documents[0]
    assert "café" in document.text and "déclaré" in document.text
    assert any("not valid UTF-8" in note and "decoded as" in note for note in document.notes)


def test_utf8_with_a_corrupt_byte_keeps_the_rest_and_says_so(tmp_path):
    (tmp_path / "broken.txt").write_bytes("Iraq’s officials said the café ".encode() + b"\xff" + b" closed.")
    document = load_sources(tmp_path).documents[0]
    assert document.text == "Iraq’s officials said the café \ufffd closed."
    assert any("1 undecodable byte" in note for note in document.notes)


def test_ascii_text_with_a_few_stray_bytes_reads_as_utf8_with_replacements_not_as_a_guessed_encoding(tmp_path):
    (tmp_path / "stray.txt").write_bytes(b"Riot at the prison \xff\xfe\xc3(\n\nOfficials said the riot at the prison "
                                         b"ended on Monday after five hours. Police said 12 officers were hurt.\n")
    document = load_sources(tmp_path).documents[0]
    assert document.title == "Riot at the prison \ufffd\ufffd\ufffd("
    assert any("3 undecodable byte(s)" in note for note in document.notes)


def test_legacy_dashes_quotes_and_accents_in_english_text_are_still_decoded(tmp_path):
    (tmp_path / "legacy.txt").write_bytes(b"Officials said the riot \x97 which began at noon \x97 ended on Monday. "
                                          b"Police said it\x92s over in Krak\xf3w.\n")
    document = load_sources(tmp_path).documents[0]
    assert "riot \u2014 which" in document.text and "it\u2019s over in Krak\u00f3w" in document.text


def test_undecodable_bytes_are_skipped_with_a_reason(tmp_path):
    write_article(tmp_path)
    (tmp_path / "garbage.txt").write_bytes(bytes(range(128, 256)) * 4)
    sources = load_sources(tmp_path)
    assert "not valid UTF-8" in reason_for(sources, "garbage.txt")
    assert [d.path for d in sources.documents] == ["article.txt"]


def test_file_over_the_size_cap_is_skipped_before_reading(tmp_path):
    write_article(tmp_path)
    (tmp_path / "huge.txt").write_text("Officials said the bridge closed. " * 100, encoding="utf-8")
    sources = load_sources(tmp_path, max_bytes=1000)
    assert reason_for(sources, "huge.txt").startswith("file too large: 3,400 bytes is over the 1,000-byte limit")
    assert [d.path for d in sources.documents] == ["article.txt"]


def test_html_main_text_is_extracted_without_scripts(tmp_path):
    paragraphs = "".join(f"<p>Officials said {n} families left the flooded district of Riverton on Tuesday "
                         f"after the river rose four metres overnight.</p>" for n in (10, 20, 30))
    (tmp_path / "page.html").write_text(
        "<html><head><title>Floods in Riverton</title><meta property='og:site_name' content='River Post'>"
        "<script>document.write('SCRIPT TEXT'); fetch('http://example.invalid/steal')</script></head><body>"
        f"<nav>Home | World</nav><article><h1>Floods in Riverton</h1>{paragraphs}"
        "<script>var injected = 'SCRIPT IN BODY';</script></article></body></html>", encoding="utf-8")
    document = load_sources(tmp_path).documents[0]
    assert "SCRIPT" not in document.text and "fetch" not in document.text
    assert (document.title, document.outlet) == ("Floods in Riverton", "River Post")
    assert any(s.text.startswith("Officials said 20 families left") for s in document.sentences)


def test_deeply_nested_html_is_skipped_with_a_reason(tmp_path):
    write_article(tmp_path)
    (tmp_path / "nested.html").write_text("<html><body>" + "<div>" * 5000 + "<p>Deep text.</p>" + "</div>" * 5000
                                          + "<script>alert(1)</script></body></html>", encoding="utf-8")
    sources = load_sources(tmp_path)
    assert "nested too deeply" in reason_for(sources, "nested.html")
    assert [d.path for d in sources.documents] == ["article.txt"]


def test_symlinks_pointing_outside_the_folder_are_not_followed(tmp_path):
    folder, outside = tmp_path / "in", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    write_article(folder)
    write_article(outside, "secret.txt")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    sources = load_sources(folder)
    assert "symlink points outside the folder" in reason_for(sources, "link.txt")
    assert "symlink points outside the folder" in reason_for(sources, "linked-folder/")
    assert [d.path for d in sources.documents] == ["article.txt"]


def test_unsupported_file_types_are_listed_not_dropped(tmp_path):
    write_article(tmp_path)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04rest")
    assert "unsupported file type '.docx'" in reason_for(load_sources(tmp_path), "notes.docx")


def test_subfolders_are_read_and_hidden_or_special_files_are_listed(tmp_path):
    (tmp_path / "week1").mkdir()
    write_article(tmp_path / "week1")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    os.mkfifo(tmp_path / "pipe.txt")  # reading a FIFO would block forever
    sources = load_sources(tmp_path)
    assert [d.path for d in sources.documents] == ["week1/article.txt"]
    assert reason_for(sources, ".DS_Store") == "hidden file (not read)"
    assert reason_for(sources, "pipe.txt") == "not a regular file"


def test_a_missing_path_is_an_error_not_an_empty_result(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_sources(tmp_path / "nope")


# --- formats and structure -------------------------------------------------------------------------------------
def test_a_single_file_can_be_loaded(tmp_path):
    write_article(tmp_path)
    sources = load_sources(tmp_path / "article.txt")
    assert [d.path for d in sources.documents] == ["article.txt"]


def test_jsonl_gives_one_document_per_record_and_skips_bad_records(tmp_path):
    records = [
        {"title": "Bridge closed", "text": "Officials said the bridge closed on Monday.",
         "url": "https://www.river.example/a", "date": "2021-03-03T10:00:00Z"},
        {"headline": "No body here"},
        {"content": "Police said two people were injured.", "source": {"id": "rp", "name": "River Post"}},
    ]
    lines = [json.dumps(r) for r in records]
    (tmp_path / "feed.jsonl").write_text("\n".join([lines[0], lines[1], "{not json", lines[2]]), encoding="utf-8")
    sources = load_sources(tmp_path)
    first, second = sources.documents
    assert (first.id, first.path, first.title, first.date, first.outlet) == (
        "d1", "feed.jsonl#1", "Bridge closed", "2021-03-03", "river.example")
    assert (second.id, second.path, second.outlet) == ("d2", "feed.jsonl#4", "River Post")
    assert "no text" in reason_for(sources, "feed.jsonl#2")
    assert "invalid JSON on line 3" in reason_for(sources, "feed.jsonl#3")


def test_json_list_of_articles_is_read(tmp_path):
    (tmp_path / "articles.json").write_text(json.dumps({"articles": [
        {"title": "One", "body": "Officials said the bridge closed."},
        {"title": "Two", "body": "Police said two people were hurt."}]}), encoding="utf-8")
    assert [d.title for d in load_sources(tmp_path).documents] == ["One", "Two"]


def test_text_is_nfc_normalised_with_plain_newlines(tmp_path):
    (tmp_path / "crlf.txt").write_bytes("Cafe\u0301 owners said the road closed.\r\nPolice said it reopened.".encode())
    document = load_sources(tmp_path).documents[0]
    assert document.text == "Café owners said the road closed.\nPolice said it reopened."
    assert sentence_texts(document) == ["Café owners said the road closed.", "Police said it reopened."]


def test_sentences_glued_without_a_space_are_split(tmp_path):
    (tmp_path / "glued.txt").write_text("The storm passed overnight.Officials said the bridge reopened at noon.\n")
    assert sentence_texts(load_sources(tmp_path).documents[0]) == [
        "The storm passed overnight.", "Officials said the bridge reopened at noon."]


def test_a_media_player_notice_glued_to_a_sentence_is_removed_and_the_sentence_kept(tmp_path):
    (tmp_path / "a.txt").write_text("Media playback is not supported on this deviceDel Potro secured a 3-6 6-3 "
                                    "victory over the Swiss player.The Argentine is 165th in the rankings.\n")
    document = load_sources(tmp_path).documents[0]
    assert [s.text for s in document.sentences] == [
        "Del Potro secured a 3-6 6-3 victory over the Swiss player.", "The Argentine is 165th in the rankings."]
    assert [r.reason for r in document.removed] == ["media player notice"]


def test_hard_wrapped_lines_are_rejoined_into_one_sentence(tmp_path):
    (tmp_path / "wrapped.txt").write_text("Officials said the bridge over the river\nwould reopen on Friday.\n")
    assert sentence_texts(load_sources(tmp_path).documents[0]) == [
        "Officials said the bridge over the river\nwould reopen on Friday."]


def test_a_very_long_paragraph_is_split_into_all_its_sentences(tmp_path):
    sentences = [f"Officials said district {n} flooded." for n in range(400)]  # ~14 KB on one line
    (tmp_path / "long-line.txt").write_text(" ".join(sentences))
    assert sentence_texts(load_sources(tmp_path).documents[0]) == sentences


def test_very_long_sentences_are_cut_to_a_bounded_length(tmp_path):
    clauses = "; ".join(f"district {n} reported {n} families displaced by the flood" for n in range(40))
    (tmp_path / "long.txt").write_text(f"Officials said {clauses}.\n")
    document = load_sources(tmp_path).documents[0]
    assert len(document.sentences) > 1
    for sentence in document.sentences:
        assert len(sentence.text) <= MAX_SENTENCE_CHARS
        assert document.text[sentence.start:sentence.end] == sentence.text


def test_boilerplate_sentence_goes_but_the_event_sentence_beside_it_stays(tmp_path):
    (tmp_path / "mixed.txt").write_text(
        "Flood update\nSign up for our newsletter today. Police said two people were injured on the bridge.\n")
    document = load_sources(tmp_path).documents[0]
    assert "Police said two people were injured on the bridge." in sentence_texts(document)
    assert removed_text(document, "subscription/reuse notice") == "Sign up for our newsletter today."


def test_boilerplate_words_inside_an_event_sentence_do_not_remove_it(tmp_path):
    event = "'Thank you for your support,' the mayor told residents after the bridge collapsed."
    (tmp_path / "quote.txt").write_text(f"Bridge collapse\n{event}\n")
    assert event in sentence_texts(load_sources(tmp_path).documents[0])


def test_author_bio_under_a_name_line_at_the_end_is_removed(tmp_path):
    bio = "Maria K. Lopez is a correspondent covering the river valley. She joined the paper in 2012."
    (tmp_path / "bio.txt").write_text(f"{ARTICLE}\nMaria K. Lopez\n{bio}\n")
    document = load_sources(tmp_path).documents[0]
    assert removed_text(document, "author bio") == f"Maria K. Lopez\n{bio}"
    assert not any("Lopez" in text for text in sentence_texts(document))


def test_copyright_line_is_removed_and_names_the_outlet(tmp_path):
    (tmp_path / "post.txt").write_text(f"{ARTICLE}\n© 2021 River Post. All rights reserved.\n")
    document = load_sources(tmp_path).documents[0]
    assert removed_text(document, "copyright/reprint notice") == "© 2021 River Post. All rights reserved."
    assert document.outlet == "River Post"


def test_a_file_that_is_only_boilerplate_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "footer.txt").write_text("Copyright 2020 River Post\nJoin our commenting forum\n")
    reason = reason_for(load_sources(tmp_path), "footer.txt")
    assert reason.startswith("no article sentences left after removing boilerplate")


# --- the `sources` command -------------------------------------------------------------------------------------
def test_sources_command_json_lists_every_sentence_with_offsets(seed_sources):
    result = CliRunner().invoke(main, ["sources", seed_sources.root, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    sentences = [s for d in data["documents"] for s in d["sentences"]]
    assert len(sentences) == len(seed_sources.sentences(canonical_only=False))
    assert {"id", "text", "start", "end"} <= set(sentences[0])


def test_sources_command_table_shows_skipped_removed_and_duplicates(tmp_path, monkeypatch):
    monkeypatch.setattr(cli.out, "width", 200)
    write_article(tmp_path)
    (tmp_path / "copy.txt").write_text(ARTICLE + "\nJoin our commenting forum\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["sources", str(tmp_path)])
    assert result.exit_code == 0
    for expected in ("2 documents, 1 independent reports", "empty file (0 bytes)", "comment prompt",
                     "d1 (similarity 1.00)"):
        assert expected in result.output


def test_texts_given_as_strings_are_read_like_files(tmp_path):
    article = ("Two people were killed in Dayton on Sunday, police said.\n\n"
               "Support our journalism: donate today.\n")
    (tmp_path / "a.txt").write_text(article)
    from_file, from_text = load_sources(tmp_path), sources_from_texts([article, "  "])
    assert [s.text for s in from_text.sentences()] == [s.text for s in from_file.sentences()]
    assert [(s.path, s.reason) for s in from_text.skipped] == [("text-2", "no text (only whitespace)")]


def test_a_clock_time_does_not_cut_the_day_it_goes_on_with_from_its_sentence():
    """pysbd ends a sentence at 'p.m.'; 'Tuesday on the South Side' belongs to it. A new sentence still starts."""
    from summarizer.ingest import sentence_spans

    text = "Police were called about 10:30 p.m. Tuesday on the South Side. He left at 5 p.m. The police came."
    assert [text[a:b] for a, b in sentence_spans(text, 0, len(text))] == [
        "Police were called about 10:30 p.m. Tuesday on the South Side.", "He left at 5 p.m.", "The police came."]


def test_related_video_teasers_are_navigation_even_when_they_name_a_shooting(tmp_path):
    from summarizer.ingest import load_sources

    (tmp_path / "a.txt").write_text("Three people were shot in Phenix City on Tuesday, police said.\n\n"
                                    "1:29 Police respond to shooting on 17th Avenue\n\n"
                                    "0:46 Donna Tompkins speaks at Columbus Democratic watching party\n\n"
                                    "Officers arrived at 10:45 p.m. and found the victims.\n")
    texts = [s.text for s in load_sources(tmp_path).sentences()]
    assert not [t for t in texts if t[:1].isdigit() and ":" in t[:5]]
    assert "Officers arrived at 10:45 p.m. and found the victims." in texts


def test_share_buttons_glued_to_a_sentence_are_removed_and_the_sentence_kept(tmp_path):
    (tmp_path / "a.txt").write_text("Share this withEmailFacebookMessengerTwitterPinterestWhatsAppLinkedinCopy this "
                                    "linkCuadrilla, the firm behind the drilling, suspended its work.\n")
    document = load_sources(tmp_path).documents[0]
    assert [s.text for s in document.sentences] == ["Cuadrilla, the firm behind the drilling, suspended its work."]
    assert [r.reason for r in document.removed] == ["share buttons"]
