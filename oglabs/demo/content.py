"""The historical 2019 call as data, taken from the call text (shared/seeds/000_…txt).

Facts stated by the call: 3 Mio. EUR from BULE under Haushaltsvorbehalt, up to 16 labs,
2020 to 2022, deadline 31.10.2019, a workshop in November 2019, selection by February 2020,
contact regionale-open-government-labore@bmi.bund.de, the three umbrella associations.

Not stated by the call, and therefore assumptions of the demo (kept as few as possible):
* the opening of the procedure: 01.09.2019 00:00 (the call carries no publication date);
* the workshop as the whole of November 2019 (no day is named);
* the selection phase as 01.12.2019 to 29.02.2020 ("bis Februar 2020 ausgewählt");
* no revision deadline: the call names none. Add one with ``update_call`` when needed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

HISTORICAL_SLUG = "regionale-open-government-labore-2019"
DEMO_SLUG = "regionale-open-government-labore-demo"

TITLE = (
    "Interessenbekundungsverfahren des Bundesministeriums des Innern, für Bau und Heimat (BMI) "
    "zur Bildung regionaler Open Government Labore"
)
SPONSOR = "Bundesministerium des Innern, für Bau und Heimat (BMI)"
PROGRAMME = "Bundesprogramm Ländliche Entwicklung (BULE)"
CONTACT_EMAIL = "regionale-open-government-labore@bmi.bund.de"
PARTNERS = ("Deutscher Städtetag", "Deutscher Landkreistag", "Deutscher Städte- und Gemeindebund")

#: The deadline day of 2019; the demo copy is shifted relative to it.
DEADLINE_ON = date(2019, 10, 31)

DESCRIPTION = """\
Die Initiative für Regionale Open Government Labore ist Teil der Heimatpolitik des Bundesministeriums des Innern, für Bau und Heimat. Sie flankiert die aktive Strukturpolitik der Bundesregierung zur Umsetzung gleichwertiger Lebensverhältnisse, indem sie das Innovationspotenzial der gesamten regionalen Gesellschaft erschließt. Für die Regionalen Open Government Labore sollen 3 Millionen Euro aus dem Bundesprogramm für Ländliche Entwicklung (BULE) zur Verfügung gestellt werden. Diese Angabe steht unter Haushaltsvorbehalt. Beabsichtigt ist die Unterstützung von bis zu 16 Open Government Laboren im Zeitraum von 2020 bis 2022. Das Vorhaben ist Bestandteil des 2. Nationalen Aktionsplans im Rahmen der Teilnahme Deutschlands an der Open Government Partnership (OGP).

## 1. Warum sollen regionale Open Government Labore gebildet werden?

Kommunalverwaltungen werden mit vielfältigen Herausforderungen aus z. B. Strukturwandel, demografischem Wandel, Migration, Digitalisierung, Klimawandel und dem Erfordernis zur nachhaltigen Entwicklung konfrontiert. Die Bürgerinnen und Bürger fordern Transparenz, Mitbestimmung und Mitgestaltung ein. Wirtschaft und organisierte Zivilgesellschaft machen ihre Interessen und Ansprüche gegenüber Politik und Verwaltung deutlich. Das soziale Miteinander in Gemeinden, Städten und Stadtquartieren ist ohne ehrenamtlich Engagierte kaum noch denkbar. Die Vermutung besteht, dass mit einer neuen Qualität der Kooperation von Verwaltung, Politik, Bürgerinnen und Bürgern sowie den gesellschaftlichen Interessengruppen regionale Herausforderungen besser zu bewältigen sind und der soziale Zusammenhalt in der Region verstärkt wird. Diese Kooperation soll in den Regionalen Open Government Laboren erprobt werden. Voraussetzung ist, die Bereitschaft von Kommunalverwaltung und -politik zu einem offenen Verwaltungshandeln (Open Government). Dazu wurde im Zeitraum Juni 2017 bis September 2019 das Projekt „Modellkommune Open Government“ durchgeführt (www.open-government-kommunen.de).

## 2. Was sind Regionale Open Government Labore?

Regionale Open Government Labore sind Kooperationen von Kommunalverwaltungen, Kommunalpolitik, Zivilgesellschaft¹ sowie weiteren Akteuren aus Wissenschaft, Kunst und Wirtschaft zur Regionalentwicklung. Die Labore können an einem bestimmten Ort lokalisiert sein, sie können aber auch als Netzwerk arbeiten. Sie sollen in der Lage sein, durch kooperatives Herangehen die vielfältigen regionalen Herausforderungen (z. B. Bewältigung regionaler Strukturwandel, Sicherung soziale Daseinsvorsorge, Umgang mit regionalen/kommunalen Konflikten bei Umweltthemen, Infrastrukturplanung, Bauprojekten, Digitalisierung, Erreichung der Nachhaltigkeitsziele, Stärkung des gesellschaftlichen Zusammenhalts und Umgang mit demokratiefeindlichen Tendenzen) erfolgreich zu bewältigen. Dazu gehören auch Moderation und Interessensausgleich zwischen unterschiedlichen Anspruchsgruppen sowie Konflikt- und Erwartungsmanagement. Träger der Regionalen Open Government Labore sind Kommunalverwaltungen.

