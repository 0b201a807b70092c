"""Pre-marking personal data in a text that is to be published. Pure: no Django.

``detect`` finds what looks like personal data; a person then checks the marks and a *second*
person confirms them (``services``). The detector is meant to over-mark rather than miss: a wrong
mark costs a click, a missed one publishes personal data. What it looks for:

* **e-mail addresses**, also written ``name (at) example.de`` / ``name[at]example.de``;
* **German phone numbers**: ``+49 30 1234567``, ``0049 (0)30 123456``, ``030 1234567``,
  ``0171/1234567``, ``030-123 45 67``, and any number after ``Tel.``, ``Telefon``, ``Fax``,
  ``Mobil``, ``Handy``. A bare run of digits (``091620000000``, an official area key) is *not* a
  phone number: a national number needs a separator after its area code;
* **IBANs**, only when the ISO 7064 mod-97 checksum holds (and a German one has 22 characters);
* **street addresses**: ``Hauptstraße 12a``, ``Friedrich-Ebert-Str. 5``, ``Berliner Allee 3-5``,
  ``Am Ring 7`` (the kinds Straße, Str., Weg, Platz, Allee, Gasse, Ring, Damm, Ufer, Markt), and a
  postcode with its town (``10117 Berlin``) unless the word after the five digits is one that
  follows amounts (``50000 Euro``, ``12000 Einwohner``). A postcode alone is not marked;
* **person names the system holds** (passed in): the full name, every part of it on its own
  (first and last name, each part of a double name; particles such as ``von`` are skipped) with
  an optional genitive ``s``, whole words, case-insensitive; and any capitalised name after
  ``Frau``/``Herr``/``Herrn`` (with ``Dr.``/``Prof.`` in between), known or not.

Whatever lies within an occurrence of an ``allowed`` phrase (public office holders, institutions)
is not marked; so is a name mark whose only rest outside allowed phrases is ``Frau``/``Herr``.

No named-entity recogniser is used: none works offline from the package registry (see ADR 0008).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

#: What a marked span is replaced with.
PLACEHOLDER = "[geschwärzt]"

EMAIL = "email"
PHONE = "phone"
IBAN = "iban"
ADDRESS = "address"
NAME = "name"
#: A phrase staff added by hand.
MANUAL = "manual"
KINDS = (EMAIL, PHONE, IBAN, ADDRESS, NAME, MANUAL)


@dataclass(frozen=True, order=True)
class Mark:
    """A span ``text[start:end]`` to be redacted; ``text`` is that span (a guard against drift)."""

    start: int
    end: int
    kind: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mark:
        return cls(int(data["start"]), int(data["end"]), str(data["kind"]), str(data["text"]))


# ------------------------------------------------------------------------------------------------
# Patterns

_L = "A-Za-zÄÖÜäöüßÀ-ÖØ-öø-ÿ"  # letters as they occur in German (and neighbouring) names

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    r"(?:@|\s?[\[(]\s?(?:at|ät)\s?[\])]\s?)"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:(?:\.|\s?[\[(]\s?(?:dot|punkt)\s?[\])]\s?)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(?:\.|\s?[\[(]\s?(?:dot|punkt)\s?[\])]\s?)[A-Za-z]{2,24}(?![\w-])",
    re.IGNORECASE,
)

_SEP = r"[ \t\u00a0]?[-/–]?[ \t\u00a0]?"
#: The subscriber number: one block (1234567) or short blocks (123 45 67), then an extension (-0).
_SUBSCRIBER = r"(?:\d{5,8}|\d{2,4}(?:[ \t\u00a0]\d{2,4}){0,3})(?:[ \t\u00a0]?[-–][ \t\u00a0]?\d{1,5})?"
_INTERNATIONAL_RE = re.compile(
    r"(?<![\w+])(?:\+|00)49"
    + _SEP
    + r"(?:\(0\)"
    + _SEP
    + r")?[1-9]\d{1,4}"
    + _SEP
    + _SUBSCRIBER
    + r"(?![\d.,]\d)(?!\d)"
)
_NATIONAL_RE = re.compile(
    r"(?<![\w.,/+-])(?:\(0[1-9]\d{1,4}\)|0[1-9]\d{1,4})"
    r"(?:[ \t\u00a0]?[-/–][ \t\u00a0]?|[ \t\u00a0])" + _SUBSCRIBER + r"(?![\d.,]\d)(?!\d)"
)
_LABELLED_RE = re.compile(
    r"(?:\b(?:Tel|Telefon|Fon|Fax|Mobil|Handy|Mobiltelefon|Telefonnummer|Rufnummer)\.?:?[ \t\u00a0]*)"
    r"((?:\+|00)?[\d(][\d()/ \t\u00a0-]{4,24}\d)",
    re.IGNORECASE,
)

_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
#: Lengths of IBANs by country for the countries around Germany; others only need 15–34.
_IBAN_LENGTHS = {"DE": 22, "AT": 20, "CH": 21, "NL": 18, "BE": 16, "FR": 27, "LU": 20, "PL": 28, "DK": 18}

_STREET_SUFFIX = r"(?:[sS]tra(?:ß|ss)e|[sS]tr\.|[wW]eg|[pP]latz|[aA]llee|[gG]asse|[rR]ing|[dD]amm|[uU]fer)"
_STREET_WORD = r"(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm|Ufer|Markt)"
_STREET_PREPOSITION = r"(?:Am|An\s+der|An\s+den|Im|Auf\s+dem|Zum|Zur|In\s+der|Unter\s+den)"
_ARTICLES = r"(?:Die|Der|Das|Den|Dem|Des|Eine|Einer|Eines|Diese|Dieser|Dieses|Jede|Jeder|Keine|Seine|Ihre|Unsere|Welche)"
#: An adjective or a place name before a separate street word: Berliner Straße, Alte Gasse.
_STREET_ADJECTIVE = rf"(?!{_ARTICLES}\s)[A-ZÄÖÜ][{_L}]+(?:er|e|en|es)"
_HOUSE_NUMBER = (
    r"[ \t\u00a0]+\d{1,3}(?:[ \t\u00a0]?[a-zA-Z](?!\w))?(?:[ \t\u00a0]?[-–/][ \t\u00a0]?\d{1,3}[a-zA-Z]?)?"
    r"(?![\d,.]\d)(?!\d)"
)
_STREET_RE = re.compile(
    r"(?<![\w-])(?:"
    rf"[A-ZÄÖÜ][{_L}-]*?{_STREET_SUFFIX}"  # Hauptstraße, Friedrich-Ebert-Straße, Lindenstr.
    rf"|{_STREET_PREPOSITION}\s+(?:{_STREET_ADJECTIVE}\s+)?{_STREET_WORD}"  # Am Ring, Am Alten Markt
    rf"|{_STREET_ADJECTIVE}\s+{_STREET_WORD}"  # Berliner Straße, Alte Gasse
    rf"){_HOUSE_NUMBER}"
)
#: Words that follow a five-digit number without it being a postcode.
_NOT_A_TOWN = frozenset(
    [
        "euro",
        "eur",
        "einwohner",
        "einwohnerinnen",
        "einwohnern",
        "einwohnende",
        "menschen",
        "personen",
        "bürger",
        "bürgerinnen",
        "bürgern",
        "mitglieder",
        "mitgliedern",
        "teilnehmende",
        "teilnehmer",
        "teilnehmerinnen",
        "stunden",
        "tage",
        "tagen",
        "minuten",
        "jahre",
        "jahren",
        "haushalte",
        "haushalten",
        "exemplare",
        "besucher",
        "besucherinnen",
        "nutzer",
        "nutzerinnen",
        "euros",
        "mal",
        "stück",
        "seiten",
        "zeichen",
        "kilometer",
        "meter",
        "quadratmeter",
        "hektar",
        "unterschriften",
        "stimmen",
        "beschäftigte",
        "beschäftigten",
        "studierende",
        "schüler",
        "schülerinnen",
        "kinder",
        "fälle",
        "anfragen",
        "downloads",
        "zugriffe",
        "datensätze",
    ]
)
_POSTCODE_RE = re.compile(
    rf"(?<![\w.,-])(?:D-)?\d{{5}}[ \t\u00a0]+([A-ZÄÖÜ][{_L}]+(?:[ -](?:an der|am|im|in der|bei|\(?[A-ZÄÖÜ][{_L}.]+\)?))*)"
)

_TITLES = r"(?:(?:Dr\.|Prof\.|Dipl\.-Ing\.)\s*)*"
_HONORIFIC_RE = re.compile(
    rf"\b(?:Frau|Herrn|Herr|Hr\.|Fr\.)\s+{_TITLES}"
    rf"[A-ZÄÖÜ][{_L}]+(?:-[A-ZÄÖÜ][{_L}]+)?(?:\s+[A-ZÄÖÜ][{_L}]+(?:-[A-ZÄÖÜ][{_L}]+)?)?(?!\w)"
)
#: Words that alone say nothing about a person: left over when the rest of a mark is allowed.
_HONORIFIC_WORDS = frozenset({"frau", "herr", "herrn", "hr", "fr", "dr", "prof", "dipl", "ing"})
#: Name particles that are not marked on their own.
_PARTICLES = frozenset(
    {
        "von",
        "van",
        "de",
        "der",
        "den",
        "des",
        "di",
        "da",
        "du",
        "le",
        "la",
        "zu",
        "zum",
        "zur",
        "vom",
        "und",
        "ten",
        "ter",
        "dr",
        "prof",
    }
)


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def _iban_marks(text: str) -> Iterable[Mark]:
    for match in _IBAN_RE.finditer(text):
        candidate = match.group(0)
        # A greedy match may have swallowed a following word: try shorter ends at group borders.
        for end in range(len(candidate), 14, -1):
            if end < len(candidate) and candidate[end] != " ":
                continue
            if _iban_valid(candidate[:end]):
                yield Mark(match.start(), match.start() + end, IBAN, candidate[:end])
                break


def _digit_count(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _phone_marks(text: str) -> Iterable[Mark]:
    for match in _INTERNATIONAL_RE.finditer(text):
        if 9 <= _digit_count(match.group(0)) <= 17:
            yield Mark(match.start(), match.end(), PHONE, match.group(0))
    for match in _NATIONAL_RE.finditer(text):
        if 7 <= _digit_count(match.group(0)) <= 15:
            yield Mark(match.start(), match.end(), PHONE, match.group(0))
    for match in _LABELLED_RE.finditer(text):
        if _digit_count(match.group(1)) >= 5:
            yield Mark(match.start(1), match.end(1), PHONE, match.group(1))


def _address_marks(text: str) -> Iterable[Mark]:
    for match in _STREET_RE.finditer(text):
        yield Mark(match.start(), match.end(), ADDRESS, match.group(0))
    for match in _POSTCODE_RE.finditer(text):
        if match.group(1).split()[0].lower() in _NOT_A_TOWN:
            continue
        yield Mark(match.start(), match.end(), ADDRESS, match.group(0))


def name_variants(full_name: str) -> list[str]:
    """The forms of a person's name that are searched: the whole name and each part alone."""
    words = [w for w in re.split(r"\s+", full_name.strip()) if w]
    words = [w for w in words if w.strip(".").lower() not in _HONORIFIC_WORDS]
    if not words:
        return []
    variants = {" ".join(words)}
    for word in words:
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            bare = part.strip(".,;:")
            if len(bare) >= 2 and bare.lower() not in _PARTICLES and any(ch.isalpha() for ch in bare):
                variants.add(bare)
    return sorted(variants, key=lambda v: (-len(v), v))


