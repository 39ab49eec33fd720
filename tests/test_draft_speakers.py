"""draft.speakers: attributions grouped into speakers, and the role each speaker is given."""

from summarizer.anchors import Attribution, find_candidates
from summarizer.draft.speakers import actor_role, group_speakers
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
