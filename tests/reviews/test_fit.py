"""The topical fit: folded words, 6-letter stems, keywords matched in full, 0–1000."""

from __future__ import annotations

from oglabs.reviews.fit import keywords, stems, topical_fit


def test_stems_fold_umlauts_drop_short_and_stop_words():
    assert stems("Ländlicher Raum und die Digitalisierung, ÖPNV-Angebote!") == frozenset(
        {"laendl", "raum", "digita", "oepnv", "angebo"}
    )


def test_keywords_split_at_commas_semicolons_slashes_and_lines():
    assert keywords("Digitalisierung, ländlicher Raum; Beteiligung/Mobilität\nDigitalisierung") == [
        frozenset({"digita"}),
        frozenset({"laendl", "raum"}),
        frozenset({"beteil"}),
        frozenset({"mobili"}),
    ]


def test_topical_fit_counts_keywords_whose_every_stem_occurs():
    texts = ["Digitale Dörfer", "Wir stärken die ländlichen Räume mit Bürgerbeteiligung."]
    # "Digitalisierung" ↔ "Digitale" (digita); "ländlicher Raum" needs laendl and raum: "Räume" gives
    # "raeume" → stem "raeume", not "raum", so it does not match; "Beteiligung" is inside
    # "Bürgerbeteiligung" only as part of one word → no match. 1 of 3.
    assert topical_fit("Digitalisierung, ländlicher Raum, Beteiligung", texts) == 333


def test_topical_fit_is_full_when_every_keyword_matches_and_zero_without_keywords():
    texts = ["Beteiligung im ländlichen Raum"]
    assert topical_fit("ländlicher Raum; Beteiligung", texts) == 1000
    assert topical_fit("", texts) == 0
    assert topical_fit(" , ; ", texts) == 0
    assert topical_fit("Mobilität", texts) == 0
