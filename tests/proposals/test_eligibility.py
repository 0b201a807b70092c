from decimal import Decimal

from oglabs.proposals.eligibility import Facts, Rules, Task, check_eligibility, is_eligible

GOOD_TASK = Task("Offener Haushalt", "veröffentlichte Datensätze", "12", True, "Prüfung im Datenportal")


def good_facts(**changes):  # type: ignore[no-untyped-def]
    values = {
        "lead_kind": "landkreis",
        "municipality_kinds": ("landkreis", "gemeinde"),
        "partner_kinds": ("civil_society", "science"),
        "tasks": (GOOD_TASK,),
        "requested_total": Decimal("180000.00"),
        "budget_line_count": 3,
    }
    values.update(changes)
    return Facts(**values)


def test_eligibility_met_for_complete_proposal():
    findings = check_eligibility(Rules(), good_facts())
    assert [finding.code for finding in findings] == [
        "lead",
        "municipalities",
        "civil_society",
        "tasks",
        "cost_estimate",
        "texts",
    ]
    assert is_eligible(findings)


def test_eligibility_refuses_without_civil_society_partner():
    findings = check_eligibility(Rules(), good_facts(partner_kinds=("science", "business")))
    unmet = [finding for finding in findings if not finding.met]
    assert [(f.code, f.message) for f in unmet] == [
        (
            "civil_society",
            "Es sind 0 zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens 1.",
        )
    ]
    assert not is_eligible(findings)


def test_eligibility_refuses_lead_of_kind_not_allowed():
    rules = Rules(allowed_kinds=frozenset({"landkreis"}))
    findings = check_eligibility(rules, good_facts(lead_kind="gemeinde"))
    assert findings[0].met is False
    assert findings[0].message == (
        "Die federführende Kommune ist ein(e) Gemeinde; antragsberechtigt sind: Landkreis."
    )


def test_eligibility_names_each_unverifiable_task():
    vague = Task("Beteiligung stärken", "", "", True, "")
    late = Task("Abschlusskonferenz", "Teilnehmende", "100", False, "Teilnehmerliste")
    findings = check_eligibility(Rules(), good_facts(tasks=(GOOD_TASK, vague, late)))
    task_finding = next(f for f in findings if f.code == "tasks")
    assert task_finding.met is False
    assert task_finding.message.endswith(": Beteiligung stärken; Abschlusskonferenz.")


def test_eligibility_refuses_zero_cost_estimate():
    findings = check_eligibility(Rules(), good_facts(requested_total=Decimal("0.00")))
    cost = next(f for f in findings if f.code == "cost_estimate")
    assert cost.met is False


def test_eligibility_minimum_municipalities_counts_the_lead():
    findings = check_eligibility(Rules(min_municipalities=3), good_facts())
    municipalities = next(f for f in findings if f.code == "municipalities")
    assert municipalities.met is False
    assert municipalities.message == "Das Konsortium umfasst 2 Kommune(n); erforderlich sind mindestens 3."


def test_eligibility_skips_rules_the_call_does_not_require():
    findings = check_eligibility(
        Rules(requires_tasks=False, requires_cost_estimate=False), good_facts(tasks=())
    )
    assert [f.code for f in findings] == ["lead", "municipalities", "civil_society", "texts"]
    assert is_eligible(findings)
