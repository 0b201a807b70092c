"""36 synthetic consortia for the historical 2019 call, as records of the exchange format.

Pure data generation: no Django, no database. ``generate_consortia`` takes the local authorities
of the reference data as plain ``Place`` rows and returns records of the exchange format
``oglabs-proposals`` version 1 (see ``docs/import-format.md``); ``loading.load_consortia`` writes
them through ``oglabs.proposals.exchange.import_proposals``, which checks them with the form's
rules and the call's eligibility rules and freezes a version with its SHA-256 for each.

The consortia are invented; the places are real. Everything is drawn from one
``random.Random(SEED)``, so the demo is the same on every machine with the same reference data.
What is drawn:

* lead municipalities spread over the 13 Flächenländer: Landkreise, small rural Gemeinden
  (DEGURBA 3) and a few towns (DEGURBA 2), never two leads in one Kreis;
* 1–4 further municipalities: Gemeinden of the Kreis of a Landkreis, or the nearest Gemeinden
  (same or neighbouring Kreis) of a Gemeinde;
* 2–5 partners, mostly civil society, named after the region; 3–6 verifiable lab tasks due in
  2020–2022; a budget of 120.000–320.000 € over 2020–2022 by cost category; sometimes an own
  or a Land contribution; texts from templates with varied wording;
* submission instants spread over October 2019, a few in the last hours before the deadline.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SEED = 2019
COUNT = 36
#: Consortia whose first contact gets a demo account (``kommune01@…`` …); the others have none.
LINKED_ACCOUNTS = 6
REFERENCE_PREFIX = "OGL-2019-"
BERLIN = ZoneInfo("Europe/Berlin")
#: The last accepted instant of the 2019 call.
DEADLINE_AT = datetime(2019, 10, 31, 23, 59, 59, 999999, tzinfo=BERLIN)
FUNDING_YEARS = (2020, 2021, 2022)
#: Länder without Landkreise and rural Gemeinden (Hamburg, Bremen, Berlin) are left out.
CITY_STATES = frozenset({"02", "04", "11"})

CHALLENGE_KEYS = (
    "strukturwandel",
    "daseinsvorsorge",
    "umweltkonflikte",
    "infrastruktur",
    "bauprojekte",
    "digitalisierung",
    "nachhaltigkeitsziele",
    "zusammenhalt",
    "demokratiefeindliche-tendenzen",
    "demografischer-wandel",
    "migration",
    "klimawandel",
)


class NotEnoughPlaces(ValueError):
    """The places given are not the full reference data (e.g. only a few test rows)."""


@dataclass(frozen=True)
class Place:
    """A local authority of the reference data, as plain data."""

    ars: str
    name: str
    kind: str  # stadt | gemeinde | landkreis
    official_type: str
    state_ars: str
    state_name: str
    district_ars: str
    district_name: str
    district_type: str
    population: int
    area_km2: Decimal | None
    urbanisation: int | None
    latitude: float | None
    longitude: float | None

    @property
    def short_name(self) -> str:
        """``"Perleberg, Stadt"`` → ``"Perleberg"``; a Landkreis by its name alone."""
        return self.name.split(",")[0].strip()

    @property
    def long_name(self) -> str:
        """``"Landkreis Prignitz"``, ``"Hochsauerlandkreis"``, ``"Stadt Perleberg"``, ``"Gemeinde Gumtow"``."""
        if self.kind == "landkreis":
            return county_name(self.short_name, self.official_type)
        return f"{'Stadt' if self.kind == 'stadt' else 'Gemeinde'} {self.short_name}"


def county_name(name: str, official_type: str) -> str:
    lowered = name.lower()
    if "kreis" in lowered or "region" in lowered:
        return name
    return f"{official_type} {name}"


def _is_feminine(name: str) -> bool:
    return name.split(" ")[0].lower().endswith("region")


def in_phrase(name: str) -> str:
    """``"im Landkreis Prignitz"``, ``"in der Städteregion Aachen"``."""
    return f"in der {name}" if _is_feminine(name) else f"im {name}"


def with_article(name: str) -> str:
    """``"der Landkreis Prignitz"``, ``"die Städteregion Aachen"``."""
    return f"die {name}" if _is_feminine(name) else f"der {name}"


# --- text material -------------------------------------------------------------------------------

_TITLES = (
    "Offenes Labor {short}",
    "Zukunftslabor {short}: gemeinsam entscheiden",
    "Open Government Labor {short}",
    "Mitmachregion {short}",
    "Werkstatt Offene Verwaltung {short}",
    "Regionales Beteiligungslabor {short}",
    "{short} gestaltet mit",
    "Labor für Zusammenhalt {short}",
    "Bürgerwerkstatt {short}",
    "Gemeinsam Zukunft machen: Labor {short}",
)

_OPENINGS_COUNTY = (
    "{The_lead} umfasst {count} Gemeinden mit zusammen rund {population} Einwohnerinnen und "
    "Einwohnern auf {area} km² in {state}.",
    "In den {count} Gemeinden {lead_in} ({state}) leben rund {population} Menschen, "
    "durchschnittlich {density} je km².",
    "{The_lead} in {state} ist mit {area} km² ein Flächenkreis: Viele der {count} Gemeinden liegen "
    "weit auseinander, der öffentliche Nahverkehr ist dünn.",
)
#: Only for a Kreis with fewer than 120 inhabitants per km².
_OPENING_SPARSE = (
    "Mit rund {density} Menschen je km² gehört {the_lead} zu den dünn besiedelten Kreisen in "
    "{state}; in {count} Gemeinden leben zusammen etwa {population} Menschen."
)
_OPENINGS_LOCAL = (
    "Die {kind_word} {short} liegt {district_in} ({state}) und zählt rund {population} "
    "Einwohnerinnen und Einwohner auf {area} km².",
    "{short} ist eine {kind_adjective} {kind_word} {district_in} in {state} mit etwa {population} "
    "Einwohnerinnen und Einwohnern.",
    "Mit rund {density} Einwohnerinnen und Einwohnern je km² ist {short} {district_in} eine "
    "{kind_adjective} {kind_word}; zu ihr gehören mehrere Ortsteile.",
)
_SITUATIONS = {
    "strukturwandel": (
        "Der Wegfall großer Arbeitgeber hat die Region geprägt; neue Perspektiven entstehen nur langsam.",
        "Die Region steckt mitten im Strukturwandel: Betriebe schließen, neue Branchen suchen Fachkräfte.",
    ),
    "daseinsvorsorge": (
        "Hausärztinnen, Läden und Bushaltestellen werden weniger; die Wege zur Grundversorgung werden länger.",
        "Schule, Arztpraxis und Dorfladen lassen sich nur noch gemeinsam mit den Nachbarorten halten.",
    ),
    "umweltkonflikte": (
        "Um neue Windenergieanlagen und den Schutz der Auen wird heftig gestritten.",
        "Der Konflikt um Flächen für Landwirtschaft, Naturschutz und Kiesabbau spaltet die Ortsteile.",
    ),
    "infrastruktur": (
        "Die Planung einer Ortsumgehung und des Radwegenetzes soll früher und offener beraten werden.",
        "Straßen, Brücken und Breitband müssen neu geplant werden, und viele wollen mitreden.",
    ),
    "bauprojekte": (
        "Für die Nachnutzung des alten Bahnhofsgeländes gibt es viele Ideen, aber keinen gemeinsamen Plan.",
        "Die Umgestaltung der Ortsmitte hat Erwartungen geweckt, die die Verwaltung allein nicht einlösen kann.",
    ),
    "digitalisierung": (
        "Verwaltungsleistungen sind kaum online verfügbar; Daten der Kommunen liegen verstreut und geschlossen.",
        "Der Breitbandausbau ist weit fortgeschritten, doch digitale Angebote der Verwaltung fehlen noch.",
    ),
    "nachhaltigkeitsziele": (
        "Der Kreistag hat sich zu den Nachhaltigkeitszielen der Vereinten Nationen bekannt; "
        "nun fehlt ein Weg, sie vor Ort messbar zu machen.",
        "Eine Nachhaltigkeitsstrategie liegt vor, wird aber bislang kaum von der Bürgerschaft getragen.",
    ),
    "zusammenhalt": (
        "Alteingesessene und Zugezogene begegnen sich selten; Vereine finden kaum Nachwuchs für das Ehrenamt.",
        "Viele Engagierte tragen das Gemeindeleben, fühlen sich von Politik und Verwaltung aber wenig gehört.",
    ),
    "demokratiefeindliche-tendenzen": (
        "Bei den letzten Wahlen haben demokratiefeindliche Kräfte zugelegt; Ratsmitglieder berichten von Anfeindungen.",
        "Gerüchte und Hetze in sozialen Netzwerken vergiften die Debatte über kommunale Entscheidungen.",
    ),
    "demografischer-wandel": (
        "Seit Jahren ziehen vor allem junge Menschen weg; der Anteil der über 65-Jährigen wächst.",
        "Die Bevölkerung schrumpft und altert, leerstehende Häuser prägen manche Ortskerne.",
    ),
    "migration": (
        "Seit 2015 sind viele Menschen zugewandert; ihre Teilhabe am Gemeindeleben ist noch die Ausnahme.",
        "Zugewanderte Familien beleben die Orte, stoßen aber auf Sprach- und Verwaltungshürden.",
    ),
    "klimawandel": (
        "Dürresommer und Starkregen haben Landwirtschaft und Wälder spürbar getroffen.",
        "Hochwasser und Hitze zwingen zu Anpassungen, über die Kommunen und Bürgerschaft gemeinsam entscheiden wollen.",
    ),
}
_STARTING_POINTS = (
    "Erste Erfahrungen mit offener Beteiligung gibt es aus {experience}; darauf baut das Labor auf.",
    "Die beteiligten Kommunen arbeiten bereits {cooperation} zusammen; offenes Verwaltungshandeln ist "
    "dort aber noch kein Leitbild.",
    "Aus {experience} kennen sich Verwaltung und Engagierte; nun soll daraus eine dauerhafte "
    "Zusammenarbeit werden.",
    "Bislang entscheiden Verwaltung und Rat weitgehend allein; {experience} hat gezeigt, wie viel "
    "Wissen in der Bürgerschaft steckt.",
)
_EXPERIENCES = (
    "einem Bürgerhaushalt",
    "der Dorfentwicklungsplanung",
    "einem Jugendforum",
    "der LEADER-Regionalentwicklung",
    "einer Zukunftskonferenz im Jahr 2018",
    "dem Projekt „Modellkommune Open Government“",
    "einer Befragung zur Nahversorgung",
)
_COOPERATIONS = (
    "in einer LEADER-Region",
    "in einem Zweckverband",
    "in einer interkommunalen Arbeitsgemeinschaft",
    "im Rahmen eines gemeinsamen Tourismuskonzepts",
)

_MODERATORS = (
    "Eine externe, neutrale Moderation leitet die Laborsitzungen; die Verwaltung ist Gastgeberin, nicht Schiedsrichterin.",
    "Ein Laborrat aus je zwei Vertreterinnen und Vertretern der Kommunen und der Partner steuert die Arbeit.",
    "Ein Team aus geschulten Ehrenamtlichen und einer hauptamtlichen Koordinatorin moderiert die Treffen.",
    "Die Moderation übernimmt eine Prozessbegleitung, die von allen Partnern gemeinsam ausgewählt wird.",
)
_FORMATS = (
    "Monatliche Laborabende wechseln zwischen den beteiligten Orten, ergänzt um eine Online-Beteiligung.",
    "Offene Werkstätten, Ortsbegehungen und ein digitales Forum sorgen dafür, dass auch Berufstätige mitreden können.",
    "Für Jugendliche gibt es eigene Formate in Schulen und Jugendclubs; ihre Ergebnisse gehen direkt in den Laborrat.",
    "Zweimal im Jahr lädt das Labor zu einem Forum ein, auf dem Zwischenergebnisse öffentlich beraten werden.",
)
_CONFLICTS = (
    "Konflikte werden früh benannt und in einem vereinbarten Verfahren mit Schlichtung bearbeitet.",
    "Alle Protokolle und Daten werden offen veröffentlicht, damit Entscheidungen nachvollziehbar bleiben.",
    "Ein gemeinsamer Verhaltenskodex regelt den Umgang miteinander, auch mit abweichenden Meinungen.",
    "Bei festgefahrenen Konflikten holt das Labor eine externe Mediation hinzu.",
)
_EXPECTATIONS = (
    "Von Beginn an wird klar gesagt, was das Labor vorbereitet und was Rat oder Kreistag entscheiden.",
    "Jede Empfehlung des Labors erhält innerhalb von drei Monaten eine begründete Antwort der Verwaltung.",
    "Eine jährliche Bilanz zeigt, welche Vorschläge umgesetzt wurden und welche nicht, und warum.",
)

# Partners: (name template, role in the lab). Placeholders: {town} a place of the consortium,
# {county} the Kreis, {state} the Land.
_PARTNERS: dict[str, tuple[tuple[str, str], ...]] = {
    "civil_society": (
        ("Bürgerverein {town} e. V.", "organisiert die Laborabende vor Ort und lädt die Nachbarschaft ein"),
        ("Heimatverein {town} e. V.", "bringt Ortskenntnis und Ehrenamtliche ein"),
        ("Initiative Zukunft {county}", "vernetzt Engagierte in der ganzen Region"),
        ("Bürgerstiftung {county}", "fördert kleine Projekte, die im Labor entstehen"),
        ("Evangelische Kirchengemeinde {town}", "stellt Räume bereit und erreicht ältere Menschen"),
        ("Katholische Pfarrgemeinde St. Marien {town}", "öffnet das Pfarrheim für Werkstätten"),
        ("Landfrauenverein {town} e. V.", "bringt die Sicht der Frauen im ländlichen Raum ein"),
        ("Kreisjugendring {county} e. V.", "beteiligt Jugendliche und schult junge Moderatorinnen"),
        ("Förderverein Mehrgenerationenhaus {town} e. V.", "ist Anlaufstelle und Treffpunkt des Labors"),
        ("Sportverein {town} e. V.", "erreicht Familien und junge Erwachsene"),
        ("Freundeskreis Asyl {town}", "bindet Zugewanderte ein und dolmetscht"),
        ("Dorfladen {town} e. V.", "steht für die Nahversorgung und sammelt Ideen im Laden"),
        ("Netzwerk Demokratie leben {county}", "bringt Erfahrung im Umgang mit Anfeindungen ein"),
        ("Naturschutzbund-Ortsgruppe {town}", "vertritt Natur- und Umweltbelange"),
        ("Seniorenbeirat {town}", "vertritt die Älteren und ihre Anliegen"),
        ("Förderverein Freiwillige Feuerwehr {town} e. V.", "erreicht viele Engagierte in den Ortsteilen"),
    ),
    "science": (
        (
            "Forschungsstelle Ländliche Räume {state}",
            "begleitet das Labor wissenschaftlich und wertet es aus",
        ),
        ("Institut für Regionalentwicklung {county}", "erhebt Daten und unterstützt die Wirkungsmessung"),
        ("Fachhochschule {state}, Studiengang Soziale Arbeit", "bringt Studierende in Praxisprojekte ein"),
    ),
    "arts": (
        ("Kunstverein {county} e. V.", "gestaltet Beteiligung mit künstlerischen Mitteln"),
        ("Theaterkollektiv {town}", "macht Konflikte im Bürgertheater sichtbar"),
        ("Kulturscheune {town} e. V.", "stellt Bühne und Treffpunkt für öffentliche Foren"),
    ),
    "business": (
        ("Gewerbeverein {town} e. V.", "bringt die Sicht der örtlichen Betriebe ein"),
        ("Energiegenossenschaft {county} eG", "beteiligt Bürgerinnen und Bürger an der Energiewende"),
        ("Unternehmerinnen-Netzwerk {county}", "verbindet das Labor mit der regionalen Wirtschaft"),
        ("Regionalbank {county} eG", "unterstützt mit Räumen und Kontakten"),
    ),
}

# Lab tasks: (title, description, indicator, target value, how it is checked).
_TASKS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "Offene Haushaltsdaten",
        "Die Haushaltsdaten der beteiligten Kommunen werden verständlich aufbereitet und offen veröffentlicht.",
        "Veröffentlichte Haushaltsdatensätze unter offener Lizenz",
        "mindestens 12 Datensätze",
        "Abruf im Open-Data-Portal; Liste der Datensätze im Zwischenbericht",
    ),
    (
        "Laborabende in allen Orten",
        "Regelmäßige öffentliche Laborabende, abwechselnd in jeder beteiligten Kommune.",
        "Durchgeführte Laborabende",
        "24 Laborabende bis Laufzeitende",
        "Einladungen und Protokolle auf der Website des Labors",
    ),
    (
        "Beteiligungsplattform",
        "Eine Online-Plattform, auf der Vorschläge eingereicht, kommentiert und beantwortet werden.",
        "Registrierte Nutzerinnen und Nutzer der Plattform",
        "mindestens 500",
        "Auswertung der Plattformstatistik durch die wissenschaftliche Begleitung",
    ),
    (
        "Antwortpflicht der Verwaltung",
        "Jeder Vorschlag aus dem Labor erhält eine begründete Antwort der Verwaltung.",
        "Anteil der innerhalb von 3 Monaten beantworteten Vorschläge",
        "100 %",
        "Öffentliches Vorschlagsregister mit Datum von Eingang und Antwort",
    ),
    (
        "Jugendbeteiligung",
        "Jugendliche entwickeln eigene Projekte und stellen sie im Rat vor.",
        "Von Jugendlichen vorgestellte Projekte im Gemeinderat oder Kreistag",
        "mindestens 6 Projekte",
        "Sitzungsprotokolle des Rats",
    ),
    (
        "Mobilitätsbefragung",
        "Eine gemeinsame Befragung zu Wegen, Bedarfen und Ideen für Mobilität ohne eigenes Auto.",
        "Ausgefüllte Fragebögen",
        "mindestens 1.000",
        "Veröffentlichter Ergebnisbericht mit Rohdaten",
    ),
    (
        "Bürgerrat zur Ortsmitte",
        "Ein ausgelostes Bürgergremium erarbeitet Empfehlungen zur Gestaltung der Ortsmitte.",
        "Beschlossene Empfehlungen des Bürgerrats",
        "1 Empfehlungspapier, im Rat beraten",
        "Empfehlungspapier und Ratsbeschluss",
    ),
    (
        "Leitfaden offenes Verwaltungshandeln",
        "Verwaltung und Partner schreiben gemeinsam Regeln für Transparenz und Beteiligung fest.",
        "Vom Rat beschlossener Leitfaden",
        "1 Beschluss",
        "Ratsbeschluss und veröffentlichter Leitfaden",
    ),
    (
        "Schulung von Moderatorinnen und Moderatoren",
        "Engagierte aus den Orten werden zu Moderatorinnen und Moderatoren ausgebildet.",
        "Ausgebildete Ehrenamtliche mit Zertifikat",
        "mindestens 15 Personen",
        "Teilnahmelisten und Zertifikate",
    ),
    (
        "Daseinsvorsorge-Atlas",
        "Eine Karte aller Angebote der Grundversorgung, gepflegt von Verwaltung und Bürgerschaft.",
        "Erfasste Angebote im Atlas",
        "mindestens 300 Einträge",
        "Öffentlich abrufbare Karte mit Änderungsprotokoll",
    ),
    (
        "Konfliktdialog Energie und Landschaft",
        "Moderierte Dialogreihe zu Windenergie, Flächen und Naturschutz mit allen Interessengruppen.",
        "Durchgeführte Dialogveranstaltungen mit dokumentierten Vereinbarungen",
        "6 Veranstaltungen, 1 Vereinbarung",
        "Dokumentation und unterzeichnete Vereinbarung",
    ),
    (
        "Klimaanpassungsplan mit der Bürgerschaft",
        "Gemeinsam werden Maßnahmen gegen Hitze und Starkregen priorisiert.",
        "Priorisierte und vom Rat beschlossene Maßnahmen",
        "mindestens 10 Maßnahmen",
        "Ratsbeschluss mit Maßnahmenliste",
    ),
    (
        "Willkommenslotsen",
        "Ehrenamtliche begleiten Zugewanderte bei Behördengängen und im Vereinsleben.",
        "Aktive Lotsinnen und Lotsen",
        "mindestens 20",
        "Einsatzliste der Koordinierungsstelle",
    ),
    (
        "Demokratiewerkstätten",
        "Werkstätten zum Umgang mit Hass und Hetze für Ratsmitglieder, Vereine und Verwaltung.",
        "Teilnehmende an den Werkstätten",
        "mindestens 120 Personen",
        "Teilnahmelisten und Auswertungsbogen",
    ),
    (
        "Digitale Verwaltungsleistungen",
        "Häufig genutzte Verwaltungsleistungen werden gemeinsam mit Nutzerinnen und Nutzern online gestellt.",
        "Online verfügbare Verwaltungsleistungen",
        "mindestens 8 Leistungen",
        "Prüfung im Serviceportal des Landes",
    ),
    (
        "Nachhaltigkeitsbericht",
        "Ein kommunaler Nachhaltigkeitsbericht mit Indikatoren, die im Labor ausgewählt werden.",
        "Veröffentlichte Nachhaltigkeitsberichte",
        "1 Bericht mit mindestens 20 Indikatoren",
        "Veröffentlichter Bericht",
    ),
    (
        "Dorfgespräche",
        "Aufsuchende Gespräche in kleinen Ortsteilen, die sonst selten erreicht werden.",
        "Besuchte Ortsteile",
        "alle Ortsteile, mindestens 30",
        "Besuchsprotokolle und Karte der Ortsteile",
    ),
    (
        "Evaluation und Verstetigung",
        "Die Arbeit des Labors wird ausgewertet; ein Konzept sichert die Fortführung nach 2022.",
        "Vom Rat beschlossenes Verstetigungskonzept",
        "1 Beschluss",
        "Evaluationsbericht und Ratsbeschluss",
    ),
)

_CATEGORY_SHARES = {
    "staff": (45, 60),
    "events": (8, 15),
    "fees": (8, 15),
    "material": (5, 12),
    "travel": (2, 5),
    "other": (0, 5),
}
_YEAR_SHARES = ((26, 32), (34, 40))  # 2020, 2021; 2022 takes the rest


# --- drawing ---------------------------------------------------------------------------------------


def _distance(a: Place, b: Place) -> float:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return math.inf
    assert a.latitude is not None and a.longitude is not None  # for mypy; checked above
    assert b.latitude is not None and b.longitude is not None
    dx = (a.longitude - b.longitude) * math.cos(math.radians(a.latitude))
    return math.hypot(dx, a.latitude - b.latitude)


def _group(places: Sequence[Place]) -> dict[str, list[Place]]:
    by_district: dict[str, list[Place]] = {}
    for place in places:
        if place.kind != "landkreis":
            by_district.setdefault(place.district_ars, []).append(place)
    return by_district


def _is_lead_candidate(place: Place, profile: str) -> bool:
    if place.state_ars in CITY_STATES:
        return False
    if profile == "county":
        return place.kind == "landkreis"
    if profile == "rural":
        return place.kind != "landkreis" and place.urbanisation == 3 and 1500 <= place.population <= 30000
    return place.kind == "stadt" and place.urbanisation == 2 and 8000 <= place.population <= 40000


def _leads(rng: random.Random, places: Sequence[Place], count: int) -> list[Place]:
    """``count`` leads: 13 Landkreise, 7 towns, the rest rural Gemeinden; Länder in turn."""
    states = sorted({p.state_ars for p in places if p.state_ars not in CITY_STATES})
    if not states:
        raise NotEnoughPlaces("no Flächenland in the places given")
    profiles = ["county"] * 13 + ["town"] * 7 + ["rural"] * (count - 20)
    rng.shuffle(profiles)
    # Every Land once before any Land twice: take the Länder in rounds.
    rounds = [states[:] for _ in range(count // len(states) + 1)]
    for round_ in rounds:
        rng.shuffle(round_)
    sequence = [state for round_ in rounds for state in round_][:count]
    used_districts: set[str] = set()
    leads: list[Place] = []
    for state, profile in zip(sequence, profiles, strict=True):
        candidates = [
            p
            for p in places
            if p.state_ars == state
            and _is_lead_candidate(p, profile)
            and p.district_ars not in used_districts
        ]
        if not candidates:  # e.g. no town left in the Saarland: take a rural Gemeinde instead
            candidates = [
                p
                for p in places
                if p.state_ars == state
                and _is_lead_candidate(p, "rural")
                and p.district_ars not in used_districts
            ]
        if not candidates:
            raise NotEnoughPlaces(f"no lead municipality left in Land {state}")
        lead = rng.choice(candidates)
        used_districts.add(lead.district_ars)
        leads.append(lead)
    return leads


def _further(
    rng: random.Random, lead: Place, by_district: dict[str, list[Place]], pool: list[Place]
) -> list[Place]:
    """1–4 further municipalities from the lead's Kreis or the nearest ones around it."""
    wanted = rng.randint(1, 4)
    if lead.kind == "landkreis":
        members = sorted(
            (p for p in by_district.get(lead.district_ars, []) if p.population >= 1000),
            key=lambda p: (-p.population, p.ars),
        )
        chosen = rng.sample(members[:10], min(wanted, len(members[:10])))
    else:
        near = sorted(
            (p for p in pool if p.ars != lead.ars and p.population >= 500),
            key=lambda p: (_distance(lead, p), p.ars),
        )[:8]
        chosen = rng.sample(near, min(wanted, len(near)))
    return sorted(chosen, key=lambda p: p.ars)


