"""The receipt (Eingangsbestätigung): a PDF of exactly what a submission froze.

Everything shown comes from a ``ProposalVersion``: its frozen canonical ``content`` (the
``public`` and the ``private`` part, see ``queries.proposal_content``), its number, instant and
SHA-256. Only the call's title and the labels of its challenges are looked up, because the
content stores the challenges by key.

The output is deterministic: the same version gives the same bytes (reportlab's invariant mode,
and an embedded font shipped inside the pinned reportlab package, so no system font is used).
Where reportlab allows it, the PDF is accessible: document title shown by the viewer, language
``de-DE``, text (not images) in reading order, and an outline entry for every section.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.db import models
from django.utils import translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
)

from oglabs.mail.renderers import attachment_renderer
from oglabs.places.models import MunicipalityKind
from oglabs.proposals.formatting import DASH, ags_from_ars, format_date, format_euro, format_instant
from oglabs.proposals.models import (
    Confirmation,
    CostCategory,
    LabForm,
    PartnerKind,
    ProposalVersion,
    Stage,
    VersionKind,
)
from oglabs.proposals.receipt_layout import (
    CONTENT_WIDTH,
    FONT,
    HEAD_FILL,
    MARGIN,
    MONO,
    PAGE_HEIGHT,
    NumberedCanvas,
    OutlinedDocument,
    markup,
    para,
    paragraph_styles,
    register_fonts,
    table,
)

#: Name under which the receipt PDF is rendered at delivery (``MailAttachment.deferred``).
RECEIPT_RENDERER = "proposals.receipt"


def receipt_filename(reference: str) -> str:
    return f"Eingangsbestaetigung-{reference}.pdf"


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The (translated) label of a choice; an unknown value of an older format is shown as is."""
    if not value:
        return DASH
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class _Receipt:
    """Turns one frozen version into the list of flowables of the receipt."""

    def __init__(self, version: ProposalVersion) -> None:
        self.version = version
        self.call = version.proposal.call
        self.public: Mapping[str, Any] = version.content["public"]
        self.private: Mapping[str, Any] = version.content.get("private", {})
        self.s = paragraph_styles()

    def cell(self, value: Any, style: str = "Cell") -> Paragraph:
        return para(value, self.s[style])

    def heading(self, text: str) -> Paragraph:
        return Paragraph(escape(text), self.s["Heading2"])

    def flowables(self) -> list[Flowable]:
        return [
            *self.header(),
            *self.consortium(),
            *self.partners(),
            *self.texts(),
            *self.tasks(),
            *self.budget(),
            *self.closing(),
        ]

    def header(self) -> list[Flowable]:
        p = self.public
        stage = _label(Stage, p.get("stage", ""))
        intro = (
            f"Wir bestätigen den Eingang der folgenden {escape(stage)} zum Aufruf "
            f"„{markup(self.call.title)}“. Diese Bestätigung gibt den Inhalt genau so wieder, wie er "
            "eingereicht wurde."
        )
        rows = [
            ["Aufruf", self.cell(self.call.title)],
            ["Kennung", self.cell(p.get("reference", ""))],
            ["Titel des Labors", self.cell(p.get("title", ""), "CellHead")],
            ["Version", self.cell(f"{self.version.number} ({_label(VersionKind, self.version.kind)})")],
            ["Eingegangen am", self.cell(f"{format_instant(self.version.created_at)} (Berliner Zeit)")],
            ["Prüfsumme (SHA-256)", self.cell(self.version.sha256, "Hash")],
        ]
        table_rows = [[self.cell(label, "CellHead"), value] for label, value in rows]
        return [
            Paragraph("Eingangsbestätigung", self.s["Title"]),
            Paragraph(intro, self.s["Lead"]),
            Spacer(0, 4 * mm),
            table(
                table_rows,
                [42 * mm, CONTENT_WIDTH - 42 * mm],
                header=False,
                extra=[("BACKGROUND", (0, 0), (0, -1), HEAD_FILL)],
            ),
        ]

    def consortium(self) -> list[Flowable]:
        lead = self.public.get("lead_municipality")
        entries = ([("federführend (Träger)", lead)] if lead else []) + [
            ("weitere Kommune", item) for item in self.public.get("further_municipalities", [])
        ]
        rows: list[list[Any]] = [
            [self.cell(h, "CellHead") for h in ("Rolle", "Kommune", "Art", "AGS", "ARS")]
        ]
        for role, item in entries:
            ars = str(item.get("ars", ""))
            rows.append(
                [
                    self.cell(role),
                    self.cell(item.get("name", "")),
                    self.cell(_label(MunicipalityKind, item.get("kind", ""))),
                    ags_from_ars(ars) or DASH,
                    ars,
                ]
            )
        flow: list[Flowable] = [self.heading("Konsortium")]
        if len(rows) == 1:
            flow.append(Paragraph("Keine Kommune angegeben.", self.s["BodyText"]))
        else:
            widths = [36 * mm, 60 * mm, 24 * mm, 20 * mm, CONTENT_WIDTH - 140 * mm]
            keys = [("FONTNAME", (3, 1), (4, -1), MONO), ("FONTSIZE", (3, 1), (4, -1), 8)]
            flow.append(table(rows, widths, extra=keys))
        return flow

    def partners(self) -> list[Flowable]:
        partners = list(self.public.get("partners", []))
        contacts = list(self.private.get("partner_contacts", []))
        flow: list[Flowable] = [self.heading("Partner")]
        if not partners:
            return [*flow, Paragraph("Keine Partner angegeben.", self.s["BodyText"])]
        rows: list[list[Any]] = [
            [
                self.cell(h, "CellHead")
                for h in ("Nr.", "Art", "Organisation", "Rolle im Labor", "Kooperation besteht bereits")
            ]
        ]
        for number, partner in enumerate(partners, 1):
            contact = contacts[number - 1] if number <= len(contacts) else ""
            name: list[Flowable] = [self.cell(partner.get("name", ""), "CellHead")]
            if contact:
                name.append(self.cell(f"Kontakt: {contact}", "CellSmall"))
            name.append(self.cell(_label(Confirmation, partner.get("confirmation", "")), "CellSmall"))
            rows.append(
                [
                    self.cell(str(number)),
                    self.cell(_label(PartnerKind, partner.get("kind", ""))),
                    name,
                    self.cell(partner.get("role_in_lab", "")),
                    self.cell(
                        "ja" if partner.get("cooperation_exists") else "nein, entsteht für diesen Aufruf"
                    ),
                ]
            )
        widths = [10 * mm, 28 * mm, 52 * mm, 50 * mm, CONTENT_WIDTH - 140 * mm]
        return [*flow, table(rows, widths)]

    def texts(self) -> list[Flowable]:
        p = self.public
        known = {c.key: (c.position, c.label) for c in self.call.challenges.all()}
        keys = sorted(
            p.get("challenges", []), key=lambda key: (known[key][0] if key in known else 10**6, key)
        )
        challenges = [known[key][1] if key in known else key for key in keys]
        flow: list[Flowable] = [
            self.heading("Region und Ausgangslage"),
            para(p.get("region", ""), self.s["BodyText"], empty="Keine Angabe."),
            self.heading("Herausforderungen"),
        ]
        if challenges:
            # typed loosely: the stubs do not list ListItem among the items ListFlowable accepts
            items: list[Any] = [
                ListItem(para(label, self.s["BodyText"]), leftIndent=12) for label in challenges
            ]
            flow.append(
                ListFlowable(
                    items,
                    bulletType="bullet",
                    bulletFontName=FONT,
                    bulletFontSize=8,
                    leftIndent=12,
                )
            )
        else:
            flow.append(Paragraph("Keine Angabe.", self.s["BodyText"]))
        flow += [
            self.heading("Form des Labors"),
            Paragraph(escape(_label(LabForm, p.get("lab_form", ""))), self.s["BodyText"]),
            self.heading("Moderation, Interessenausgleich und Konfliktmanagement"),
            para(p.get("moderation", ""), self.s["BodyText"], empty="Keine Angabe."),
        ]
        return flow

    def tasks(self) -> list[Flowable]:
        tasks = list(self.public.get("tasks", []))
        flow: list[Flowable] = [self.heading("Laboraufgaben")]
        if not tasks:
            return [*flow, Paragraph("Keine Laboraufgaben angegeben.", self.s["BodyText"])]
        rows: list[list[Any]] = [
            [
                self.cell(h, "CellHead")
                for h in ("Nr.", "Aufgabe", "Indikator", "Zielwert", "fällig am", "Prüfung der Erfüllung")
            ]
        ]
        for number, task in enumerate(tasks, 1):
            title: list[Flowable] = [self.cell(task.get("title", ""), "CellHead")]
            if str(task.get("description", "")).strip():
                title.append(self.cell(task["description"], "CellSmall"))
            rows.append(
                [
                    self.cell(str(number)),
                    title,
                    self.cell(task.get("indicator", "")),
                    self.cell(task.get("target_value", "")),
                    self.cell(format_date(task.get("due_on"))),
                    self.cell(task.get("verification", "")),
                ]
            )
        widths = [10 * mm, 50 * mm, 30 * mm, 22 * mm, 20 * mm, CONTENT_WIDTH - 132 * mm]
        return [*flow, table(rows, widths)]

    def budget(self) -> list[Flowable]:
        p = self.public
        cells: dict[tuple[int, str], Decimal] = {}
        for line in p.get("budget", []):
            key = (int(line["year"]), str(line["category"]))
            cells[key] = cells.get(key, Decimal("0.00")) + Decimal(str(line["amount"]))
        period = range(self.call.funding_starts_on.year, self.call.funding_ends_on.year + 1)
        years = sorted(set(period) | {year for year, _ in cells})
        categories = list(CostCategory.values) + sorted(
            {category for _, category in cells} - set(CostCategory.values)
        )
        zero = Decimal("0.00")
        rows: list[list[Any]] = [["Kostenart", *(str(year) for year in years), "Summe"]]
        for category in categories:
            amounts = [cells.get((year, category), zero) for year in years]
            rows.append(
                [
                    _label(CostCategory, category),
                    *(format_euro(amount) for amount in amounts),
                    format_euro(sum(amounts, zero)),
                ]
            )
        year_totals = [sum((cells.get((year, c), zero) for c in categories), zero) for year in years]
        total = sum(year_totals, zero)
        rows.append(["Summe", *(format_euro(amount) for amount in year_totals), format_euro(total)])
        label_width = 34 * mm
        amount_width = (CONTENT_WIDTH - label_width) / (len(years) + 1)
        own = Decimal(str(p.get("own_contribution", "0")))
        land = Decimal(str(p.get("state_contribution", "0")))
        contributions = [
            ["Beantragte Mittel", format_euro(total)],
            ["Eigenanteil", format_euro(own)],
            ["Finanzierungsbeteiligung des Landes", format_euro(land)],
            ["Gesamtvolumen des Labors", format_euro(total + own + land)],
        ]
        right = [("ALIGN", (1, 0), (-1, -1), "RIGHT")]
        return [
            self.heading("Mittelbedarf"),
            Paragraph(
                "Beantragte Mittel nach Jahr des Förderzeitraums und Kostenart, in Euro.", self.s["Note"]
            ),
            Spacer(0, 2 * mm),
            table(rows, [label_width] + [amount_width] * (len(years) + 1), footer_rows=1, extra=right),
            Spacer(0, 4 * mm),
            KeepTogether(
                [
                    Paragraph("Eigenanteil und Finanzierungsbeteiligung des Landes", self.s["CellHead"]),
                    Spacer(0, 1.5 * mm),
                    table(
                        contributions,
                        [CONTENT_WIDTH - 45 * mm, 45 * mm],
                        header=False,
                        footer_rows=1,
                        extra=[*right, ("FONTNAME", (0, 0), (-1, 0), f"{FONT}-Bold")],
                    ),
                ]
            ),
        ]

    def closing(self) -> list[Flowable]:
        note = (
            "Die Prüfsumme (SHA-256) wird aus dem vollständigen eingereichten Inhalt berechnet. Jede "
            "Änderung des Inhalts ergibt eine andere Prüfsumme; so lässt sich später nachweisen, dass "
            "diese Fassung unverändert geblieben ist. Diese Eingangsbestätigung wurde automatisch "
            "erstellt und enthält keine Aussage über die Förderfähigkeit. Rückfragen zum Aufruf richten "
            f"Sie bitte an {markup(self.call.contact_email)}."
        )
        return [Spacer(0, 8 * mm), Paragraph(note, self.s["Note"])]


