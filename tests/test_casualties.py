"""casualties: killed and injured as the Gun Violence Archive counts them, from what the reports say."""

import pytest

from summarizer.anchors import find_candidates
from summarizer.casualties import count_casualties
from summarizer.draft.figures import merge_figures
from summarizer.ingest import sentence_spans
from summarizer.sources import Document, Sentence, Sources


def report(doc_id: str, text: str, date: str | None = None) -> Document:
    sentences = [Sentence(id=f"{doc_id}:{i}", doc_id=doc_id, index=i, text=text[start:end], start=start, end=end)
                 for i, (start, end) in enumerate(sentence_spans(text, 0, len(text)))]
    return Document(id=doc_id, path=f"{doc_id}.txt", text=text, date=date, sentences=sentences)


def counted(*documents: Document) -> tuple[int | None, int | None]:
    sources = Sources(root=".", documents=list(documents))
    casualties = count_casualties(merge_figures(find_candidates(sources).figures), sources)
    return casualties.killed, casualties.injured


@pytest.mark.parametrize("text", [
    "A man was shot Sunday and died at the hospital.",
    "Officers found a woman with a gunshot wound. She was pronounced dead at the scene.",
    "A 19-year-old was fatally shot on Friday.",
    "A man shot on Friday succumbed to his injuries.",
    "The victim was taken to the hospital in critical condition and pronounced dead on Saturday.",
])
def test_dying_in_any_words_is_killed(text):
    assert counted(report("d1", text)) == (1, 0)


@pytest.mark.parametrize("text", [
    "Two men were wounded outside the bar.",
    "Two teenagers were hospitalized after the shooting.",
    "Two women were grazed by bullets.",
    "Two men are in critical condition.",
    "Two people suffered non-life-threatening injuries.",
])
def test_being_hurt_in_any_words_is_injured(text):
    assert counted(report("d1", text)) == (0, 2)


def test_a_suspect_shot_by_police_counts_like_anyone_else():
    text = "A woman was shot and killed in the store. The suspect was shot and killed by officers."
    assert counted(report("d1", text)) == (2, 0)


def test_a_shooter_who_killed_himself_counts_among_the_killed():
    assert counted(report("d1", "Police said a man fatally shot a woman and then turned the gun on himself.")) == (2, 0)


def test_a_child_who_shot_himself_is_one_person_not_a_shooter_and_a_victim():
    assert counted(report("d1", "A 10-year-old who fatally shot himself was pronounced dead at the scene.")) == (1, 0)


def test_one_person_named_twice_is_one():
    text = "Emma Watson Nowling died Friday. Police said Emma died at Children's Hospital."
    assert counted(report("d1", text)) == (1, 0)


def test_a_person_named_as_shot_and_as_killed_is_one_killed_person():
    text = "Sharon Watson was shot outside the mall. Sharon Watson died on Sunday."
    assert counted(report("d1", text)) == (1, 0)


def test_one_person_said_to_be_killed_and_hurt_in_the_same_words_is_one_killed_person():
    text = "An accidental shooting on Christmas night killed a 16-year-old. Police said the shooting critically " \
           "injured a 16-year-old."
    assert counted(report("d1", text)) == (1, 0)


def test_a_person_one_report_names_as_killed_is_not_counted_hurt_by_another():
    killed = report("d1", "Deputy Jason Hagen died on Friday.", "2016-12-09")
    shot = report("d2", "Police said Deputy Jason Hagen was shot in the face.", "2016-12-09")
    assert counted(killed, shot) == (1, 0)


def test_people_shot_one_fatally_are_one_killed_and_the_rest_injured():
    assert counted(report("d1", "Two men and a woman were shot, one fatally, police said.")) == (1, 2)


def test_a_later_report_of_a_death_supersedes_the_earlier_count_of_injured():
    earlier = report("d1", "A woman was hospitalized after she was shot at a gun range.", "2016-12-26")
    later = report("d2", "The woman died of her injuries on Thursday.", "2016-12-29")
    assert counted(earlier, later) == (1, 0)


def test_a_later_report_counting_more_people_in_all_does_not_rewrite_the_earlier():
    earlier = report("d1", "Fifty-three people were wounded in the nightclub.", "2016-06-12")
    later = report("d2", "Forty-nine people were killed and 53 were wounded.", "2016-06-13")
    assert counted(earlier, later) == (49, 53)


def test_reports_without_casualty_figures_say_not_stated():
    assert counted(report("d1", "Police are investigating a disturbance on Main Street.")) == (None, None)


@pytest.mark.parametrize("tally", [
    "By mid-afternoon Sunday, at least seven people had been killed in Chicago and 40 wounded in 33 separate shooting "
    "incidents since Friday.",
    "He was one of three people killed and 27 wounded over an eight-hour stretch that night.",
    "Detectives are investigating three overnight shootings that left five people injured and one person dead.",
    "Authorities said four people were killed and seven injured in shootings across the city Saturday and Sunday.",
    "So far this year, 12 people have been killed and 40 wounded in the city.",
    "Late Wednesday, at least eight people were killed and 12 wounded in Chicago shootings throughout the day.",
    "The teen and the man were among 11 people shot, one fatally, from Tuesday afternoon to early Wednesday.",
    "Since early October, eight people have died and at least 10 others were injured in 12 shootings nearby.",
    "Her slaying was the first in a string of three shooting deaths that have remained unsolved.",
])
def test_a_tally_of_several_shootings_counts_no_one_for_the_event(tally):
    """The event's own count stands; the tally beside it is of other shootings too."""
    text = f"A 7-year-old boy was shot and killed Saturday night and a woman was wounded. {tally}"
    assert counted(report("d1", text)) == (1, 1)