def _number(value: int) -> str:
    """German thousands separator: 12345 → ``12.345``."""
    return f"{value:,}".replace(",", ".")


def _region_text(
    rng: random.Random, lead: Place, further: list[Place], places_in_county: int, challenges: list[str]
) -> str:
    area = float(lead.area_km2) if lead.area_km2 is not None else 0.0
    density = round(lead.population / area) if area else 0
    values = {
        "lead": lead.long_name,
        "the_lead": with_article(lead.long_name),
        "The_lead": "D" + with_article(lead.long_name)[1:],
        "lead_in": in_phrase(lead.long_name),
        "short": lead.short_name,
        "state": lead.state_name,
        "population": _number(lead.population),
        "area": _number(round(area)),
        "density": _number(density),
        "count": places_in_county,
        "kind_word": "Stadt" if lead.kind == "stadt" else "Gemeinde",
        "kind_adjective": "ländlich geprägte"
        if lead.kind != "stadt"
        else "kleine"
        if lead.population < 20000
        else "mittelgroße",
        "district_in": in_phrase(county_name(lead.district_name.split(",")[0], lead.district_type)),
    }
    if lead.kind == "landkreis":
        openings = _OPENINGS_COUNTY + ((_OPENING_SPARSE,) if 0 < density < 120 else ())
    else:
        openings = _OPENINGS_LOCAL
    sentences = [rng.choice(openings).format(**values)]
    sentences.append(rng.choice(_SITUATIONS[challenges[0]]))
    if len(challenges) > 1 and rng.random() < 0.5:
        sentences.append(rng.choice(_SITUATIONS[challenges[1]]))
    sentences.append(
        rng.choice(_STARTING_POINTS).format(
            experience=rng.choice(_EXPERIENCES), cooperation=rng.choice(_COOPERATIONS)
        )
    )
    if len(sentences) > 4:
        sentences = sentences[:4]
    return " ".join(sentences)


