"""``catalog.ttl``: a DCAT-AP.de 3.0 catalogue of the export, written as Turtle by hand (no RDF
library at run time; the tests parse and validate it with rdflib and pyshacl).

One ``dcat:Catalog`` with four ``dcat:Dataset``s (the proposals with their result, the
pseudonymous scores, the decision record with the recomputation script, the 360Giving grants);
each file is a ``dcat:Distribution`` with its download URL, format (EU file-type vocabulary),
IANA media type, size in bytes, SHA-256 checksum (``spdx:Checksum``) and licence
(dl-de/by-2-0 with the attribution text). Publisher and contact point are the institution (the
call's sponsor and its public mailbox), never a person.

The DCAT-AP.de vocabulary shapes check ``skos:inScheme`` of every controlled value; the EU
vocabularies themselves are not shipped (they are ``owl:imports`` of the shapes), so the
catalogue states the scheme of each concept it uses — true statements taken from those
vocabularies — and the ``rdf:type`` of the checksum algorithm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from oglabs.transparency.opendata.collect import Context
from oglabs.transparency.opendata.documents import LICENCE_DCAT, attribution

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
#: The file types used, in the EU file-type vocabulary.
FILE_TYPES = {"csv": "CSV", "json": "JSON", "ttl": "RDF_TURTLE", "py": "TXT", "txt": "TXT"}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "ttl": "text/turtle",
    "py": "text/plain",  # no registered media type for Python source
    "txt": "text/plain",
}

PREFIXES = """@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcatap: <http://data.europa.eu/r5r/> .
@prefix dcatde: <http://dcat-ap.de/def/dcatde/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    title: str
    description: str
    files: tuple[str, ...]
    keywords: tuple[str, ...]


DATASETS = (
    DatasetSpec(
        "interessenbekundungen",
        "Interessenbekundungen und Ergebnis",
        "Jede Interessenbekundung der Förderentscheidung: federführende und weitere Kommunen (mit "
        "Regionalschlüssel), Partnerorganisationen (Name und Art), Herausforderungen, beantragter "
        "Betrag, Eigen- und Landesanteil, Punktzahl, Rang, Ergebnis, bewilligter Betrag, Platz auf der "
        "Nachrückliste, Erläuterung und veröffentlichte Begründung. Keine personenbezogenen Daten.",
        ("proposals.csv", "proposals.json"),
        ("Förderentscheidung", "Open Government", "Kommunen"),
    ),
    DatasetSpec(
        "bewertungen",
        "Bewertungen der Jury (pseudonymisiert)",
        "Je Gutachten die Punkte je Kriterium und die gewichtete Summe, die Jurymitglieder als "
        "Pseudonyme J1 bis Jn; je Interessenbekundung der Mittelwert je Kriterium und die "
        "zusammengefasste Punktzahl. Genug, um die Zusammenfassung nachzurechnen.",
        ("scores.csv", "scores.json"),
        ("Bewertung", "Jury", "Nachvollziehbarkeit"),
    ),
    DatasetSpec(
        "entscheidung",
        "Förderentscheidung: Regeln, Eingaben, Ergebnis und Prüfskript",
        "Kriterien und Gewichte, Zusammenfassung, Auswahlregeln, die Eingaben des Optimierers, das "
        "Ergebnis mit Erläuterungen, Code- und Solver-Version, die Jury nach Organisation, "
        "Fristsiegel und je Interessenbekundung die zur Frist versiegelte Fassung (veröffentlichte "
        "Felder im Klartext, freie Texte und personenbezogene Teile nur als Hash); dazu ein "
        "Python-Skript (nur numpy und scipy), das Zusammenfassung, Auswahl und Fristsiegel aus den "
        "veröffentlichten Dateien nachrechnet, und eine Anleitung.",
        ("decision.json", "committed.json", "verify_decision.py", "README.txt"),
        ("Förderentscheidung", "Optimierung", "Nachrechnen"),
    ),
    DatasetSpec(
        "foerderungen-360giving",
        "Förderungen im 360Giving-Format",
        "Die bewilligten Förderungen im 360Giving Data Standard 1.4.3 (JSON-Datenpaket).",
        ("grants-360giving.json",),
        ("Förderung", "360Giving"),
    ),
)


