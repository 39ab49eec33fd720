"""The bottom line up front: composed from the summary's facts (what, where, when, each reporter's toll, who claims
it), never from analysis; it reads well whatever the event, and leaves out what it may not use."""

from summarizer.draft.bottom_line import compose_bottom_line
from summarizer.schema import Actor, Claim, EventDate, EventSummary, Figure, Location, Note

PRISON_BREAK = EventSummary(
    headline="ISIS prison break in Al-Khalis",
    bottom_line="-",
    event_type="prison_break",
    date=EventDate(value="2015-05-08", precision="day", text="on Friday"),
    location=Location(place="Al-Khalis", region="Diyala", country="Iraq"),
    actors=[Actor(name="ISIS", role="claimed_responsibility"),
            Actor(name="Brigadier General Saad Maan Ibrahim", role="authority")],
    figures=[Figure(kind="killed", group="police officers", value_min=12, text="12", reported_by="Iraqi officials"),
             Figure(kind="killed", group="inmates", value_min=50, text="50", reported_by="Iraqi officials"),
             Figure(kind="escaped", group="prisoners", value_min=40, text="more than 40"),
             Figure(kind="killed", group="guards", value_min=5, text="five", reported_by="Maan"),
             Figure(kind="killed", group="prisoners", value_min=30, text="30", reported_by="Maan")],
    claims=[Claim(claimant="Communities Digital News",
                  statement="The prison break suggests that the group is mobilizing for a new offensive.")],
    key_points=[Note(text="The escape may indicate that the group is desperate for positive publicity.")],
)


def every_pointer_but(*left_out: str) -> set[str]:
    pointers = {"/event_type", "/date", "/location"} | {f"/figures/{i}" for i in range(5)} \
        | {f"/actors/{i}" for i in range(2)} | {"/claims/0", "/key_points/0"}
    return pointers - set(left_out)


def test_the_bottom_line_names_what_where_when_each_reporters_toll_and_who_claimed_it():
    text, used = compose_bottom_line(PRISON_BREAK)
    assert text == ("Prison break in Al-Khalis, Diyala, Iraq, on 8 May 2015: 12 police officers and 50 inmates were "
                    "killed according to Iraqi officials, five guards and 30 prisoners according to Brigadier General "
                    "Saad Maan Ibrahim. ISIS claimed responsibility.")
    assert set(used) == {"/event_type", "/location", "/date", "/figures/0", "/figures/1", "/figures/3",
                         "/figures/4", "/actors/0", "/actors/1"}


def test_the_bottom_line_leaves_out_a_flagged_fact():
    text, used = compose_bottom_line(PRISON_BREAK, every_pointer_but("/figures/3", "/date"))
    assert "five guards" not in text and "2015" not in text and "/figures/3" not in used
    assert text.startswith("Prison break in Al-Khalis, Diyala, Iraq: 12 police officers")
    assert "30 prisoners according to Brigadier General Saad Maan Ibrahim." in text


def test_the_bottom_line_carries_no_analysis_from_claims_or_key_points():
    text, used = compose_bottom_line(PRISON_BREAK)
    assert "suggests" not in text and "desperate" not in text and "mobilizing" not in text
    assert not any(p.startswith(("/claims", "/key_points", "/headline")) for p in used)


def test_composing_again_from_the_pointers_it_used_gives_the_same_line():
    for usable in (None, every_pointer_but("/figures/0"), every_pointer_but("/location", "/actors/0")):
        text, used = compose_bottom_line(PRISON_BREAK, usable)
        assert compose_bottom_line(PRISON_BREAK, set(used)) == (text, used)