¹ „Zivilgesellschaft“ bedeutet „Bürgergesellschaft“. In einer Zivilgesellschaft übernehmen die Bürger Verantwortung für die Gesellschaft und für andere Menschen. Sie setzen sich ein für Demokratie und Gerechtigkeit. Die Bürger engagieren sich in Vereinen, in Kirchen und anderen Organisationen. Sie streiten friedlich und fair miteinander über unterschiedliche Meinungen. Sie schließen faire Kompromisse … In einer Zivilgesellschaft ist der Staat keineswegs überflüssig … Eine Aufgabe ist es, dafür zu sorgen, dass die Zivilgesellschaft sich entfalten kann. Der Staat soll unter anderem sicherstellen, dass die Menschen sich einbringen können, dass sie sich an der Gestaltung der Zivilgesellschaft beteiligen können. (Quelle: Gerd Schneider / Christiane Toyka-Seid: Das junge Politik-Lexikon von www.hanisauland.de, Bonn: Bundeszentrale für politische Bildung 2019.)

## 3. Warum wird ein Interessenbekundungsverfahren durchgeführt?

Die Idee des offenen Verwaltungshandelns ist nicht neu und wird in verschiedenen Teilbereichen gelebt. Viele Kommunen veröffentlichen Daten und Informationen, unterbreiten den Bürgerinnen und Bürgern, über die gesetzlich vorgeschriebenen Beteiligungen hinaus, weitere Partizipationsangebote und arbeiten mit ehrenamtlich Engagierten zusammen. Offenes Verwaltungshandeln ist aber kaum als strategisches Instrument oder Leitbild etabliert. Mit dem Interessenbekundungsverfahren soll in Erfahrung gebracht werden, wo kooperative Ansätze zwischen Verwaltung, Politik und regionalen Stakeholdern bereits existieren und zur Bildung weiterer Kooperationen angeregt werden. Mit der Form des Interessenbekundungsverfahrens soll sichergestellt werden, dass die Vielfalt regionaler Kooperationsansätze sichtbar und nicht durch formale Vorgaben eines Teilnahmewettbewerbs eingeengt wird.

## 4. Wer kann am Interessenbekundungsverfahren teilnehmen?

An dem Interessenbekundungsverfahren können alle interessierten Kommunen (Städte, Gemeinden und Landkreise) teilnehmen. Voraussetzung ist das Vorhandensein mindestens eines zivilgesellschaftlichen Partners und ggf. weiterer Partner in der Region. Dabei spielt es keine Rolle, ob Kooperationen bereits existieren oder sich im Zuge der Teilnahme an dem Interessenbekundungsverfahren erst formieren. Für die Teilnahme am Interessenbekundungsverfahren wird um die Benennung konkreter, nachprüfbarer Laboraufgaben sowie einer Schätzung des Mittelbedarfs für die Laborarbeit gebeten. Eigenanteile oder eine Finanzierungsbeteiligung des Landes sind erwünscht, aber nicht Bedingung für eine Auswahl als Regionales Open Government Labor.

## 5. Wie geht es dann weiter?

In einem Workshop im November 2019 haben die Bewerber Gelegenheit, ihre Idee zu schärfen. Wichtig ist, dass alle Bewerber vom gleichen Projektverständnis ausgehen. Wenn danach noch mehr als 16 Bewerber vorhanden sind, wird unter den Teilnehmern am Interessenbekundungsverfahren ein Teilnahmewettbewerb durchgeführt. Die Regionalen Open Government Labore sollen bis Februar 2020 ausgewählt sein."""

DEMO_NOTE = """\
Demo-Aufruf: eine Kopie des Aufrufs von 2019, deren Fristen so verschoben sind, dass eine \
Interessenbekundung sofort ausprobiert werden kann. Die Termine im folgenden Text beziehen sich \
auf das Verfahren von 2019; es gelten die oben genannten Termine dieses Demo-Aufrufs.

"""


def historical_call_data() -> dict[str, Any]:
    """The data for ``create_call``/``update_call`` of the historical call (closed since 2019)."""
    return {
        "slug": HISTORICAL_SLUG,
        "title": TITLE,
        "description": DESCRIPTION,
        "sponsor": SPONSOR,
        "programme": PROGRAMME,
        "budget": Decimal("3000000.00"),
        "currency": "EUR",
        "budget_reservation": True,
        "max_labs": 16,
        "funding_starts_on": date(2020, 1, 1),
        "funding_ends_on": date(2022, 12, 31),
        "contact_email": CONTACT_EMAIL,
        "partner_organisations": "\n".join(PARTNERS),
        "is_published": True,
        # Dates given as days: starts are 00:00, ends and deadlines 23:59:59.999999 Europe/Berlin.
        "opens_at": date(2019, 9, 1),
        "deadline_at": DEADLINE_ON,
        "workshop_starts_at": date(2019, 11, 1),
        "workshop_ends_at": date(2019, 11, 30),
        "revision_deadline_at": None,
        "selection_starts_at": date(2019, 12, 1),
        "selection_ends_at": date(2020, 2, 29),
        "applicant_kinds": ["stadt", "gemeinde", "landkreis"],
        "min_municipalities": 1,
        "min_civil_society_partners": 1,
        "requires_tasks": True,
        "requires_cost_estimate": True,
        "requires_own_contribution": False,
    }
