"""``README.txt`` of an export: what the files are and how to check them, in German and English."""

from __future__ import annotations

import numpy
import scipy

from oglabs.transparency.opendata.collect import Context
from oglabs.transparency.opendata.documents import LICENCE_NAME, LICENCE_URL, attribution


def text(ctx: Context, download_url: str) -> str:
    call = ctx.call
    numpy_version, scipy_version = numpy.__version__, scipy.__version__
    status = (
        ""
        if ctx.published
        else (
            "ACHTUNG / NOTE: Testexport einer NICHT veröffentlichten Entscheidung, ohne Begründungen. / "
            "Test export of an UNPUBLISHED decision, without reasons.\n\n"
        )
    )
    return f"""{status}Offene Daten / Open data: {call.title}
{call.sponsor} — {call.programme}
Förderentscheidung vom / decision of {ctx.decision.decided_at.date().isoformat()}, \
veröffentlicht / published {ctx.issued_at.date().isoformat()}
Quelle / source: {download_url}

DATEIEN / FILES
  proposals.csv, proposals.json   Interessenbekundungen mit Ergebnis / proposals with their result
  scores.csv, scores.json         Bewertungen je Gutachten (Jury als Pseudonyme J1…Jn) und je
                                  Interessenbekundung / scores per review (jurors as pseudonyms)
                                  and per proposal
  decision.json                   Kriterien, Gewichte, Regeln, Eingaben und Ergebnis des Optimierers,
                                  Code- und Solver-Version / criteria, weights, rules, the optimiser's
                                  inputs and result, code and solver versions
  committed.json                  je Interessenbekundung die zur Frist versiegelte Fassung: die
                                  veröffentlichten Felder im Klartext, freie Texte und private Teile
                                  nur als SHA-256 / per proposal the version sealed at the deadline:
                                  published fields in full, free texts and private parts as hashes
  grants-360giving.json           bewilligte Förderungen im 360Giving-Standard 1.4.3 /
                                  awarded grants in the 360Giving Data Standard 1.4.3
  catalog.ttl                     DCAT-AP.de-Katalog / DCAT-AP.de catalogue
  verify_decision.py              Prüfskript / verification script
  manifest.json, SHA256SUMS       SHA-256 jeder Datei / SHA-256 of every file

NACHRECHNEN (DE)
  Das Skript liest nur diese Dateien, rechnet die gewichteten Summen, die Zusammenfassung je
  Interessenbekundung und die Auswahl (exaktes gemischt-ganzzahliges Programm mit HiGHS) mit den
  veröffentlichten Regeln nach und vergleicht alles mit den veröffentlichten Ergebnissen.
  Es braucht Python 3.11 oder neuer mit numpy und scipy:

    python3 -m venv venv
    venv/bin/pip install numpy=={numpy_version} scipy=={scipy_version}
    venv/bin/python verify_decision.py .

  Außerdem prüft es, dass jede Fassung in committed.json den im Fristsiegel (decision.json)
  versiegelten Hash ergibt und Titel, Kommunen, Partner und Beträge mit proposals.json übereinstimmen.

  Ausgabe „identisch / identical“ (Exit-Code 0) oder jede Abweichung mit Datei, Kennung, Feld,
  veröffentlichtem und nachgerechnetem Wert (Exit-Code 1). Die Prüfsummen allein:
  sha256sum -c SHA256SUMS

RECOMPUTE (EN)
  The script reads only these files, recomputes the weighted sums, the aggregate per proposal and
  the selection (an exact mixed-integer programme solved by HiGHS) with the published rules and
  compares everything with the published results. It needs Python 3.11 or newer with numpy and
  scipy (commands above). It also checks that every version in committed.json gives the hash
  sealed in the deadline commitment (decision.json) and that its title, municipalities, partners
  and amounts are those of proposals.json. It prints "identisch / identical" (exit code 0) or
  every difference with file, reference, field, published and recomputed value (exit code 1).

DATENSCHUTZ / PRIVACY
  Keine personenbezogenen Daten: keine Namen, E-Mail-Adressen oder Telefonnummern von Personen,
  die Jury nur als Organisationen mit Anzahl und in den Bewertungen als Pseudonyme; Begründungen
  erst nach Schwärzung und Bestätigung durch eine zweite Person. / No personal data: no names,
  e-mail addresses or phone numbers of people; the jury only as organisations with their number of
  members and as pseudonyms in the scores; reasons only after redaction confirmed by a second person.

LIZENZ / LICENCE
  {LICENCE_NAME} ({LICENCE_URL})
  Namensnennung / attribution: {attribution(ctx)}
"""