def _phrase_pattern(phrases: Iterable[str], *, genitive: bool) -> re.Pattern[str] | None:
    forms: set[str] = set()
    for phrase in phrases:
        words = phrase.split()
        if words:
            forms.add(r"\s+".join(re.escape(w) for w in words))
    if not forms:
        return None
    alternation = "|".join(sorted(forms, key=lambda f: (-len(f), f)))
    suffix = r"(?:s|['’]s?)?" if genitive else ""
    return re.compile(rf"(?<!\w)(?:{alternation}){suffix}(?!\w)", re.IGNORECASE)


_TOKEN_RE = re.compile(r"\w+")


class _PhraseIndex:
    """Many phrases, found fast: per text only the phrases whose words all occur in it go into a
    (small) regular expression with the same semantics as ``_phrase_pattern``."""

    def __init__(self, phrases: Iterable[str], *, genitive: bool) -> None:
        self._genitive = genitive
        self._by_token: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for phrase in {" ".join(p.split()) for p in phrases if p.strip()}:
            tokens = frozenset(_TOKEN_RE.findall(phrase.lower()))
            if not tokens:
                continue
            first = min(tokens)
            self._by_token.setdefault(first, []).append((phrase, tokens))

    def pattern_for(self, text: str) -> re.Pattern[str] | None:
        present = set(_TOKEN_RE.findall(text.lower()))
        if self._genitive:
            present |= {token[:-1] for token in present if token.endswith("s")}
        candidates = [
            phrase
            for token in present
            for phrase, tokens in self._by_token.get(token, ())
            if tokens <= present
        ]
        return _phrase_pattern(candidates, genitive=self._genitive)


