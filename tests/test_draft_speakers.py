"""draft.speakers: attributions grouped into speakers, and the role each speaker is given."""

import pytest

from summarizer.anchors import Attribution, find_candidates
from summarizer.draft.speakers import (actor_name, actor_role, group_speakers, names_its_speaker, names_someone,
                                       unattributed)
from summarizer.ingest import sources_from_texts
from summarizer.schema import ActorRole


def attribution(sentence_id, speaker, stance="asserts"):
    return Attribution(sentence_id=sentence_id, doc_id=sentence_id.split(":")[0], speaker=speaker, as_written=speaker,
                       verb="said", stance=stance, start=0, end=len(speaker))


def test_speakers_named_fully_and_partly_are_one_speaker_but_a_pair_is_not():
    speakers = group_speakers([attribution("d1:1", "Brigadier General Saad Maan"), attribution("d1:2", "Maan"),
                               attribution("d1:3", "ISIS"), attribution("d1:4", "ISIS and Al-Qaeda")])
    names = {s.name: s.sentence_ids for s in speakers}
    assert names["Brigadier General Saad Maan"] == ["d1:1", "d1:2"]
    assert names["ISIS"] == ["d1:3"] and names["ISIS and Al-Qaeda"] == ["d1:4"]


def test_a_report_is_not_an_actor_and_an_apposition_gives_the_role(seeds_sources):
    speakers = {s.name: s for s in group_speakers(find_candidates(seeds_sources).attributions)}
    assert actor_role(speakers["Official reports"], seeds_sources) is None
    assert actor_role(speakers["Oudi Al-Khadran"], seeds_sources) == ActorRole.authority  # ", the mayor of ..."


@pytest.mark.parametrize(("name", "written", "opens"), [
    ("Most", "Most", True), ("Some", "some", False), ("Many", "Many", True), ("They", "They", True),
    ("Our correspondent", "Our correspondent", True), ("A spokesman", "a spokesman", False),
    ("Officials", "Officials", True), ("Officials", "officials", False), ("Witnesses", "witnesses", False),
    ("Security and police officials", "security and police officials", False),
    ("A police officer eyewitness", "A police officer eyewitness", True),
    ("Protesters", "Protesters", True),  # the sources also write 'protesters': a common noun, capitalised to open
])
def test_a_determiner_pronoun_quantifier_or_role_without_a_name_is_not_an_actor(name, written, opens):
    assert not names_someone(name, [(written, opens)], {"protesters", "officials"})


@pytest.mark.parametrize(("name", "written", "opens"), [
    ("Iraqi officials", "Iraqi officials", True), ("Amaq", "Amaq", True), ("Police", "Police", True),
    ("Oudi Al-Khadran", "Oudi Al-Khadran", False), ("Iraq’s Ministry of Interior spokesman",
                                                     "Iraq’s Ministry of Interior spokesman", True),
    ("Brigadier General Saad Maan", "Brigadier General Saad Maan", False), ("ISIS", "ISIS", True),
])
def test_a_named_person_or_organisation_or_an_institution_is_an_actor(name, written, opens):
    assert names_someone(name, [(written, opens)], {"protesters", "officials"})


def test_a_speaker_named_only_by_a_quantifier_is_no_speaker():
    assert [s.name for s in group_speakers([attribution("d1:1", "Most"), attribution("d1:2", "Amaq")])] == ["Amaq"]


def test_the_seeds_actors_are_named(seeds_sources):
    speakers = group_speakers(find_candidates(seeds_sources).attributions)
    actors = {s.name for s in speakers if actor_role(s, seeds_sources)}
    assert {"Iraqi officials", "Amaq News Agency", "Oudi Al-Khadran", "ISIS"} <= actors
    assert not actors & {"Security and police officials", "Police officer eyewitness", "Police source"}


