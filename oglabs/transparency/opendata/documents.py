"""``decision.json`` (everything the decision depends on) and ``grants-360giving.json``.

**360Giving identifiers.** The 360Giving Data Standard asks for grant identifiers made of a
registered ``360G-`` prefix and an internal identifier, and for organisation identifiers from an
org-id.guide list. A German ministry has no usable org-id list entry (``DE-COA`` holds no codes
for Germany) and German municipalities have none either; the standard then allows the
publisher's own 360G prefix with an internal identifier. Until a prefix is registered with
360Giving, :data:`GRANT_PREFIX` is the placeholder ``360G-oglabs`` (setting
``OGLABS_360GIVING_PREFIX`` replaces it): grants are ``<prefix>-<call>-<reference>``, the
recipients ``<prefix>-ARS-<Regionalschlüssel>`` (the official key, also given as the
beneficiary location's ``geoCode``) and the ministry ``<prefix>-funder-<call>``.

**Licence**: Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0), the licence
the federal administration uses on GovData; it is Open Definition conformant (as 360Giving asks)
and keeps the source named when the decision is re-published. See docs/open-data.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from oglabs.transparency.opendata.collect import (
    Context,
    ProposalRecord,
    commitments,
    jury,
    move_ups,
    proposal_records,
)
from oglabs.transparency.opendata.tables import JsonStream, dumps
from oglabs.transparency.standalone.verify_decision import FORMAT, PLACES

LICENCE_NAME = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
#: The licence in the DCAT-AP.de licence vocabulary.
LICENCE_DCAT = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
GIVING_VERSION = "1.4"  # the package's "version" (major.minor) of the 360Giving schema 1.4.3


def grant_prefix() -> str:
    return str(getattr(settings, "OGLABS_360GIVING_PREFIX", "360G-oglabs"))


def attribution(ctx: Context) -> str:
    return f"{ctx.call.sponsor}: {ctx.call.title} – Förderentscheidung ({ctx.issued_at.year})"


def _call(ctx: Context) -> dict[str, Any]:
    call = ctx.call
    return {
        "slug": call.slug,
        "title": call.title,
        "sponsor": call.sponsor,
        "programme": call.programme,
        "budget": str(call.budget),
        "currency": call.currency,
        "max_labs": call.max_labs,
        "funding_starts_on": call.funding_starts_on.isoformat(),
        "funding_ends_on": call.funding_ends_on.isoformat(),
    }


def write_decision(ctx: Context, directory: Path) -> None:
    """``decision.json``: the rules, criteria and aggregation, the candidates exactly as fed to
    the optimiser (the run's stored inputs), the stored result with its explanations, the code and
    solver versions, the jury by organisation, move-ups and the deadline commitments.

    The large parts (candidates, proposals, explanations) are written one item per line."""
    decision = ctx.decision
    run = decision.run
    record = run.aggregation or {}
    inputs = run.inputs
    result = dict(run.result)
    explanations = result.pop("explanations", {})
    head = {
        "format": FORMAT,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL, "attribution": attribution(ctx)},
        "call": _call(ctx),
        "decision": {
            "decided_at": decision.decided_at.isoformat(),
            "published_at": None if decision.published_at is None else decision.published_at.isoformat(),
            "published": ctx.published,
            "reasons_included": ctx.published,
            "run": run.number,
            "run_status": run.status,
            "run_created_at": run.created_at.isoformat(),
            "code_version": run.code_version,
            "solver_version": run.solver_version,
        },
        "criteria": ctx.criteria,
        "aggregation": {
            "method": ctx.method,
            "normalised": ctx.normalised,
            "places": PLACES,
            "reviews_per_proposal": record.get("reviews_per_proposal"),
            "max_score": record.get("max_score"),
        },
        "rules": run.parameters,
        "tie_break": inputs.get("tie_break", ""),
        "jury": jury(ctx.call),
        "move_ups": move_ups(decision),
        "deadline_commitments": commitments(ctx.call),
    }
    with open(directory / "decision.json", "w", encoding="utf-8", newline="\n") as handle:
        handle.write("{\n")
        for name, value in head.items():
            handle.write(f"{dumps(name)}:{dumps(value)},\n")
        handle.write('"inputs":{\n')
        _list(handle, "candidates", inputs.get("candidates", []))
        handle.write(",\n")
        _list(handle, "excluded", inputs.get("excluded", []))
        handle.write(",\n")
        _mapping(handle, "proposals", inputs.get("proposals", {}))
        handle.write("\n},\n")
        handle.write('"result":{\n')
        for name, value in result.items():
            handle.write(f"{dumps(name)}:{dumps(value)},\n")
        _mapping(handle, "explanations", explanations)
        handle.write("\n}}\n")


def _list(handle: Any, key: str, items: Iterable[Any]) -> None:
    handle.write(f"{dumps(key)}:[")
    for number, item in enumerate(items):
        handle.write(("," if number else "") + "\n" + dumps(item))
    handle.write("\n]")


def _mapping(handle: Any, key: str, items: dict[str, Any]) -> None:
    handle.write(f"{dumps(key)}:{{")
    for number, (name, value) in enumerate(items.items()):
        handle.write(("," if number else "") + "\n" + f"{dumps(name)}:{dumps(value)}")
    handle.write("\n}")


# --------------------------------------------------------------------------------------------------
# 360Giving


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _location_scope(kind: str) -> str:
    # GLS050 "Local authority: a second-level subnational administrative area" for a Landkreis,
    # GLS060 "Local area" for a Gemeinde or Stadt.
    return "GLS050" if kind == "landkreis" else "GLS060"


def grant(ctx: Context, record: ProposalRecord, *, awarded_on: date, data_source: str) -> dict[str, Any]:
    """One awarded grant in the 360Giving Data Standard 1.4.3 (the lead municipality receives it)."""
    call = ctx.call
    prefix = grant_prefix()
    location: dict[str, Any] = {
        "id": f"DE-ARS-{record.lead_municipality_ars}",
        "name": record.lead_municipality,
        "countryCode": "DE",
        "geoCode": record.lead_municipality_ars,
        "description": f"Amtlicher Regionalschlüssel (ARS) {record.lead_municipality_ars}, {record.land}",
    }
    if record.latitude is not None and record.longitude is not None:
        location["latitude"] = record.latitude
        location["longitude"] = record.longitude
    return {
        "id": f"{prefix}-{call.slug}-{record.reference}",
        "title": record.title,
        "description": (
            f"{call.title}: Förderung des Labors „{record.title}“ ({record.reference}), federführende "
            f"Kommune {record.lead_municipality} ({record.land})."
        ),
        "currency": call.currency,
        "amountAppliedFor": float(record.requested_amount),
        "amountAwarded": float(record.granted_amount),
        "awardDate": awarded_on.isoformat(),
        "plannedDates": [
            {
                "startDate": call.funding_starts_on.isoformat(),
                "endDate": call.funding_ends_on.isoformat(),
                "duration": _months(call.funding_starts_on, call.funding_ends_on),
            }
        ],
        "recipientOrganization": [
            {
                "id": f"{prefix}-ARS-{record.lead_municipality_ars}",
                "name": record.lead_municipality,
                "addressCountry": "DE",
                "organisationType": "Kommune",
            }
        ],
        "beneficiaryLocation": [location],
        "locationScope": _location_scope(record.lead_municipality_kind),
        "fundingOrganization": [{"id": f"{prefix}-funder-{call.slug}", "name": call.sponsor}],
        "grantProgramme": [{"code": call.slug, "title": call.title}],
        "fromOpenCall": "Yes",
        "dateModified": ctx.issued_at.isoformat(),
        "dataSource": data_source,
    }


def write_giving(ctx: Context, directory: Path, *, data_source: str, site_url: str) -> int:
    """``grants-360giving.json``: the awarded grants as a 360Giving 1.4.3 data package — the
    selected labs (less any that withdrew) and those that moved up. Returns the number of grants."""
    later = move_ups(ctx.decision)
    withdrawn = {item["withdrawn"] for item in later}
    moved = {item["moved_up"]: item for item in later if item["moved_up"]}
    call = ctx.call
    head = {
        "version": GIVING_VERSION,
        "title": f"{call.title}: Förderungen ({call.sponsor})",
        "description": (
            f"Die im Aufruf „{call.title}“ ausgewählten Labore mit ihren Förderbeträgen, aus der "
            "veröffentlichten Förderentscheidung."
        ),
        "issued": ctx.issued_at.date().isoformat(),
        "modified": ctx.issued_at.isoformat(),
        "identifier": f"{grant_prefix()}-{call.slug}-grants",
        "publisher": {
            "name": call.sponsor,
            "identifier": f"{grant_prefix()}-funder-{call.slug}",
            "website": site_url,
        },
        "license": LICENCE_URL,
        "downloadURL": data_source,
    }
    count = 0
    awarded_on = ctx.decision.decided_at.date()
    with open(directory / "grants-360giving.json", "w", encoding="utf-8", newline="\n") as handle:
        stream = JsonStream(handle, head, "grants")
        for record in proposal_records(ctx, outcomes=["selected"]):
            if record.reference in withdrawn:
                continue
            stream.add(grant(ctx, record, awarded_on=awarded_on, data_source=data_source))
            count += 1
        for record in proposal_records(ctx, references=sorted(moved)):
            item = moved[record.reference]
            later_record = _with_grant(record, item["granted_amount"])
            stream.add(
                grant(
                    ctx,
                    later_record,
                    awarded_on=date.fromisoformat(item["created_on"]),
                    data_source=data_source,
                )
            )
            count += 1
        stream.close()
    return count


def _with_grant(record: ProposalRecord, amount: str) -> ProposalRecord:
    from dataclasses import replace
    from decimal import Decimal

    return replace(record, granted_amount=Decimal(amount))