def literal(text: str, language: str | None = None) -> str:
    """A Turtle string literal (long form not needed: newlines and quotes are escaped)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"' + (f"@{language}" if language else "")


def iri(value: str) -> str:
    if any(ch in value for ch in '<>"{}|^`\\ '):
        raise ValueError(f"not a usable IRI: {value!r}")
    return f"<{value}>"


def _datetime(value: datetime) -> str:
    return f'"{value.isoformat()}"^^xsd:dateTime'


def _date(value: object) -> str:
    return f'"{value}"^^xsd:date'


def write_catalog(
    ctx: Context,
    *,
    base_url: str,
    site_url: str,
    files: Mapping[str, tuple[str, int]],
) -> str:
    """The catalogue as Turtle. ``files``: name → (SHA-256, size in bytes) of every described file;
    ``base_url`` is where the files are downloaded (ends with ``/``)."""
    call = ctx.call
    issued = ctx.issued_at
    agent = f"{base_url}#herausgeber"
    contact = f"{base_url}#kontakt"
    lines = [PREFIXES]

    def block(subject: str, *statements: str) -> None:
        lines.append(subject + "\n    " + " ;\n    ".join(statements) + " .\n")

    catalog = f"{base_url}#katalog"
    block(
        iri(catalog),
        "a dcat:Catalog",
        f"dct:title {literal(f'Offene Daten: {call.title}', 'de')}",
        f"dct:description {literal(f'Die veröffentlichte Förderentscheidung im Aufruf „{call.title}“ als offene Daten, mit einem Skript zum Nachrechnen.', 'de')}",
        f"dct:publisher {iri(agent)}",
        f"dct:language {iri(EU + 'language/DEU')}",
        f"dct:license {iri(LICENCE_DCAT)}",
        f"foaf:homepage {iri(site_url)}",
        f"dct:issued {_datetime(issued)}",
        f"dct:modified {_datetime(issued)}",
        "dcat:dataset " + ", ".join(iri(f"{base_url}#{spec.key}") for spec in DATASETS),
    )
    block(
        iri(agent),
        "a foaf:Agent, foaf:Organization",
        f"foaf:name {literal(call.sponsor, 'de')}",
        f"dct:type {iri('http://purl.org/adms/publishertype/NationalAuthority')}",
    )
    block(
        iri(contact),
        "a vcard:Organization, vcard:Kind",
        f"vcard:fn {literal(call.sponsor, 'de')}",
        f"vcard:hasEmail {iri('mailto:' + call.contact_email)}",
    )
    for spec in DATASETS:
        described = [name for name in spec.files if name in files]
        block(
            iri(f"{base_url}#{spec.key}"),
            "a dcat:Dataset",
            f"dct:title {literal(spec.title, 'de')}",
            f"dct:description {literal(spec.description, 'de')}",
            f"dct:identifier {literal(f'{call.slug}/{spec.key}')}",
            f"dct:publisher {iri(agent)}",
            f"dcat:contactPoint {iri(contact)}",
            f"dct:language {iri(EU + 'language/DEU')}",
            f"dcat:theme {iri(EU + 'data-theme/GOVE')}",
            f"dct:accessRights {iri(EU + 'access-right/PUBLIC')}",
            f"dcatde:politicalGeocodingLevelURI {iri('http://dcat-ap.de/def/politicalGeocoding/Level/federal')}",
            "dcat:keyword " + ", ".join(literal(word, "de") for word in spec.keywords),
            f"dct:temporal [ a dct:PeriodOfTime ; dcat:startDate {_date(call.funding_starts_on)} ; "
            f"dcat:endDate {_date(call.funding_ends_on)} ]",
            f"dct:issued {_datetime(issued)}",
            f"dct:modified {_datetime(issued)}",
            "dcat:distribution " + ", ".join(iri(base_url + name) for name in described),
        )
        for name in described:
            sha256, size = files[name]
            extension = name.rsplit(".", 1)[-1]
            block(
                iri(base_url + name),
                "a dcat:Distribution",
                f"dct:title {literal(name)}",
                f"dcat:accessURL {iri(base_url + name)}",
                f"dcat:downloadURL {iri(base_url + name)}",
                f"dct:format {iri(EU + 'file-type/' + FILE_TYPES[extension])}",
                f"dcat:mediaType {iri(IANA + MEDIA_TYPES[extension])}",
                f'dcat:byteSize "{size}"^^xsd:nonNegativeInteger',
                f'spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "{sha256}"^^xsd:hexBinary ]',
                f"dct:license {iri(LICENCE_DCAT)}",
                f"dcatde:licenseAttributionByText {literal(attribution(ctx), 'de')}",
                f"dct:issued {_datetime(issued)}",
                f"dct:modified {_datetime(issued)}",
            )
    lines.append(_vocabulary(sorted({FILE_TYPES[n.rsplit(".", 1)[-1]] for n in files})))
    return "\n".join(lines)


def _vocabulary(file_types: Sequence[str]) -> str:
    """The schemes of the controlled values used (as the EU and DCAT-AP.de vocabularies say)."""
    concepts = [
        (EU + "language/DEU", EU + "language"),
        (EU + "data-theme/GOVE", EU + "data-theme"),
        (EU + "access-right/PUBLIC", EU + "access-right"),
        *((EU + "file-type/" + t, EU + "file-type") for t in file_types),
        (LICENCE_DCAT, "http://dcat-ap.de/def/licenses"),
        (
            "http://dcat-ap.de/def/politicalGeocoding/Level/federal",
            "http://dcat-ap.de/def/politicalGeocoding/Level",
        ),
        ("http://purl.org/adms/publishertype/NationalAuthority", "http://purl.org/adms/publishertype/1.0"),
    ]
    lines = ["# Schemes of the controlled vocabulary values used above (DCAT-AP.de 3.0, Kapitel Vokabulare)."]
    lines += [
        f"{iri(concept)} a skos:Concept ; skos:inScheme {iri(scheme)} ." for concept, scheme in concepts
    ]
    lines.append(f"{iri(LICENCE_DCAT)} a dct:LicenseDocument .")
    lines.append("spdx:checksumAlgorithm_sha256 a spdx:ChecksumAlgorithm .")
    return "\n".join(lines) + "\n"