def test_a_bare_institution_is_listed_by_the_name_another_sentence_gives_it():
    sources = sources_from_texts(["Seven men were shot on Monday, police said. Oakland police are investigating."])
    police = next(s for s in group_speakers(find_candidates(sources).attributions) if s.name.lower() == "police")
    assert actor_role(police, sources) is not None
    assert actor_name(police, sources) == ("Oakland police", ["d1:1", *police.sentence_ids])


def test_a_bare_institution_no_report_names_is_not_an_actor():
    sources = sources_from_texts(["Seven men were shot on Monday, police said. No one has been arrested."])
    police = next(s for s in group_speakers(find_candidates(sources).attributions) if s.name.lower() == "police")
    assert actor_role(police, sources) is None


def test_only_a_claim_of_responsibility_makes_its_speaker_the_one_who_claimed_it():
    sources = sources_from_texts(["ISIS claimed responsibility for the attack, the group said in a statement. "
                                  "Amaq claimed to have freed 30 inmates, Reuters reported. "
                                  "Wawrinka claimed an early break, Reuters reported."])
    speakers = {s.name: s for s in group_speakers(find_candidates(sources).attributions)}
    assert actor_role(speakers["ISIS"], sources) == ActorRole.claimed_responsibility
    assert actor_role(speakers["Amaq"], sources) == ActorRole.claimed_responsibility
    assert actor_role(speakers["Wawrinka"], sources) == ActorRole.other


@pytest.mark.parametrize(("sentence", "speaker", "split"), [
    ("Official reports said no external attack had occurred.", "Official reports",
     ("Official reports", "no external attack had occurred.")),
    ("Several individuals died, including five guards, according to Maan.", "Brigadier General Saad Maan",
     ("Maan", "Several individuals died, including five guards.")),
    ("Motorists were surprised by icy patches, said Trooper James Schmidt of the Colorado State Patrol.",
     "Trooper James Schmidt",
     ("Trooper James Schmidt of the Colorado State Patrol", "Motorists were surprised by icy patches.")),
    ("'To see the decline we saw in March, that is abnormal,' Domonkos said.", "Brian Domonkos",
     ("Domonkos", "To see the decline we saw in March, that is abnormal.")),
    ("Police told reporters that two men were shot.", "Police", ("Police", "two men were shot.")),
    ("Lisa Lai told the Daily Camera newspaper she avoided a crash.", "Lisa Lai",  # no frame to cut: kept whole
     ("Lisa Lai", "Lisa Lai told the Daily Camera newspaper she avoided a crash.")),
    ('"Isis was responsible for the killings," said Oudi Al-Khadran, the mayor of the town.', "Oudi Al-Khadran",
     ("Oudi Al-Khadran", "Isis was responsible for the killings.")),
    ("Iraqi officials said 12 police officers died.", "Amaq", ("Amaq", "Iraqi officials said 12 police officers died.")),
    ("The ISIS militant group has claimed to have broken dozens out of jail.", "ISIS",
     ("ISIS", "The ISIS militant group has claimed to have broken dozens out of jail.")),  # a claim, not a frame
])
def test_a_speakers_sentence_splits_into_who_the_frame_names_and_what_they_said(sentence, speaker, split):
    assert unattributed(sentence, speaker) == split


@pytest.mark.parametrize(("statement", "named"), [
    ("ISIS was responsible for the killings, while Oudi Al-Khadran blamed ISIS for the release of prisoners.", True),
    ("Oudi Al-Khadran said ISIS was responsible for the killings.", True),
    ("ISIS was responsible for the killings and the release of ISIS prisoners.", False),
    ("Iraqi officials said ISIS was responsible for the killings.", False),
])
def test_a_claim_whose_frame_names_its_own_speaker_tells_about_them(statement, named):
    assert names_its_speaker(statement, "Oudi Al-Khadran") is named


def test_a_claim_of_an_act_may_name_its_claimant_as_its_subject():
    assert not names_its_speaker("The ISIS militant group has claimed to have broken dozens out of jail.", "ISIS")
    assert not names_its_speaker("ISIS claimed responsibility for the attack.", "ISIS")
