"""checks.entities: names in text, compared as token sets with a small alias table."""

from summarizer.checks.entities import compare, countries, extract, find, named_as_in, us_state


def test_capitalised_runs_are_names_and_sentence_openers_are_not():
    assert extract("The agency said Amaq News Agency and Colonel Ahmed al-Timimi met in Baghdad.") == [
        "Amaq News Agency", "Colonel Ahmed al-Timimi", "Baghdad"]


def test_possessives_split_names():
    assert extract("Iraq’s Ministry of Interior spokesman reported it.") == ["Iraq", "Ministry of Interior"]


def test_names_do_not_run_across_sentences():
    assert extract("It occurred in Al Khalis. More than fifty escaped.") == ["Al Khalis"]


def test_months_and_weekdays_are_not_names():
    assert extract("On Friday, 8 May, in Baghdad.") == ["Baghdad"]


def test_hyphen_and_spacing_variants_share_a_key():
    assert find("Al-Khalis")[0].key == find("Al Khalis")[0].key == {"khalis"}


def test_demonyms_map_to_their_country():
    assert countries()["iraqi"] == "Iraq" and countries()["syrian"] == "Syria"


def test_us_states_resolve_from_names_and_abbreviations():
    assert us_state("S.C.") == us_state("SC") == us_state("South Carolina") == "South Carolina"
    assert us_state("Baghdad") is None


def test_claim_without_names_is_not_applicable():
    assert compare("twelve people died", "Iraqi officials said 12 police officers died.").verdict == "na"


def test_spelling_variants_match():
    assert compare("Prisoners escaped from the Al Khalis facility.", "dozens escaped from Al-Khalis").verdict == "match"


def test_aliases_match():
    assert compare("ISIL claimed the attack.", "The Islamic State claimed the attack.").verdict == "match"
    assert compare("Isis claimed the attack.", "ISIS claimed the attack.").verdict == "match"


def test_a_surname_matches_the_full_name():
    assert compare("Maan said five guards died.", "Brigadier General Saad Maan said the prisoners clashed.").verdict == "match"


def test_one_letter_misspellings_match():
    assert compare("Prisoners were freed from Abu Ghraib.", "After the Abu Ghrab break").verdict == "match"


def test_a_demonym_matches_its_country():
    assert compare("Iraq's officials said 12 died.", "Iraqi officials said 12 police officers died.").verdict == "match"


def test_a_different_name_in_the_same_slot_is_a_mismatch():
    check = compare("A car bomb exploded in Mosul.", "A car bomb exploded in Baghdad.")
    assert check.verdict == "mismatch" and "Mosul" in check.detail and "Baghdad" in check.detail


def test_a_different_speaker_is_a_mismatch():
    assert compare("Amaq said 60 died.", "Maan said 30 died.").verdict == "mismatch"


def test_a_missing_name_without_a_rival_is_absent():
    assert compare("Oudi Al-Khadran blamed ISIS.", "ISIS claimed the attack.").verdict == "absent"


def test_the_verifier_reads_a_name_as_the_evidence_writes_it():
    evidence = "Brigadier General Saad Maan said the prisoners clashed with guards."
    assert named_as_in("Saad Maan Ibrahim said the prisoners clashed.", evidence) == (
        "Brigadier General Saad Maan said the prisoners clashed.")


def test_two_different_names_are_not_aligned():
    assert named_as_in("Jane Smith said it.", "John Smith said it.") == "Jane Smith said it."
    assert named_as_in("The Iraqi Interior Ministry said it.", "Iraq said it.") == "The Iraqi Interior Ministry said it."
