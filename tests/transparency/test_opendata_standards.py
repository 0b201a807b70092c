"""The export against the standards shipped with the project, offline: the 360Giving Data
Standard 1.4.3 (JSON Schema, the package schema with the grant schema resolved locally) and the
DCAT-AP.de 3.0 SHACL shapes (pyshacl, no owl:imports fetched).

What is shipped of DCAT-AP.de: the German additions, the controlled-vocabulary shapes, the
deprecations and the German messages for the SEMIC DCAT-AP 3.0 base shapes. The base shapes
themselves and the imported EU vocabularies are not shipped, so the mandatory DCAT-AP properties
are checked here directly (a SPARQL query per class)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pyshacl
import pytest
import rdflib
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from oglabs.transparency.opendata import write_export
from tests.factories.opendata import decided_call

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[2] / "oglabs" / "transparency" / "schemas"
GIVING = SCHEMAS / "360giving-1.4.3"
DCAT = SCHEMAS / "dcat-ap-de-3.0"


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or not _RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


def format_checker() -> FormatChecker:
    """jsonschema checks "date-time" and "uri" only with optional packages that are not installed
    (rfc3339-validator, rfc3987). The 360Giving schema needs "date-time" asserted (its date fields
    are ``oneOf`` a date-time and a date pattern), so both are checked here: RFC 3339 date-times
    and absolute URIs."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("uri")(_uri)
    return checker


def giving_validator() -> Draft202012Validator:
    grant = json.loads((GIVING / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((GIVING / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # The package schema refers to the grant schema by its 1.4.2 URL (see shared PROVENANCE.md):
    # the shipped 1.4.3 grant schema is registered under both URLs, so nothing is fetched.
    reference = package["properties"]["grants"]["items"]["$ref"]
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(reference, resource), (grant["$id"], resource)])
    return Draft202012Validator(package, registry=registry, format_checker=format_checker())


def test_360giving_file_validates_against_the_shipped_1_4_3_schema(tmp_path):
    built = decided_call()
    export = write_export(built.call, tmp_path)
    document = json.loads((tmp_path / "grants-360giving.json").read_text(encoding="utf-8"))
    assert [error.message for error in giving_validator().iter_errors(document)] == []
    assert export.grants == len(document["grants"]) == 3
    grant = document["grants"][0]
    assert grant["id"].startswith(f"360G-oglabs-{built.call.slug}-OGL-")
    assert grant["currency"] == "EUR"
    assert grant["plannedDates"] == [{"startDate": "2020-01-01", "endDate": "2022-12-31", "duration": 36}]
    assert grant["fundingOrganization"] == [
        {
            "id": f"360G-oglabs-funder-{built.call.slug}",
            "name": "Bundesministerium des Innern, für Bau und Heimat",
        }
    ]
    recipient = grant["recipientOrganization"][0]
    location = grant["beneficiaryLocation"][0]
    assert recipient["id"] == f"360G-oglabs-ARS-{location['geoCode']}"
    assert (location["countryCode"], len(location["geoCode"])) == ("DE", 12)
    assert document["license"] == "https://www.govdata.de/dl-de/by-2-0"


def test_360giving_validator_rejects_a_grant_without_amount(tmp_path):
    """The validation is real: a grant without ``amountAwarded`` fails it."""
    built = decided_call()
    write_export(built.call, tmp_path)
    document = json.loads((tmp_path / "grants-360giving.json").read_text(encoding="utf-8"))
    del document["grants"][0]["amountAwarded"]
    document["grants"][1]["awardDate"] = "12.12.2019"
    messages = sorted(error.message for error in giving_validator().iter_errors(document))
    assert len(messages) == 2
    assert "'12.12.2019' is not valid under any of the given schemas" in messages


def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(DCAT.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_dcat_catalogue_conforms_to_the_shipped_dcat_ap_de_shapes(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    data = rdflib.Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    conforms, _graph, text = pyshacl.validate(
        data, shacl_graph=shapes(), do_owl_imports=False, inference="none", allow_warnings=False
    )
    assert conforms, text


def test_dcat_shapes_catch_a_distribution_without_licence(tmp_path):
    """The validation is real: without ``dct:license`` a distribution breaks the DE shape."""
    built = decided_call()
    write_export(built.call, tmp_path)
    data = rdflib.Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    distribution = next(
        data.subjects(rdflib.RDF.type, rdflib.Namespace("http://www.w3.org/ns/dcat#").Distribution)
    )
    data.remove((distribution, dct.license, None))
    conforms, _graph, text = pyshacl.validate(
        data, shacl_graph=shapes(), do_owl_imports=False, inference="none"
    )
    assert not conforms
    assert "MUSS eine dcterms:license haben" in text


MANDATORY = {
    # DCAT-AP 3.0 mandatory properties (the SEMIC base shapes are not shipped).
    "dcat:Catalog": ("dct:title", "dct:description", "dct:publisher", "dcat:dataset"),
    "dcat:Dataset": ("dct:title", "dct:description"),
    "dcat:Distribution": ("dcat:accessURL",),
}


def test_dcat_catalogue_has_the_mandatory_dcat_ap_properties_and_a_checksum_per_file(tmp_path):
    built = decided_call()
    export = write_export(built.call, tmp_path)
    data = rdflib.Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    prefixes = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
    for klass, properties in MANDATORY.items():
        for prop in properties:
            missing = data.query(
                prefixes + f"SELECT ?s WHERE {{ ?s a {klass} . FILTER NOT EXISTS {{ ?s {prop} ?o }} }}"
            )
            assert list(missing) == [], (klass, prop)
    rows = data.query(
        prefixes + "PREFIX spdx: <http://spdx.org/rdf/terms#> "
        "SELECT ?title ?size ?sum WHERE { ?d a dcat:Distribution ; dct:title ?title ; dcat:byteSize ?size ; "
        "spdx:checksum [ spdx:checksumValue ?sum ] }"
    )
    described = {str(title): (str(checksum), int(size)) for title, size, checksum in rows}
    assert described == {
        name: export.files[name]
        for name in (
            "proposals.csv",
            "proposals.json",
            "scores.csv",
            "scores.json",
            "decision.json",
            "committed.json",
            "verify_decision.py",
            "README.txt",
            "grants-360giving.json",
        )
    }
