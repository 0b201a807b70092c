"""Page machinery of the receipt PDF: embedded font, paragraph styles, page footer with "Seite n
von m", an outline entry per section, and table/paragraph helpers that escape user text."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Paragraph, Table, TableStyle

from oglabs.proposals.formatting import DASH

#: The font family embedded in every receipt (Bitstream Vera, shipped with reportlab; see
#: reportlab/fonts/bitstream-vera-license.txt). It covers German and most Western European text.
FONT = "OglabsVera"
MONO = "Courier"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#b0b7bf")
HEAD_FILL = colors.HexColor("#e8ecf0")


@functools.cache
def register_fonts() -> None:
    for name, filename in (
        (FONT, "Vera.ttf"),
        (f"{FONT}-Bold", "VeraBd.ttf"),
        (f"{FONT}-Italic", "VeraIt.ttf"),
        (f"{FONT}-BoldItalic", "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, filename))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
    )


def paragraph_styles() -> dict[str, ParagraphStyle]:
    sheet: StyleSheet1 = getSampleStyleSheet()
    for style in sheet.byName.values():
        if isinstance(style, ParagraphStyle):
            style.fontName = FONT
    sheet["Title"].fontName = f"{FONT}-Bold"
    sheet["Title"].fontSize = 20
    sheet["Title"].leading = 24
    sheet["Title"].alignment = 0
    sheet["Title"].spaceAfter = 2 * mm
    for name in ("Heading1", "Heading2"):
        sheet[name].fontName = f"{FONT}-Bold"
    sheet["Heading2"].fontSize = 12.5
    sheet["Heading2"].leading = 16
    sheet["Heading2"].spaceBefore = 5 * mm
    sheet["Heading2"].spaceAfter = 2 * mm
    sheet["Heading2"].keepWithNext = 1  # never a heading alone at the foot of a page
    sheet["BodyText"].fontSize = 9.5
    sheet["BodyText"].leading = 13
    sheet.add(ParagraphStyle("Lead", parent=sheet["BodyText"], fontSize=11, leading=15))
    sheet.add(ParagraphStyle("Cell", parent=sheet["BodyText"], fontSize=8.5, leading=11))
    sheet.add(ParagraphStyle("CellHead", parent=sheet["Cell"], fontName=f"{FONT}-Bold"))
    sheet.add(ParagraphStyle("CellSmall", parent=sheet["Cell"], fontSize=7.5, leading=9.5))
    sheet.add(ParagraphStyle("Hash", parent=sheet["Cell"], fontName=MONO, fontSize=8, leading=10))
    sheet.add(ParagraphStyle("Note", parent=sheet["BodyText"], fontSize=8, leading=10.5))
    return {name: style for name, style in sheet.byName.items() if isinstance(style, ParagraphStyle)}


class NumberedCanvas(Canvas):
    """Draws "Seite n von m" and the document's footer once the number of pages is known."""

    footer_text = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset; not in the stubs

    def save(self) -> None:
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, 7.5)
        self.setFillColor(colors.HexColor("#4a5560"))
        self.setStrokeColor(GRID)
        self.line(MARGIN, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm)
        self.drawString(MARGIN, 10 * mm, self.footer_text)
        self.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"Seite {self.getPageNumber()} von {total}")
        self.restoreState()


class OutlinedDocument(BaseDocTemplate):
    """Adds an outline entry (bookmark) for every section heading."""

    sections = 0

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Paragraph) and flowable.style.name == "Heading2":
            self.sections += 1
            key = f"section-{self.sections}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0, closed=False)


# --- building blocks ----------------------------------------------------------------------------


def markup(value: Any) -> str:
    """User text as safe paragraph markup: escaped, line breaks kept, control characters dropped."""
    text = "".join(ch for ch in str(value) if ch in "\n\t" or ch.isprintable())
    return escape(text.strip()).replace("\n", "<br/>")


def para(value: Any, style: ParagraphStyle, *, empty: str = DASH) -> Paragraph:
    text = markup(value)
    return Paragraph(text or empty, style)


def table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    footer_rows: int = 0,
    extra: Iterable[tuple[Any, ...]] = (),
) -> Table:
    commands: list[tuple[Any, ...]] = [
        # plain-text cells (amounts, keys) are drawn without a Paragraph: much faster
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL))
        commands.append(("FONTNAME", (0, 0), (-1, 0), f"{FONT}-Bold"))
    if footer_rows:
        commands.append(("BACKGROUND", (0, -footer_rows), (-1, -1), HEAD_FILL))
        commands.append(("FONTNAME", (0, -footer_rows), (-1, -1), f"{FONT}-Bold"))
    commands.extend(extra)
    return Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, style=TableStyle(commands))
