"""The readable diff between two versions (pure; no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oglabs.proposals.diff import (
    CATEGORY_ORDER,
    DELETE,
    EQUAL,
    INSERT,
    AmountChange,
    BudgetCell,
    FieldChange,
    ItemChange,
    Place,
    Segment,
    diff_contents,
    item_diff,
    word_diff,
)
from oglabs.proposals.models import CostCategory


def _content(**overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "title": "Offenes Havelland",
        "region": "Ländlicher Raum westlich von Berlin.",
        "moderation": "Eine neutrale Moderation.",
        "lab_form": "place",
        "challenges": ["digitalisierung", "strukturwandel"],
        "lead_municipality": {"ars": "120630080080", "name": "Falkensee", "kind": "stadt"},
        "further_municipalities": [{"ars": "120630000208", "name": "Nauen", "kind": "stadt"}],
        "partners": [
            {
                "kind": "civil_society",
                "name": "Bürgerverein e. V.",
                "role_in_lab": "Beteiligung",
                "cooperation_exists": False,
                "confirmation": "pending",
            },
            {
                "kind": "science",
                "name": "FH Potsdam",
                "role_in_lab": "Evaluation",
                "cooperation_exists": True,
                "confirmation": "confirmed",
            },
        ],
        "tasks": [
            {
                "title": "Aufgabe 1",
                "description": "",
                "indicator": "Personen",
                "target_value": "100",
                "due_on": "2021-06-30",
                "verification": "Listen",
            },
            {
                "title": "Aufgabe 2",
                "description": "",
                "indicator": "Termine",
                "target_value": "5",
                "due_on": "2021-06-30",
                "verification": "Protokolle",
            },
        ],
        "budget": [
            {"year": 2020, "category": "staff", "amount": "40000.00"},
            {"year": 2021, "category": "events", "amount": "12500.25"},
        ],
        "own_contribution": "10000.00",
        "state_contribution": "0.00",
    }
    content.update(overrides)
    return content


def test_word_diff_groups_a_rewritten_phrase():
    assert word_diff("a b c d", "a x y d") == (
        Segment(EQUAL, "a "),
        Segment(DELETE, "b c"),
        Segment(INSERT, "x y"),
        Segment(EQUAL, " d"),
    )


def test_word_diff_marks_insertion_and_replacement():
    assert word_diff(
        "Ländlicher Raum westlich von Berlin.", "Ländlicher Raum östlich von Berlin, mit Dörfern."
    ) == (
        Segment(EQUAL, "Ländlicher Raum "),
        Segment(DELETE, "westlich"),
        Segment(INSERT, "östlich"),
        Segment(EQUAL, " von Berlin"),
        Segment(INSERT, ", mit Dörfern"),
        Segment(EQUAL, "."),
    )


def test_word_diff_equal_and_empty_texts():
    assert word_diff("gleich", "gleich") == (Segment(EQUAL, "gleich"),)
    assert word_diff("", "") == ()
    assert word_diff("", "neu") == (Segment(INSERT, "neu"),)
    assert word_diff("alt", "") == (Segment(DELETE, "alt"),)


def test_item_diff_keeps_values_whole():
    assert item_diff(["Strukturwandel", "Digitalisierung"], ["Digitalisierung", "Daseinsvorsorge"]) == (
        Segment(DELETE, "Strukturwandel"),
        Segment(EQUAL, "\n"),
        Segment(EQUAL, "Digitalisierung"),
        Segment(EQUAL, "\n"),
        Segment(INSERT, "Daseinsvorsorge"),
    )


def test_diff_contents_without_changes_has_none():
    diff = diff_contents(_content(), _content())
    assert not diff.has_changes
    assert [text.changed for text in diff.texts] == [False] * 5
    assert diff.partners.unchanged == 2
    assert diff.tasks.unchanged == 2


def test_diff_contents_texts_with_labels():
    labels = {"place": "an einem Ort", "both": "Ort und Netzwerk", "digitalisierung": "Digitalisierung"}
    diff = diff_contents(
        _content(),
        _content(title="Offenes Havelland plus", lab_form="both", challenges=["digitalisierung"]),
        labels=labels,
    )
    by_field = {text.field: text for text in diff.texts}
    assert [text.field for text in diff.texts] == ["title", "region", "moderation", "lab_form", "challenges"]
    assert by_field["title"].segments == (Segment(EQUAL, "Offenes Havelland"), Segment(INSERT, " plus"))
    assert by_field["lab_form"].segments == (
        Segment(DELETE, "an einem Ort"),
        Segment(EQUAL, "\n"),
        Segment(INSERT, "Ort und Netzwerk"),
    )
    assert by_field["challenges"].segments == (
        Segment(EQUAL, "Digitalisierung"),
        Segment(EQUAL, "\n"),
        Segment(DELETE, "strukturwandel"),
    )
    assert not by_field["region"].changed


def test_diff_contents_municipalities_added_removed_and_lead():
    new = _content(
        lead_municipality={"ars": "120630000208", "name": "Nauen", "kind": "stadt"},
        further_municipalities=[{"ars": "120630001111", "name": "Ketzin", "kind": "stadt"}],
    )
    municipalities = diff_contents(_content(), new).municipalities
    assert municipalities.added == (Place("120630001111", "Ketzin", "stadt"),)
    assert municipalities.removed == (Place("120630080080", "Falkensee", "stadt"),)
    assert municipalities.old_lead == Place("120630080080", "Falkensee", "stadt")
    assert municipalities.new_lead == Place("120630000208", "Nauen", "stadt")
    assert municipalities.lead_changed


def test_diff_contents_partners_by_name_and_kind():
    old = _content()
    new_partners = [
        {**old["partners"][1], "role_in_lab": "Evaluation und Begleitung"},
        {
            "kind": "arts",
            "name": "Theater am Fluss",
            "role_in_lab": "",
            "cooperation_exists": False,
            "confirmation": "pending",
        },
        {**old["partners"][0], "kind": "other"},  # same name, other kind: a different partner
    ]
    partners = diff_contents(old, _content(partners=new_partners)).partners
    assert [p["name"] for p in partners.added] == ["Theater am Fluss", "Bürgerverein e. V."]
    assert [p["name"] for p in partners.removed] == ["Bürgerverein e. V."]
    assert partners.changed == (
        ItemChange(
            "FH Potsdam",
            "FH Potsdam",
            (
                FieldChange(
                    "role_in_lab",
                    "Evaluation",
                    "Evaluation und Begleitung",
                    (Segment(EQUAL, "Evaluation"), Segment(INSERT, " und Begleitung")),
                ),
            ),
        ),
    )
    assert partners.unchanged == 0


def test_diff_contents_partner_flag_change_has_no_segments():
    old = _content()
    new_partners = [{**old["partners"][0], "cooperation_exists": True}, old["partners"][1]]
    partners = diff_contents(old, _content(partners=new_partners)).partners
    assert partners.changed == (
        ItemChange(
            "Bürgerverein e. V.", "Bürgerverein e. V.", (FieldChange("cooperation_exists", False, True, ()),)
        ),
    )
    assert partners.unchanged == 1


def test_diff_contents_tasks_by_title_then_position():
    old = _content()
    first, second = old["tasks"]
    new_tasks = [
        {**second, "target_value": "6"},  # matched by title although it moved
        {**first, "title": "Aufgabe 1 (geschärft)"},  # position 2, but the old position 2 is taken
        {**first, "title": "Aufgabe 3"},
    ]
    tasks = diff_contents(old, _content(tasks=new_tasks)).tasks
    assert [c.new_label for c in tasks.changed] == ["Aufgabe 2"]
    assert tasks.changed[0].fields == (
        FieldChange("target_value", "5", "6", (Segment(DELETE, "5"), Segment(INSERT, "6"))),
    )
    assert [t["title"] for t in tasks.added] == ["Aufgabe 1 (geschärft)", "Aufgabe 3"]
    assert [t["title"] for t in tasks.removed] == ["Aufgabe 1"]


def test_diff_contents_retitled_task_in_place_is_a_change():
    old = _content()
    first, second = old["tasks"]
    tasks = diff_contents(old, _content(tasks=[{**first, "title": "Aufgabe eins"}, second])).tasks
    assert tasks.added == ()
    assert tasks.removed == ()
    assert tasks.unchanged == 1
    assert tasks.changed == (
        ItemChange(
            "Aufgabe 1",
            "Aufgabe eins",
            (
                FieldChange(
                    "title",
                    "Aufgabe 1",
                    "Aufgabe eins",
                    (Segment(EQUAL, "Aufgabe "), Segment(DELETE, "1"), Segment(INSERT, "eins")),
                ),
            ),
        ),
    )


def test_diff_contents_budget_cells_totals_and_contributions():
    new = _content(
        budget=[
            {"year": 2020, "category": "staff", "amount": "45000.00"},
            {"year": 2020, "category": "travel", "amount": "800.50"},
            {"year": 2021, "category": "events", "amount": "12500.25"},
        ],
        own_contribution="12000.00",
        state_contribution="",
    )
    budget = diff_contents(_content(), new).budget
    assert budget.cells == (
        BudgetCell(2020, "staff", AmountChange(Decimal("40000.00"), Decimal("45000.00"))),
        BudgetCell(2020, "travel", AmountChange(Decimal("0.00"), Decimal("800.50"))),
        BudgetCell(2021, "events", AmountChange(Decimal("12500.25"), Decimal("12500.25"))),
    )
    assert budget.cells[0].amount.delta == Decimal("5000.00")
    assert budget.cells[1].amount.delta == Decimal("800.50")
    assert budget.year_totals == (
        (2020, AmountChange(Decimal("40000.00"), Decimal("45800.50"))),
        (2021, AmountChange(Decimal("12500.25"), Decimal("12500.25"))),
    )
    assert budget.total == AmountChange(Decimal("52500.25"), Decimal("58300.75"))
    assert budget.total.delta == Decimal("5800.50")
    assert budget.own_contribution.delta == Decimal("2000.00")
    assert budget.state_contribution == AmountChange(Decimal("0.00"), Decimal("0.00"))
    assert budget.changed


def test_diff_contents_budget_line_removed_has_negative_delta():
    budget = diff_contents(
        _content(), _content(budget=[{"year": 2020, "category": "staff", "amount": "40000.00"}])
    ).budget
    assert budget.cells[1] == BudgetCell(2021, "events", AmountChange(Decimal("12500.25"), Decimal("0.00")))
    assert budget.cells[1].amount.delta == Decimal("-12500.25")
    assert budget.total.delta == Decimal("-12500.25")


def test_category_order_matches_the_model():
    assert tuple(CostCategory.values) == CATEGORY_ORDER