def _moderation_text(rng: random.Random) -> str:
    sentences = [rng.choice(_MODERATORS), rng.choice(_FORMATS), rng.choice(_CONFLICTS)]
    if rng.random() < 0.5:
        sentences.append(rng.choice(_EXPECTATIONS))
    return " ".join(sentences)


def _partners(rng: random.Random, lead: Place, further: list[Place]) -> list[dict[str, Any]]:
    count = rng.randint(2, 5)
    kinds = ["civil_society"]
    for _ in range(count - 1):
        roll = rng.random()
        kinds.append(
            "civil_society"
            if roll < 0.6
            else "science"
            if roll < 0.75
            else "arts"
            if roll < 0.87
            else "business"
        )
    towns = [p.short_name for p in [lead, *further] if p.kind != "landkreis"] or [lead.short_name]
    county = lead.short_name if lead.kind == "landkreis" else lead.district_name.split(",")[0]
    names: set[str] = set()
    partners = []
    for kind in kinds:
        for _attempt in range(20):
            template, role = rng.choice(_PARTNERS[kind])
            name = template.format(town=rng.choice(towns), county=county, state=lead.state_name)
            if name not in names:
                break
        else:  # pragma: no cover - 20 draws always find a free name in the pools above
            continue
        names.add(name)
        partners.append(
            {
                "kind": kind,
                "name": name,
                "role_in_lab": role[0].upper() + role[1:] + ".",
                "cooperation_exists": rng.random() < 0.55,
                "contact_email": "",
            }
        )
    return partners