def test_a_storm_toll_nobody_is_said_to_have_given_is_stated_without_a_reporter():
    storm = EventSummary(headline="Storm", bottom_line="-", event_type="disaster",
                         date=EventDate(value="2021-08", precision="month", text="in August"),
                         location=Location(region="Louisiana", country="United States"),
                         figures=[Figure(kind="killed", group="people", value_min=1, text="one person"),
                                  Figure(kind="injured", group="people", value_min=14, text="14")])
    text, _ = compose_bottom_line(storm)
    assert text == ("Disaster in Louisiana, United States, in August 2021: one person was killed and 14 people "
                    "injured.")
    assert "None" not in text and "according to" not in text


def test_one_person_a_source_refers_back_to_is_one_person():
    accident = EventSummary(headline="Boy falls", bottom_line="-", event_type="accident",
                            location=Location(place="Cleveland", region="Ohio"),
                            figures=[Figure(kind="injured", group="person", value_min=1, text="He")])
    assert compose_bottom_line(accident)[0] == "Accident in Cleveland, Ohio: one person was injured."


def test_an_election_with_no_toll_and_no_date_reads_as_one_plain_sentence():
    election = EventSummary(headline="Election", bottom_line="-", event_type="election",
                            location=Location(country="Nigeria"))
    assert compose_bottom_line(election)[0] == "Election in Nigeria."


def test_an_event_of_no_listed_type_is_placed_and_dated_in_a_whole_sentence():
    ruling = EventSummary(headline="Court ruling", bottom_line="-", event_type="other",
                          date=EventDate(value="2016-07-12", precision="day", text="on Tuesday"),
                          location=Location(place="The Hague", country="Netherlands"))
    text, used = compose_bottom_line(ruling)
    assert text == "The event took place in The Hague, Netherlands, on 12 July 2016."
    assert "/event_type" not in used


def test_a_shooting_names_the_perpetrator_and_a_denial_of_responsibility():
    shooting = EventSummary(headline="Shooting", bottom_line="-", event_type="shooting",
                            location=Location(place="Dayton", region="Ohio"),
                            actors=[Actor(name="Connor Betts", role="perpetrator")],
                            figures=[Figure(kind="killed", group="people", value_min=9, text="nine",
                                            reported_by="police")],
                            claims=[Claim(claimant="The Proud Boys", stance="denies",
                                          statement="The group was behind the attack.")])
    text, used = compose_bottom_line(shooting)
    assert text == ("Shooting in Dayton, Ohio: nine people were killed according to police. Connor Betts is named as "
                    "the perpetrator; The Proud Boys denies responsibility.")
    assert "/claims/0" in used


def test_with_nothing_usable_the_bottom_line_says_so():
    text, used = compose_bottom_line(PRISON_BREAK, set())
    assert text == "The sources do not state what happened, where or when." and used == []


def test_a_reporter_opening_with_an_article_reads_mid_sentence_in_lowercase():
    wreck = EventSummary(headline="Trawler sinks", bottom_line="-", event_type="disaster",
                         figures=[Figure(kind="killed", group="people", value_min=2, text="two",
                                         reported_by="An emergency services representative")])
    assert compose_bottom_line(wreck)[0] == ("Disaster: two people were killed according to an emergency services "
                                             "representative.")


def test_a_death_nobody_is_said_to_have_given_is_told_beside_the_injured_the_police_counted():
    shooting = EventSummary(headline="Club shooting", bottom_line="-", event_type="shooting",
                            location=Location(place="Oakland"),
                            figures=[Figure(kind="injured", group="people", value_min=8, text="Eight",
                                            reported_by="officials"),
                                     Figure(kind="killed", group="Emiliano Nevarez", value_min=1,
                                            text="Emiliano Nevarez")])
    assert compose_bottom_line(shooting)[0] == ("Shooting in Oakland: Emiliano Nevarez was killed, eight people were "
                                                "injured according to officials.")


def test_one_of_a_counted_group_reads_in_the_singular_mid_sentence():
    shooting = EventSummary(headline="Shooting", bottom_line="-", event_type="shooting",
                            figures=[Figure(kind="injured", group="victims", value_min=1, text="One")])
    assert compose_bottom_line(shooting)[0] == "Shooting: one victim was injured."
