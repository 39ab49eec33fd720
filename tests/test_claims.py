"""claims: a summary becomes atomic, checkable sentences, each pointing back to its field."""

from summarizer.claims import ClaimInput, claims_from_summary, event_noun, render_date, split_sentences
from summarizer.schema import (
    Actor,
    ActorRole,
    Claim,
    EventDate,
    EventSummary,
    EventType,
    Figure,
    FigureKind,
    Location,
    Note,
    Stance,
)


def _summary(**fields) -> EventSummary:
    base = dict(headline="Prisoners escape in Al Khalis", bottom_line="Dozens escaped. Twelve police died.",
                event_type=EventType.prison_break)
    return EventSummary(**{**base, **fields})


def _by_pointer(summary: EventSummary, event: str | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for claim in claims_from_summary(summary, event):
        out.setdefault(claim.pointer, []).append(claim.text)
    return out


def test_location_becomes_one_sentence_naming_place_region_and_country():
    claims = _by_pointer(_summary(location=Location(place="Al Khalis", region="Diyala", country="Iraq")))
    assert claims["/location"] == ["The prison break took place in Al Khalis, Diyala, Iraq."]


def test_place_and_date_name_the_event_as_its_reports_do_and_the_type_claim_keeps_the_type():
    reports = ["Flooding closed the A1 near Newry.", "There was flooding in County Down.", "A storm is due."]
    noun = event_noun(EventType.disaster, reports)
    summary = _summary(event_type=EventType.disaster, location=Location(place="County Down"),
                       date=EventDate(value="2015-05-08", precision="day", text="on Friday"))
    claims = _by_pointer(summary, noun)
    assert noun == "flooding"
    assert claims["/location"] == ["The flooding took place in County Down."]
    assert claims["/date"] == ["The flooding took place on 8 May 2015."]
    assert claims["/event_type"] == ["The event was a disaster."]
    assert event_noun(EventType.court_ruling, ["The weather was fine."]) == "court ruling"


def test_date_is_rendered_at_its_precision():
    day = _by_pointer(_summary(date=EventDate(value="2015-05-08", precision="day", text="on Friday")))
    month = _by_pointer(_summary(date=EventDate(value="2015-05", precision="month", text="in May")))
    assert day["/date"] == ["The prison break took place on 8 May 2015."]
    assert month["/date"] == ["The prison break took place in May 2015."]
    assert render_date("2015") == "2015"


def test_free_text_gives_one_claim_per_sentence_pointing_at_its_field():
    claims = _by_pointer(_summary())
    assert claims["/bottom_line"] == ["Dozens escaped.", "Twelve police died."]


def test_each_list_item_is_its_own_claim_with_its_index():
    summary = _summary(
        figures=[
            Figure(kind=FigureKind.killed, group="police officers", value_min=12, text="12",
                   reported_by="Iraqi officials"),
            Figure(kind=FigureKind.escaped, group="prisoners", value_min=51, text="more than 50 prisoners"),
        ],
        aftermath=[Note(text="A curfew was declared. Houses were searched.")],
    )
    claims = _by_pointer(summary)
    assert claims["/figures/0"] == ["12 police officers were killed, according to Iraqi officials."]
    assert claims["/figures/1"] == ["More than 50 prisoners escaped."]  # the group is not repeated
    assert claims["/aftermath/0"] == ["A curfew was declared.", "Houses were searched."]


def test_a_denial_keeps_its_stance_in_the_sentence():
    summary = _summary(claims=[
        Claim(claimant="Oudi Al-Khadran", statement="ISIS was responsible for the killings."),
        Claim(claimant="The ministry", stance=Stance.denies, statement="An outside attack took place."),
    ])
    claims = _by_pointer(summary)
    assert claims["/claims/0"] == ["Oudi Al-Khadran said that ISIS was responsible for the killings."]
    assert claims["/claims/1"] == ["The ministry denied that an outside attack took place."]


def test_actor_sentence_says_the_role():
    summary = _summary(actors=[Actor(name="ISIS", role=ActorRole.claimed_responsibility)])
    assert _by_pointer(summary)["/actors/0"] == ["ISIS claimed responsibility for the prison break."]


def test_null_fields_become_empty_claims_to_be_marked_not_stated():
    claims = claims_from_summary(_summary(location=Location(place="Al Khalis", country="Iraq")))
    empty = {c.pointer for c in claims if not c.stated}
    assert empty == {"/date", "/location/region"}
    assert ClaimInput("/x", "  ").stated is False


def test_every_claim_has_a_pointer_into_the_summary_and_text_or_none():
    summary = EventSummary.model_validate_json(open("tests/data/seeds_summary.json").read())
    dumped = summary.model_dump()
    for claim in claims_from_summary(summary):
        node = dumped
        for part in claim.pointer.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert claim.stated == (node is not None)


def test_sentences_are_split_like_ingest_splits_sources():
    assert split_sentences("Dr. Smith arrived on Jan. 5 at 3 p.m. and left. Then 12 died.") == [
        "Dr. Smith arrived on Jan. 5 at 3 p.m. and left.", "Then 12 died."]


def test_an_inferred_region_is_its_own_claim_carrying_the_inference():
    location = Location(place="Wichita", region="Kansas", country="United States",
                        region_basis="Wichita → Kansas: gazetteer, the largest Wichita by far; no report names the state")
    claims = {c.pointer: c for c in claims_from_summary(_summary(event_type=EventType.shooting, location=location))}
    assert claims["/location"].text == "The shooting took place in Wichita, United States."
    assert (claims["/location/region"].text, claims["/location/region"].inferred) == (
        "The shooting took place in Kansas.", location.region_basis)