_DUE_DATES = tuple(
    date(year, month, day)
    for year in FUNDING_YEARS
    for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))
    if date(year, month, day) >= date(2020, 6, 30)
)


def _tasks(rng: random.Random) -> list[dict[str, Any]]:
    chosen = rng.sample(_TASKS, rng.randint(3, 6))
    due = sorted(rng.sample(_DUE_DATES, len(chosen)))
    return [
        {
            "title": title,
            "description": description,
            "indicator": indicator,
            "target_value": target,
            "due_on": due_on.isoformat(),
            "verification": verification,
        }
        for (title, description, indicator, target, verification), due_on in zip(chosen, due, strict=True)
    ]


def _budget(rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    """Budget lines (amounts in whole tens of euros) and their total in euros."""
    total = round(rng.triangular(120_000, 320_000, 160_000) / 500) * 500
    first = total * rng.randint(*_YEAR_SHARES[0]) // 100
    second = total * rng.randint(*_YEAR_SHARES[1]) // 100
    year_totals = (first, second, total - first - second)
    shares = {category: rng.randint(*bounds) for category, bounds in _CATEGORY_SHARES.items()}
    lines: list[dict[str, Any]] = []
    for year, year_total in zip(FUNDING_YEARS, year_totals, strict=True):
        amounts = {
            category: year_total * share // sum(shares.values()) // 10 * 10
            for category, share in shares.items()
            if category != "staff"
        }
        amounts = {"staff": year_total - sum(amounts.values()), **amounts}
        lines.extend(
            {"year": year, "category": category, "amount": f"{amount}.00"}
            for category, amount in amounts.items()
            if amount > 0
        )
    return lines, total


def _submission_instants(rng: random.Random, count: int) -> list[datetime]:
    """Spread over October 2019; about one in nine in the last four hours before the deadline."""
    rush = max(3, count // 9)
    last_day = [
        DEADLINE_AT.replace(hour=20, minute=0, second=0, microsecond=0)
        + timedelta(seconds=rng.randrange(0, 4 * 3600))
        for _ in range(rush)
    ]
    start = datetime(2019, 10, 1, 8, 0, tzinfo=BERLIN)
    span = (datetime(2019, 10, 31, 18, 0, tzinfo=BERLIN) - start).total_seconds()
    earlier = [start + timedelta(seconds=rng.randrange(0, int(span))) for _ in range(count - rush)]
    # Wall-clock instants; normalise through UTC so the offset is right on both sides of 27.10.
    return sorted(moment.astimezone(BERLIN) for moment in earlier + last_day)


def contact_email(number: int) -> str:
    """The demo account of the ``number``-th consortium (1-based)."""
    return f"kommune{number:02d}@demo.oglabs.de"


def generate_consortia(
    places: Sequence[Place], *, count: int = COUNT, seed: int = SEED
) -> list[dict[str, Any]]:
    """``count`` submitted records of the exchange format, by reference (``OGL-2019-0001`` …).

    ``places`` are all local authorities of the reference data; the result depends only on them
    and on ``seed``.
    """
    rng = random.Random(seed)  # noqa: S311  # reproducible demo data, not a secret
    ordered = sorted(places, key=lambda p: p.ars)
    by_district = _group(ordered)
    by_state: dict[str, list[Place]] = {}
    for place in ordered:
        if place.kind != "landkreis":
            by_state.setdefault(place.state_ars, []).append(place)
    leads = _leads(rng, ordered, count)
    instants = _submission_instants(rng, count)
    records = []
    for number, (lead, submitted_at) in enumerate(zip(leads, instants, strict=True), 1):
        further = _further(rng, lead, by_district, by_state[lead.state_ars])
        challenges = rng.sample(CHALLENGE_KEYS, rng.randint(2, 4))
        budget, total = _budget(rng)
        own = total * rng.randint(5, 15) // 100 // 100 * 100 if rng.random() < 0.45 else 0
        land = rng.randrange(10_000, 40_001, 1000) if rng.random() < 0.25 else 0
        lab_form = rng.choice(("network", "both") if lead.kind == "landkreis" else ("place", "both", "place"))
        records.append(
            {
                "reference": f"{REFERENCE_PREFIX}{number:04d}",
                "title": rng.choice(_TITLES).format(short=lead.short_name),
                "state": "submitted",
                "submitted_at": submitted_at.isoformat(),
                "lead_municipality": lead.ars,
                "further_municipalities": [p.ars for p in further],
                "region": _region_text(
                    rng, lead, further, len(by_district.get(lead.district_ars, [])), challenges
                ),
                "challenges": sorted(challenges),
                "lab_form": lab_form,
                "moderation": _moderation_text(rng),
                "partners": _partners(rng, lead, further),
                "tasks": _tasks(rng),
                "budget": budget,
                "own_contribution": f"{own}.00",
                "state_contribution": f"{land}.00",
                "contacts": [contact_email(number)] if number <= LINKED_ACCOUNTS else [],
            }
        )
    return records


def requested_total(record: dict[str, Any]) -> Decimal:
    return sum((Decimal(line["amount"]) for line in record["budget"]), Decimal("0.00"))
