"""public_calls and get_public_call: published only, deterministic order, no N+1 queries."""

from __future__ import annotations

import pytest

from oglabs.calls.models import Call
from oglabs.calls.queries import get_public_call, public_calls
from tests.factories.calls import NOW, make_call

NO_LATER_PHASES = {
    "workshop_starts_at": None,
    "workshop_ends_at": None,
    "selection_starts_at": None,
    "selection_ends_at": None,
}


def make_simple_call(slug: str, opens: str, deadline: str, *, published: bool = True) -> Call:
    return make_call(
        slug=slug, opens_at=opens, deadline_at=deadline, is_published=published, **NO_LATER_PHASES
    )


@pytest.mark.django_db
def test_public_calls_lists_open_by_deadline_then_others_by_deadline_descending():
    make_simple_call("offen-spaet", "01.09.2019", "30.11.2019")
    make_simple_call("alt", "01.01.2019", "31.03.2019")
    make_simple_call("offen-frueh", "01.09.2019", "31.10.2019")
    make_simple_call("kommend", "01.11.2019", "31.12.2019")
    make_simple_call("juenger", "01.04.2019", "30.06.2019")
    make_simple_call("entwurf", "01.09.2019", "31.10.2019", published=False)
    assert [call.slug for call in public_calls(now=NOW)] == [
        "offen-frueh",
        "offen-spaet",
        "kommend",
        "juenger",
        "alt",
    ]


@pytest.mark.django_db
def test_public_calls_with_equal_deadlines_orders_by_slug():
    make_simple_call("b-aufruf", "01.09.2019", "31.10.2019")
    make_simple_call("a-aufruf", "01.09.2019", "31.10.2019")
    make_simple_call("d-alt", "01.01.2019", "31.03.2019")
    make_simple_call("c-alt", "01.01.2019", "31.03.2019")
    assert [call.slug for call in public_calls(now=NOW)] == ["a-aufruf", "b-aufruf", "c-alt", "d-alt"]


@pytest.mark.django_db
def test_public_calls_loads_details_in_constant_queries(django_assert_num_queries):
    for index in range(3):
        make_simple_call(f"aufruf-{index}", "01.09.2019", "31.10.2019")
    with django_assert_num_queries(3):  # calls with rules, phases, challenges
        calls = public_calls(now=NOW)
        for call in calls:
            assert len(call.phase_spans()) == 2
            assert len(call.challenges.all()) == 12
            assert call.eligibility.min_municipalities == 1


@pytest.mark.django_db
def test_get_public_call_returns_published_call_with_details(django_assert_num_queries):
    make_call(slug="aufruf-2019")
    with django_assert_num_queries(3):
        call = get_public_call("aufruf-2019")
        assert [c.key for c in call.challenges.all()][:2] == ["strukturwandel", "daseinsvorsorge"]
        assert [p.kind for p in call.phases.all()] == ["open", "deadline", "workshop", "selection"]


@pytest.mark.django_db
def test_get_public_call_hides_unpublished_call():
    make_call(slug="entwurf", is_published=False)
    with pytest.raises(Call.DoesNotExist):
        get_public_call("entwurf")