def _name_index(person_names: Iterable[str]) -> _PhraseIndex:
    variants: set[str] = set()
    for name in person_names:
        variants.update(name_variants(name))
    return _PhraseIndex(variants, genitive=True)


def _name_marks(text: str, index: _PhraseIndex) -> Iterable[Mark]:
    pattern = index.pattern_for(text)
    if pattern is not None:
        for match in pattern.finditer(text):
            yield Mark(match.start(), match.end(), NAME, match.group(0))
    for match in _HONORIFIC_RE.finditer(text):
        yield Mark(match.start(), match.end(), NAME, match.group(0))


def _email_marks(text: str) -> Iterable[Mark]:
    for match in _EMAIL_RE.finditer(text):
        yield Mark(match.start(), match.end(), EMAIL, match.group(0))


# ------------------------------------------------------------------------------------------------
# Combining


#: When marks overlap, the merged mark takes the kind that ranks first here.
_KIND_RANK = {kind: rank for rank, kind in enumerate((EMAIL, IBAN, PHONE, ADDRESS, NAME, MANUAL))}


def merge(text: str, marks: Iterable[Mark]) -> list[Mark]:
    """Sorted marks with overlapping ones joined into one (the kind: see ``_KIND_RANK``).

    Marks that merely touch stay separate. Empty marks are dropped.
    """
    result: list[Mark] = []
    for mark in sorted(m for m in marks if m.end > m.start):
        if result and mark.start < result[-1].end:
            last = result[-1]
            end = max(last.end, mark.end)
            kind = min(last.kind, mark.kind, key=lambda k: _KIND_RANK.get(k, len(_KIND_RANK)))
            result[-1] = Mark(last.start, end, kind, text[last.start : end])
        else:
            result.append(mark)
    return result


