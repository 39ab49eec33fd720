"""draft.writing: the backend session's retries and what stands in when the model's answer is unusable."""

import pytest

from summarizer.backends import Completion
from summarizer.draft.selection import Shown
from summarizer.draft.writing import (GenerationError, Session, dates_only_the_event, lead_text, reads_as_prose,
                                      trimmed)
from summarizer.ingest import load_sources

# What the 0.5B model wrote for a bottom line on a lower-case CNN/DM article: a raw newline inside the JSON string.
INVALID = '{"note": "turnout was 56 per cent of the\n"}'


class Replies:
    """A backend that answers every request with the same text, as greedy decoding repeats an answer."""

    role = "generator"

    def __init__(self, text: str):
        self.text, self.requests = text, 0

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def complete(self, requests):
        self.requests += len(requests)
        return [Completion(self.text, 10, 12, 0.0, 0.0) for _ in requests]


def session(text: str) -> Session:
    return Session(Replies(text), Shown(documents=[], left_out=[], withheld=[]))


def test_written_text_the_model_gets_wrong_twice_leaves_the_source_text_to_stand_in():
    drafting = session(INVALID)
    assert drafting.write([("note", "prompt", "note")]) == [""]
    assert drafting.backend.requests == 2 and [c.attempts for c in drafting.calls] == [1, 2]


def test_a_choice_the_model_gets_wrong_twice_stops_the_draft():
    drafting = session("Mosul")
    with pytest.raises(GenerationError, match="twice"):
        drafting.ask([drafting.choice("place", ["Baghdad", "Al Khalis"])])


def test_source_text_too_long_for_its_field_keeps_whole_sentences_else_clauses_else_is_cut_at_a_word():
    quote = ("Mr Beavis said: 'These firms are only out to make as much money as they can, to profiteer from "
             "unsuspecting motorists. I am utterly furious that the court has ruled this way.'")
    assert trimmed(quote, 140) == ("Mr Beavis said: 'These firms are only out to make as much money as they can, to "
                                   "profiteer from unsuspecting motorists.")
    defeat = ("Spain's 2-0 defeat by Holland brought back bitter memories of their 2014 World Cup, but coach Vicente "
              "del Bosque will not be too worried.")
    assert trimmed(defeat, 100) == ("Spain's 2-0 defeat by Holland brought back bitter memories of their 2014 "
                                    "World Cup…")
    assert trimmed("A guard at the U.S. Census Bureau was shot by a man who tried to ram the gates", 40) == \
        "A guard at the U.S. Census Bureau was…"


def test_a_headline_may_give_only_the_main_events_date():
    # "Shooter killed in 2006": the year the campus was built, over an event its reports do not date.
    assert not dates_only_the_event("Suitland, Maryland shooter killed in 2006", None)
    assert not dates_only_the_event("Prison break in Iraq in 2014", "2015-05-08")
    assert dates_only_the_event("Prison break in Iraq on 8 May 2015", "2015-05-08")
    assert dates_only_the_event("Prison break in Iraq in May", "2015-05-08")
    assert dates_only_the_event("Gunman kills guard on Thursday", None)


def test_model_text_ranking_what_no_source_ranks_is_not_grounded():
    from summarizer.draft.writing import grounded
    from summarizer.sources import Sentence

    lede = Sentence(id="d1:0", doc_id="d1", index=0, start=0, end=59,
                    text="A landslide killed more than 50 people in Salgar on Monday.")
    assert grounded("Salgar: Largest landslide in Colombia", [lede], "headline") == lede.text
    assert grounded("Landslide kills more than 50 in Salgar", [lede], "headline") == \
        "Landslide kills more than 50 in Salgar"


def test_a_headline_falls_back_to_the_lead_not_to_a_caption_opening_the_report(tmp_path):
    # The Milan courthouse report (QAGS CNN/DM) opens with a picture caption quoting the gunman's lawyer.
    (tmp_path / "milan.txt").write_text(
        "` gunman' : claudio giardiello was described as `very unusual' and `over the top' by his former lawyer. "
        "A gunman has killed four people - including a judge and a witness - after going on a rampage at a milan "
        "court. Prosecutors said the attack was carried out with `cold premeditation'.\n")
    [report] = load_sources(tmp_path).canonical
    assert lead_text(report).startswith("A gunman has killed four people")


@pytest.mark.parametrize(("text", "prose"), [
    ("More than fifty prisoners escaped in the break, including nine facing terrorism charges.", True),
    ('"Isis was responsible for the killings and the release of Isis prisoners," said the mayor.', True),
    ("ISIS part of major Iraq prison break that killed 62", False),  # a title
    ("Prisoners escaped in the break.", False),  # too short to stand as a key point
])
def test_a_key_point_is_a_whole_sentence_of_reporting_not_a_title(text, prose):
    assert reads_as_prose(text) is prose
