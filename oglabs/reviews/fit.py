"""Topical fit between a juror's expertise and a proposal's text: a documented token overlap.

Pure: no Django. Deterministic: the same texts always give the same fit.

1. **Words** are folded (lower case; ä → ae, ö → oe, ü → ue, ß → ss; every other character that is
   not a letter or digit separates words); words shorter than :data:`MIN_WORD` letters and German
   stop words are dropped.
2. **Stems**: a word is cut to its first :data:`STEM` characters, a crude but predictable stemmer
   for German ("Digitalisierung" and "digitale" share ``digita``; "ländlicher" and "ländlichen"
   share ``laendl``).
3. The juror's **keywords** are the expertise split at commas, semicolons, slashes and line breaks
   ("Digitalisierung, ländlicher Raum" → two keywords). A keyword **matches** when every stem of it
   occurs in the proposal's text.
4. **Fit** = matched keywords / keywords, scaled to 0 … :data:`SCALE` and rounded down (integer).
   No keywords: fit 0 (the assignment then only balances the load).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Fit is an integer in 0 … SCALE (the pure assignment takes ``fit / SCALE``).
SCALE = 1000
#: Characters kept of a word (the stem).
STEM = 6
#: Shorter words are ignored.
MIN_WORD = 3

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
_KEYWORD_SEPARATORS = re.compile(r"[,;/\n\r]+")
STOP_WORDS = frozenset(
    {
        "und",
        "oder",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "mit",
        "von",
        "vom",
        "fuer",
        "auf",
        "aus",
        "bei",
        "zur",
        "zum",
        "im",
        "in",
        "am",
        "an",
        "als",
        "wie",
        "auch",
        "sich",
        "sowie",
        "nicht",
        "ist",
        "sind",
        "wird",
        "werden",
        "the",
        "and",
        "for",
    }
)


def stems(text: str) -> frozenset[str]:
    """The stems of every word of ``text`` (see the module docstring)."""
    folded = text.lower().translate(_FOLD)
    return frozenset(
        word[:STEM] for word in _WORD.findall(folded) if len(word) >= MIN_WORD and word not in STOP_WORDS
    )


def keywords(expertise: str) -> list[frozenset[str]]:
    """The juror's keywords, each as its set of stems (empty keywords dropped; order kept,
    duplicates removed)."""
    result: list[frozenset[str]] = []
    for part in _KEYWORD_SEPARATORS.split(expertise):
        found = stems(part)
        if found and found not in result:
            result.append(found)
    return result


def topical_fit(expertise: str, texts: Iterable[str]) -> int:
    """Matched keywords / keywords, in 0 … :data:`SCALE` (rounded down)."""
    wanted = keywords(expertise)
    if not wanted:
        return 0
    available = stems("\n".join(texts))
    matched = sum(1 for keyword in wanted if keyword <= available)
    return matched * SCALE // len(wanted)