def _allowed_spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _is_allowed(mark: Mark, text: str, spans: Sequence[tuple[int, int]]) -> bool:
    if not spans:
        return False
    inside = [False] * (mark.end - mark.start)
    for start, end in spans:
        for i in range(max(start, mark.start), min(end, mark.end)):
            inside[i - mark.start] = True
    if all(inside):
        return True
    if not any(inside):
        return False
    rest = "".join(ch if not covered else " " for ch, covered in zip(mark.text, inside, strict=True))
    words = re.findall(r"\w+", rest)
    return all(word.lower() in _HONORIFIC_WORDS for word in words)


class Detector:
    """``detect`` with the names and the allow list compiled once, for many texts."""

    def __init__(self, *, person_names: Iterable[str] = (), allowed: Iterable[str] = ()) -> None:
        self._names = _name_index(person_names)
        self._allowed = _phrase_pattern([a for a in allowed if a.strip()], genitive=True)

    def __call__(self, text: str) -> list[Mark]:
        found: list[Mark] = [
            *_email_marks(text),
            *_iban_marks(text),
            *_phone_marks(text),
            *_address_marks(text),
            *_name_marks(text, self._names),
        ]
        spans = _allowed_spans(text, self._allowed)
        return merge(text, (mark for mark in found if not _is_allowed(mark, text, spans)))


def detect(text: str, *, person_names: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[Mark]:
    """The spans of ``text`` that look like personal data, sorted and never overlapping."""
    return Detector(person_names=person_names, allowed=allowed)(text)


def phrase_marks(text: str, phrase: str) -> list[Mark]:
    """Every whole-word, case-insensitive occurrence of ``phrase`` in ``text`` (kind ``manual``)."""
    pattern = _phrase_pattern([phrase], genitive=False)
    if pattern is None:
        return []
    return [Mark(m.start(), m.end(), MANUAL, m.group(0)) for m in pattern.finditer(text)]


def check_marks(text: str, marks: Sequence[Mark]) -> None:
    """Refuse marks that do not fit ``text``: out of range, empty, overlapping, unsorted, stale."""
    previous_end = 0
    for mark in marks:
        if not 0 <= mark.start < mark.end <= len(text):
            raise ValueError(f"mark out of range: {mark!r}")
        if mark.start < previous_end:
            raise ValueError(f"marks overlap or are not sorted: {mark!r}")
        if text[mark.start : mark.end] != mark.text:
            raise ValueError(f"mark does not match the text: {mark!r}")
        previous_end = mark.end


def apply(text: str, marks: Sequence[Mark]) -> str:
    """``text`` with every marked span replaced by :data:`PLACEHOLDER`."""
    check_marks(text, marks)
    pieces: list[str] = []
    position = 0
    for mark in marks:
        pieces.append(text[position : mark.start])
        pieces.append(PLACEHOLDER)
        position = mark.end
    pieces.append(text[position:])
    return "".join(pieces)


def redact(text: str, *, person_names: Iterable[str] = (), allowed: Iterable[str] = ()) -> str:
    """``apply(text, detect(text, ...))``."""
    names = list(person_names)
    return apply(text, detect(text, person_names=names, allowed=allowed))


def segments(text: str, marks: Sequence[Mark]) -> list[tuple[str, Mark | None]]:
    """``text`` cut at the marks: plain pieces with ``None``, marked pieces with their mark."""
    check_marks(text, marks)
    pieces: list[tuple[str, Mark | None]] = []
    position = 0
    for mark in marks:
        if mark.start > position:
            pieces.append((text[position : mark.start], None))
        pieces.append((mark.text, mark))
        position = mark.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
