"""Readable differences between two versions of a proposal: sketch against revision.

Pure: no Django. Works on the ``public`` part of a version's canonical content (see
``queries.proposal_content``), where amounts are strings and dates ISO strings.

* texts — title, region, moderation: a word-level diff (``difflib``) as a list of segments
  ``(op, text)`` with ``op`` one of ``equal``/``insert``/``delete``; the form of the lab and the
  challenges: the same segments, one per value (a value is never split into words).
* municipalities — added and removed (by official key), and a change of the lead.
* partners — matched by name and kind; added, removed, changed (with field changes).
* tasks — matched by title, then the remaining ones by position; added, removed, changed.
* budget — per year × cost category old → new with delta; totals; own and Land contributions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"

#: Cost categories in display order (the values of ``models.CostCategory``; a test keeps them in step).
CATEGORY_ORDER: tuple[str, ...] = ("staff", "material", "events", "fees", "travel", "other")
#: The compared fields of a partner and of a task, in display order.
PARTNER_FIELDS: tuple[str, ...] = ("role_in_lab", "cooperation_exists", "confirmation")
TASK_FIELDS: tuple[str, ...] = ("title", "description", "indicator", "target_value", "due_on", "verification")
#: Text fields diffed word by word, then the fields whose values are atoms (keys shown by label).
WORD_FIELDS: tuple[str, ...] = ("title", "region", "moderation")
ITEM_FIELDS: tuple[str, ...] = ("lab_form", "challenges")

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]+")
_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Segment:
    op: str
    text: str


@dataclass(frozen=True)
class TextDiff:
    """One text field; ``segments`` read in order give the old text (equal + delete) and the new
    text (equal + insert)."""

    field: str
    old: str
    new: str
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class FieldChange:
    """A field of a partner or task; ``segments`` only for text values."""

    field: str
    old: Any
    new: Any
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class Place:
    ars: str
    name: str
    kind: str


@dataclass(frozen=True)
class MunicipalityDiff:
    added: tuple[Place, ...]
    removed: tuple[Place, ...]
    old_lead: Place | None
    new_lead: Place | None

    @property
    def lead_changed(self) -> bool:
        return self.old_lead != self.new_lead

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.lead_changed)


@dataclass(frozen=True)
class ItemChange:
    """A partner or task found in both versions whose fields differ."""

    old_label: str
    new_label: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ListDiff:
    added: tuple[Mapping[str, Any], ...]
    removed: tuple[Mapping[str, Any], ...]
    changed: tuple[ItemChange, ...]
    unchanged: int

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class AmountChange:
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class BudgetCell:
    year: int
    category: str
    amount: AmountChange


@dataclass(frozen=True)
class BudgetDiff:
    cells: tuple[BudgetCell, ...]
    year_totals: tuple[tuple[int, AmountChange], ...]
    total: AmountChange
    own_contribution: AmountChange
    state_contribution: AmountChange

    @property
    def changed(self) -> bool:
        amounts = [cell.amount for cell in self.cells]
        amounts += [self.own_contribution, self.state_contribution]
        return any(amount.delta != 0 for amount in amounts)


@dataclass(frozen=True)
class ContentDiff:
    texts: tuple[TextDiff, ...]
    municipalities: MunicipalityDiff
    partners: ListDiff
    tasks: ListDiff
    budget: BudgetDiff

    @property
    def has_changes(self) -> bool:
        return (
            any(text.changed for text in self.texts)
            or self.municipalities.changed
            or self.partners.has_changes
            or self.tasks.has_changes
            or self.budget.changed
        )


# --- texts -------------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Word-level segments. Whitespace between two changes joins them, so a rewritten phrase
    reads as one deletion followed by one insertion instead of word-by-word alternation."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    chunks = [
        (tag, "".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    ]
    segments: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            segments.append(Segment(DELETE, "".join(deleted)))
        if inserted:
            segments.append(Segment(INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, (tag, old_text, new_text) in enumerate(chunks):
        if tag == "equal":
            between = 0 < index < len(chunks) - 1 and chunks[index + 1][0] != "equal"
            if between and not old_text.strip():
                deleted.append(old_text)
                inserted.append(new_text)
                continue
            flush()
            segments.append(Segment(EQUAL, old_text))
            continue
        if old_text:
            deleted.append(old_text)
        if new_text:
            inserted.append(new_text)
    flush()
    return tuple(segments)


def item_diff(old: Sequence[str], new: Sequence[str], separator: str = "\n") -> tuple[Segment, ...]:
    """Segments for lists of atomic values (one segment per value, ``separator`` between them)."""
    items: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, list(old), list(new), autojunk=False).get_opcodes():
        if tag == "equal":
            items += [Segment(EQUAL, value) for value in old[i1:i2]]
            continue
        items += [Segment(DELETE, value) for value in old[i1:i2]]
        items += [Segment(INSERT, value) for value in new[j1:j2]]
    segments: list[Segment] = []
    for index, item in enumerate(items):
        if index:
            segments.append(Segment(EQUAL, separator))
        segments.append(item)
    return tuple(segments)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _labelled(values: Sequence[str], labels: Mapping[str, str]) -> list[str]:
    return [labels.get(value, value) for value in values]


def _texts(old: Mapping[str, Any], new: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[TextDiff, ...]:
    result = [
        TextDiff(
            name,
            _text(old.get(name)),
            _text(new.get(name)),
            word_diff(_text(old.get(name)), _text(new.get(name))),
        )
        for name in WORD_FIELDS
    ]
    for name in ITEM_FIELDS:
        old_value, new_value = old.get(name), new.get(name)
        old_items = list(old_value or []) if name == "challenges" else ([old_value] if old_value else [])
        new_items = list(new_value or []) if name == "challenges" else ([new_value] if new_value else [])
        old_labels, new_labels = _labelled(old_items, labels), _labelled(new_items, labels)
        result.append(
            TextDiff(name, "\n".join(old_labels), "\n".join(new_labels), item_diff(old_labels, new_labels))
        )
    return tuple(result)


# --- municipalities ------------------------------------------------------------------------------


def _place(item: Mapping[str, Any] | None) -> Place | None:
    if not item:
        return None
    return Place(ars=str(item["ars"]), name=str(item.get("name", "")), kind=str(item.get("kind", "")))


def _places(content: Mapping[str, Any]) -> list[Place]:
    lead = _place(content.get("lead_municipality"))
    further = [_place(item) for item in content.get("further_municipalities") or []]
    return [place for place in [lead, *further] if place is not None]


def _municipalities(old: Mapping[str, Any], new: Mapping[str, Any]) -> MunicipalityDiff:
    old_places, new_places = _places(old), _places(new)
    old_keys, new_keys = {p.ars for p in old_places}, {p.ars for p in new_places}
    return MunicipalityDiff(
        added=tuple(p for p in new_places if p.ars not in old_keys),
        removed=tuple(p for p in old_places if p.ars not in new_keys),
        old_lead=_place(old.get("lead_municipality")),
        new_lead=_place(new.get("lead_municipality")),
    )


# --- partners and tasks --------------------------------------------------------------------------


def _field_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], fields: Sequence[str]
) -> tuple[FieldChange, ...]:
    changes = []
    for name in fields:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        texts = isinstance(before, str | None) and isinstance(after, str | None)
        segments = word_diff(_text(before), _text(after)) if texts else ()
        changes.append(FieldChange(name, before, after, segments))
    return tuple(changes)


def _list_diff(
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    pairs: list[tuple[int, int]],
    *,
    fields: Sequence[str],
    label: str,
) -> ListDiff:
    matched_old = {i for i, _j in pairs}
    matched_new = {j for _i, j in pairs}
    changed = []
    unchanged = 0
    for i, j in sorted(pairs, key=lambda pair: pair[1]):
        fields_changed = _field_changes(old[i], new[j], fields)
        if fields_changed:
            changed.append(ItemChange(_text(old[i].get(label)), _text(new[j].get(label)), fields_changed))
        else:
            unchanged += 1
    return ListDiff(
        added=tuple(item for j, item in enumerate(new) if j not in matched_new),
        removed=tuple(item for i, item in enumerate(old) if i not in matched_old),
        changed=tuple(changed),
        unchanged=unchanged,
    )


def _match_by(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], key: Any, pairs: list[tuple[int, int]]
) -> None:
    """Pair each unmatched new item with the first unmatched old item of the same key."""
    taken_old = {i for i, _j in pairs}
    taken_new = {j for _i, j in pairs}
    for j, item in enumerate(new):
        if j in taken_new:
            continue
        for i, candidate in enumerate(old):
            if i not in taken_old and key(candidate) == key(item):
                pairs.append((i, j))
                taken_old.add(i)
                taken_new.add(j)
                break


def _partners(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> ListDiff:
    pairs: list[tuple[int, int]] = []
    _match_by(old, new, lambda p: (_text(p.get("name")).strip(), p.get("kind")), pairs)
    return _list_diff(old, new, pairs, fields=PARTNER_FIELDS, label="name")


def _tasks(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> ListDiff:
    pairs: list[tuple[int, int]] = []
    _match_by(old, new, lambda t: _text(t.get("title")).strip(), pairs)
    taken_old = {i for i, _j in pairs}
    taken_new = {j for _i, j in pairs}
    for j in range(len(new)):
        if j not in taken_new and j < len(old) and j not in taken_old:
            pairs.append((j, j))
    return _list_diff(old, new, pairs, fields=TASK_FIELDS, label="title")


# --- budget --------------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    if value is None or value == "":
        return _ZERO
    return Decimal(str(value))


def _cells(lines: Sequence[Mapping[str, Any]]) -> dict[tuple[int, str], Decimal]:
    cells: dict[tuple[int, str], Decimal] = {}
    for line in lines:
        key = (int(line["year"]), str(line["category"]))
        cells[key] = cells.get(key, _ZERO) + _amount(line["amount"])
    return cells


def _category_rank(category: str) -> tuple[int, str]:
    if category in CATEGORY_ORDER:
        return CATEGORY_ORDER.index(category), category
    return len(CATEGORY_ORDER), category


def _budget(old: Mapping[str, Any], new: Mapping[str, Any]) -> BudgetDiff:
    before, after = _cells(old.get("budget") or []), _cells(new.get("budget") or [])
    keys = sorted(set(before) | set(after), key=lambda key: (key[0], _category_rank(key[1])))
    cells = tuple(
        BudgetCell(
            year,
            category,
            AmountChange(before.get((year, category), _ZERO), after.get((year, category), _ZERO)),
        )
        for year, category in keys
    )
    years = sorted({year for year, _category in keys})
    year_totals = tuple(
        (
            year,
            AmountChange(
                sum((c.amount.old for c in cells if c.year == year), _ZERO),
                sum((c.amount.new for c in cells if c.year == year), _ZERO),
            ),
        )
        for year in years
    )
    return BudgetDiff(
        cells=cells,
        year_totals=year_totals,
        total=AmountChange(sum(before.values(), _ZERO), sum(after.values(), _ZERO)),
        own_contribution=AmountChange(
            _amount(old.get("own_contribution")), _amount(new.get("own_contribution"))
        ),
        state_contribution=AmountChange(
            _amount(old.get("state_contribution")), _amount(new.get("state_contribution"))
        ),
    )


def diff_contents(
    old_public: Mapping[str, Any], new_public: Mapping[str, Any], *, labels: Mapping[str, str] | None = None
) -> ContentDiff:
    """The difference between two ``public`` contents. ``labels`` maps stored keys (the lab's form,
    challenge keys) to the words shown; unknown keys are shown as they are."""
    labels = labels or {}
    return ContentDiff(
        texts=_texts(old_public, new_public, labels),
        municipalities=_municipalities(old_public, new_public),
        partners=_partners(old_public.get("partners") or [], new_public.get("partners") or []),
        tasks=_tasks(old_public.get("tasks") or [], new_public.get("tasks") or []),
        budget=_budget(old_public, new_public),
    )