def render_receipt(version: ProposalVersion, *, language: str = "de") -> bytes:
    """The receipt PDF of ``version``, as bytes. German, like the call; deterministic."""
    register_fonts()
    public = version.content["public"]
    reference = str(public.get("reference", ""))
    title = str(public.get("title", ""))
    buffer = io.BytesIO()
    with translation.override(language):
        receipt = _Receipt(version)
        document = OutlinedDocument(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=22 * mm,
            title=f"Eingangsbestätigung {reference}: {title}",
            author=receipt.call.sponsor,
            subject=receipt.call.title,
            creator="oglabs",
            producer="oglabs",
            keywords=["Eingangsbestätigung", reference],
            lang="de-DE",
            displayDocTitle=True,
            invariant=1,
        )
        frame = Frame(
            MARGIN,
            22 * mm,
            CONTENT_WIDTH,
            PAGE_HEIGHT - MARGIN - 22 * mm,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        document.addPageTemplates([PageTemplate(id="page", frames=[frame])])

        footer = f"Eingangsbestätigung {reference} · Version {version.number} · {format_instant(version.created_at)}"

        def canvasmaker(*args: Any, **kwargs: Any) -> NumberedCanvas:
            canvas = NumberedCanvas(*args, **kwargs)
            canvas.footer_text = footer
            return canvas

        document.build(receipt.flowables(), canvasmaker=canvasmaker)
    return buffer.getvalue()


@attachment_renderer(RECEIPT_RENDERER)
def render_receipt_of_version(version_id: int) -> bytes:
    """The renderer the mail worker calls at delivery (``mail/renderers.py``)."""
    version = ProposalVersion.objects.select_related("proposal__call").get(pk=version_id)
    return render_receipt(version)