def test_a_tally_alone_gives_no_count():
    assert counted(report("d1", "So far this year, 12 people have been killed and 40 wounded in the city.")) == (None, None)


def test_people_someone_tried_to_kill_were_not_killed():
    text = "The gunman opened fire at the party, killing three people and trying to kill two others."
    assert counted(report("d1", text)) == (3, 0)


def test_a_part_of_the_victims_who_died_is_the_count_killed_and_the_rest_injured():
    assert counted(report("d1", "Police said Sunday that two of the four shooting victims had died.")) == (2, 2)
    assert counted(report("d1", "One of five people hurt in a shooting on Sunday night has died.")) == (1, 4)


def test_a_report_silent_on_the_injured_does_not_count_zero_injured():
    """Two reports say three died, one says three died and one was wounded: one was wounded."""
    assert counted(report("d1", "Three people were found dead Friday morning from a shooting."),
                   report("d2", "Three people were shot to death at an apartment complex."),
                   report("d3", "Three people were killed and one was wounded in a shooting on Friday.")) == (3, 1)


def test_a_fourth_person_shot_is_one_more_than_three_killed():
    text = ("Three people were killed in a shooting at an apartment building. A fourth man who was shot in the leg "
            "was located by officers a short distance away.")
    assert counted(report("d1", text)) == (3, 1)


def test_people_not_seriously_hurt_are_injured():
    assert counted(report("d1", "Three people were not seriously injured in the shooting.")) == (0, 3)


def test_a_person_said_not_to_be_hurt_is_not_counted():
    text = ("Police are investigating a shootout that killed three people. One person inside the apartment was not "
            "injured and was questioned by police.")
    assert counted(report("d1", text)) == (3, 0)


def test_a_woman_and_girl_with_one_article_are_two_people():
    text = "Police said a man fatally shot a woman and girl then killed himself."
    assert counted(report("d1", text)) == (3, 0)


def test_a_shooter_who_shot_himself_and_lived_is_injured():
    text = "A two-year-old boy was airlifted to the hospital after accidentally shooting himself in the chest."
    assert counted(report("d1", text)) == (0, 1)


def test_a_shooting_in_an_earlier_year_counts_no_one_for_the_event():
    text = ("A gun battle on the streets of Oakland left eight people wounded. Last year, musician Emiliano Nevarez "
            "was killed by a stray bullet outside the same bar.")
    assert counted(report("d1", text)) == (0, 8)


def test_a_woman_hurt_is_not_the_boy_who_was_killed():
    text = ("A 7-year-old boy was shot and killed Saturday night. He was shot in the chest and died at the hospital. "
            "The woman was also shot in the chest and is hospitalized in stable condition.")
    assert counted(report("d1", text)) == (1, 1)


def test_a_person_referred_back_to_as_hurt_who_lived_is_not_one_of_the_dead():
    text = ("A 16-year-old girl was shot and killed early Sunday after a 15-year-old boy shot her mother. "
            "Charlotte Zaremba was taken to a hospital, where she was pronounced dead. "
            "She was treated for a non-life-threatening gunshot wound and released.")
    assert counted(report("d1", text)) == (1, 1)


def test_a_later_report_of_a_womans_death_does_not_move_men_counted_hurt_to_killed():
    earlier = report("d1", "Three men were taken to the hospital in stable condition.", "2017-01-01")
    later = report("d2", "Council succumbed to her injuries.", "2017-01-03")
    assert counted(earlier, later) == (1, 3)


def test_a_later_report_of_a_womans_death_moves_the_woman_counted_hurt_to_killed():
    earlier = report("d1", "A woman was taken to the hospital in stable condition.", "2017-01-01")
    later = report("d2", "Council succumbed to her injuries.", "2017-01-03")
    assert counted(earlier, later) == (1, 0)


def test_a_report_silent_on_the_dead_does_not_count_hurt_a_person_shot_whom_another_says_died():
    died = report("d1", "An 11-year-old boy died late Wednesday after he was hit by accidental gunfire.")
    shot = report("d2", "Police say Antwone was shot as a relative played with a handgun.")
    assert counted(died, shot) == (1, 0)


def test_a_fourth_person_shot_in_a_report_silent_on_the_dead_is_one_more_than_those_who_died():
    died = report("d1", "Three people were found shot to death inside a home.")
    survived = report("d2", "A fourth person was also shot, police said, but survived.")
    assert counted(died, survived) == (3, 1)


def test_on_a_tie_a_report_about_the_event_alone_outvotes_a_roundup():
    roundup = report("d1", "The teen and the man were among 11 people shot, one fatally, from Tuesday afternoon to "
                           "early Wednesday, police said. A shooting on the South Side wounded a 16-year-old boy and "
                           "a 19-year-old man.")
    alone = report("d2", "Ronnie Smith was killed in a shooting near his home late Tuesday that also left a man "
                         "wounded.")
    assert counted(roundup, alone) == (1, 1)


@pytest.mark.parametrize("text", [
    "All four bodies were found around 11:50 a.m. Wednesday.",
    "The grandparents called the sheriff's office and deputies found all four deceased.",
])
def test_bodies_found_and_people_found_deceased_are_killed(text):
    assert counted(report("d1", text)) == (4, 0)


def test_a_report_silent_on_the_dead_whose_people_shot_may_all_have_died_is_silent_on_the_hurt():
    """Two of the three dead were shot, per the second report, one per the third: they do not outvote the first's
    one wounded."""
    counted_event = report("d1", "The shooting cost the lives of three young people. One person was taken to the "
                                 "hospital with gunshot wounds and is listed in serious condition.")
    two_shot = report("d2", "She said two of her friends were shot.")
    one_shot = report("d3", "Jordan Ebner was shot multiple times.")
    assert counted(counted_event, two_shot, one_shot) == (3, 1)
