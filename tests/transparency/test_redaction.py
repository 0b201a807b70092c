"""The redaction detector: every pattern, the false positives it must not produce, the names the
system holds, the allow list, and properties of the marks (never overlapping, applied completely,
idempotent)."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oglabs.transparency.redaction import (
    PLACEHOLDER,
    Detector,
    Mark,
    apply,
    check_marks,
    detect,
    merge,
    name_variants,
    phrase_marks,
    redact,
    segments,
)

EXAMPLES = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def _found(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in detect(text, **kwargs)]


@pytest.mark.parametrize(
    "address",
    [
        "anna.schmidt@example.de",
        "a_b-c+tag@sub.example-domain.org",
        "Info@Kommune.DE",
        "max (at) beispiel.de",
        "max[at]beispiel[dot]de",
    ],
)
def test_detect_email_addresses(address):
    assert _found(f"Schreiben Sie an {address}. Danke") == [("email", address)]


@pytest.mark.parametrize(
    "number",
    [
        "+49 30 1234567",
        "+49 (0)30 123 45 67",
        "+4930123456",
        "0049 89 1234567",
        "0049-171-1234567",
        "030 1234567",
        "030-1234567",
        "030/123 45 67",
        "0171/1234567",
        "0171 1234567",
        "(030) 1234567",
        "0221/12345-0",
    ],
)
def test_detect_german_phone_numbers(number):
    assert _found(f"Erreichbar unter {number} ab Montag") == [("phone", number)]


def test_detect_labelled_phone_number_without_area_code():
    assert _found("Tel.: 123 4567 (Sekretariat)") == [("phone", "123 4567")]
    assert _found("Fax 12345-6") == [("phone", "12345-6")]


def test_detect_iban_only_with_valid_checksum():
    assert _found("IBAN DE89 3704 0044 0532 0130 00 bei der Bank") == [
        ("iban", "DE89 3704 0044 0532 0130 00")
    ]
    assert _found("IBAN DE89370400440532013000.") == [("iban", "DE89370400440532013000")]
    assert _found("IBAN GB82 WEST 1234 5698 7654 32") == [("iban", "GB82 WEST 1234 5698 7654 32")]
    assert "iban" not in {kind for kind, _ in _found("IBAN DE89 3704 0044 0532 0130 01")}
    assert _found("Code AB12CDEFGHIJKLMNOP") == []


@pytest.mark.parametrize(
    "address",
    [
        "Hauptstraße 12a",
        "Hauptstrasse 12",
        "Lindenstr. 3",
        "Friedrich-Ebert-Straße 5",
        "Friedrich-Ebert-Str. 5-7",
        "Berliner Allee 3-5",
        "Alte Gasse 1",
        "Am Ring 7",
        "Am Alten Markt 2",
        "Lindenweg 2",
        "Rathausplatz 2/4",
        "Mühlendamm 14",
        "Mainufer 8 b",
        "10117 Berlin",
        "06108 Halle (Saale)",
        "D-01067 Dresden",
    ],
)
def test_detect_street_addresses_and_postcode_with_town(address):
    assert _found(f"Sitz: {address}, Deutschland") == [("address", address)]


def test_detect_full_postal_address_as_two_marks():
    text = "Anschrift: Musterweg 12, 14641 Nauen"
    assert _found(text) == [("address", "Musterweg 12"), ("address", "14641 Nauen")]


@pytest.mark.parametrize(
    "text",
    [
        "Die Förderung beträgt 3.000.000 € für bis zu 15 Labore.",
        "Beantragt wurden 150.000,00 EUR, bewilligt 120.000 €.",
        "Frist: 31.10.2019, 23:59 Uhr; Zeitraum 01.01.2020–31.12.2022.",
        "Die Kommune (ARS 091620000000, AGS 09162000) liegt im Landkreis.",
        "Regionalschlüssel 120630000000",
        "Die Stadt hat 12.345 Einwohner und 15000 Einwohner im Umland; 50000 Euro Eigenanteil.",
        "Postleitzahl 10117 allein nennt keine Person.",
        "Rang 3 von 36, Platz 1 im Ranking, Punkte 87 von 100, Score 4,25.",
        "Der Weg 2019 war lang; die Straße 5 Jahre alt.",
        "Interessenbekundung OGL-2019-007 vom 15.10.2019.",
        "Siehe www.example.de/ogl und https://example.org/a?b=1.",
        "Zwischen 10 und 12 Uhr sowie 09-12 Uhr; 2019/2020; 0,5 Stellen.",
        "Das Labor arbeitet mit der Hauptstraße als Symbol.",
        "Die Herren der Lage und die Frau am Steuer.",
    ],
)
def test_detect_finds_nothing_in_texts_without_personal_data(text):
    assert detect(text) == []


def test_detect_names_the_system_holds_whole_words_any_case_and_parts():
    names = ["Anna Beispiel", "Jörg von der Heide-Müller"]
    text = "Anna Beispiel, ANNA, beispiel und Beispiels Idee; Jörg Heide-Müller; Müllers Plan; Annabell."
    assert _found(text, person_names=names) == [
        ("name", "Anna Beispiel"),
        ("name", "ANNA"),
        ("name", "beispiel"),
        ("name", "Beispiels"),
        ("name", "Jörg"),
        ("name", "Heide-Müller"),
        ("name", "Müllers"),
    ]


def test_name_variants_skip_particles_titles_and_initials():
    assert name_variants("Dr. Jörg von der Heide-Müller") == [
        "Jörg von der Heide-Müller",
        "Heide-Müller",
        "Müller",
        "Heide",
        "Jörg",
    ]
    assert name_variants("A. Beispiel") == ["A. Beispiel", "Beispiel"]
    assert name_variants("  ") == []


def test_detect_honorifics_mark_unknown_names():
    assert _found("Frau Dr. Müller und Herr Schmidt sowie Herrn Prof. Dr. Klaus Meier-Lange.") == [
        ("name", "Frau Dr. Müller"),
        ("name", "Herr Schmidt"),
        ("name", "Herrn Prof. Dr. Klaus Meier-Lange"),
    ]


def test_detect_leaves_allowed_office_holders_and_institutions():
    names = ["Erika Muster", "Max Mustermann"]
    allowed = ["Bürgermeisterin Erika Muster", "Deutscher Städtetag", "poststelle@bmi.bund.de"]
    text = (
        "Bürgermeisterin Erika Muster eröffnete; Frau Bürgermeisterin Erika Muster dankte. "
        "Der Deutsche Städtetag (poststelle@bmi.bund.de) und Max Mustermann (max@example.de)."
    )
    assert _found(text, person_names=names, allowed=allowed) == [
        ("name", "Max Mustermann"),
        ("email", "max@example.de"),
    ]


def test_detect_allowed_part_does_not_cover_a_longer_name():
    marks = detect("Frau Anna Schmidt-Meier", person_names=["Anna Schmidt-Meier"], allowed=["Anna Schmidt"])
    assert [(m.kind, m.text) for m in marks] == [("name", "Frau Anna Schmidt-Meier")]


def test_detect_merges_overlapping_marks_into_one():
    # "Anna" and "Beispiel" are found inside the address too; one e-mail mark remains.
    text = "Mail: anna.beispiel@example.de, Frau Beispiel"
    marks = detect(text, person_names=["Anna Beispiel"])
    assert [(m.kind, m.text) for m in marks] == [
        ("email", "anna.beispiel@example.de"),
        ("name", "Frau Beispiel"),
    ]


def test_apply_replaces_spans_and_refuses_stale_or_overlapping_marks():
    text = "Ruf an: 030 1234567 oder a@b.de"
    marks = detect(text)
    assert apply(text, marks) == f"Ruf an: {PLACEHOLDER} oder {PLACEHOLDER}"
    assert apply(text, []) == text
    with pytest.raises(ValueError, match="match"):
        apply(text, [Mark(0, 3, "manual", "xyz")])
    with pytest.raises(ValueError, match="overlap"):
        apply(text, [Mark(0, 5, "manual", text[0:5]), Mark(3, 6, "manual", text[3:6])])
    with pytest.raises(ValueError, match="range"):
        apply(text, [Mark(0, 999, "manual", text)])


def test_phrase_marks_finds_every_whole_word_occurrence():
    text = "Der Verein Lichtblick e.V. und lichtblick; Lichtblicke nicht."
    assert [(m.start, m.text) for m in phrase_marks(text, "Lichtblick")] == [
        (11, "Lichtblick"),
        (31, "lichtblick"),
    ]
    assert phrase_marks(text, "   ") == []


def test_mark_round_trips_as_dict():
    mark = Mark(3, 7, "name", "Anna")
    assert Mark.from_dict(mark.as_dict()) == mark
    assert mark.as_dict() == {"start": 3, "end": 7, "kind": "name", "text": "Anna"}


# ------------------------------------------------------------------------------------------------
# Properties

NAMES = ["Anna Beispiel", "Jörg Heide-Müller", "Ömer Yıldız"]
PII = [
    "anna@example.de",
    "max (at) beispiel.de",
    "030 1234567",
    "+49 171 1234567",
    "DE89 3704 0044 0532 0130 00",
    "Hauptstraße 12a",
    "10117 Berlin",
    "Frau Dr. Müller",
    "Anna Beispiel",
    "Heide-Müller",
    "Yıldız",
]
SAFE = [
    "Die",
    "Kommune",
    "beantragt",
    "3.000.000 €",
    "am",
    "31.10.2019",
    "Labor",
    "und",
    "Rang 3",
    "ARS 091620000000",
    "15000 Euro",
    ",",
    ".",
    "\n",
    "Straße",
    "Platz",
    "Frau",
    "(",
    ")",
    "Beteiligung",
]
texts = st.lists(st.sampled_from(PII + SAFE), max_size=25).map(" ".join)
any_text = st.one_of(texts, st.text(max_size=80))


@EXAMPLES
@given(any_text)
def test_property_marks_are_sorted_disjoint_and_match_the_text(text):
    marks = detect(text, person_names=NAMES)
    check_marks(text, marks)
    for before, after in itertools.pairwise(marks):
        assert before.end <= after.start


@EXAMPLES
@given(texts)
def test_property_apply_removes_every_marked_substring(text):
    marks = detect(text, person_names=NAMES)
    redacted = apply(text, marks)
    for mark in marks:
        assert not re.search(rf"(?<!\w){re.escape(mark.text)}(?!\w)", redacted, re.IGNORECASE), mark
    for item in PII:
        assert item not in redacted


@EXAMPLES
@given(any_text)
def test_property_redaction_is_idempotent(text):
    once = redact(text, person_names=NAMES)
    assert redact(once, person_names=NAMES) == once
    assert detect(once, person_names=NAMES) == []


@EXAMPLES
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 10)), max_size=8))
def test_property_merge_gives_disjoint_marks_covering_the_same_characters(spans):
    text = "x" * 60
    marks = [Mark(s, min(s + n, 60), "manual", text[s : min(s + n, 60)]) for s, n in spans]
    merged = merge(text, marks)
    check_marks(text, merged)
    covered = {i for m in marks for i in range(m.start, m.end)}
    assert {i for m in merged for i in range(m.start, m.end)} == covered


def test_segments_cut_the_text_at_the_marks():
    text = "Ruf an: 030 1234567 oder a@b.de"
    phone, email = detect(text)
    assert segments(text, [phone, email]) == [
        ("Ruf an: ", None),
        ("030 1234567", phone),
        (" oder ", None),
        ("a@b.de", email),
    ]
    assert segments("", []) == []


@EXAMPLES
@given(any_text)
def test_property_a_detector_built_once_finds_what_detect_finds(text):
    detector = Detector(
        person_names=[*NAMES, *(f"Vorname{i} Nachname{i}" for i in range(300))], allowed=["Yıldız"]
    )
    assert detector(text) == detect(text, person_names=NAMES, allowed=["Yıldız"])
