"""Render Django form fields with KERN UX markup and accessible error wiring.

``{% load kern_forms %}`` then ``{% include "includes/form_field.html" with field=form.email %}``;
the include uses ``{{ field|kern_widget }}``, which renders the widget with the KERN class, and
with ``aria-describedby`` pointing at the hint and the error message and ``aria-invalid`` set
when the field has errors. The ids are ``<auto_id>_helptext`` (Django's own convention) and
``<auto_id>_error``.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundWidget
from django.utils.safestring import SafeString

register = template.Library()


def _base_class(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "kern-form-check__checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.Select):
        return "kern-form-input__select"
    return "kern-form-input__input"


@register.filter
def kern_widget(field: forms.BoundField) -> SafeString:
    attrs: dict[str, str | bool] = {}
    base = _base_class(field)
    if base:
        attrs["class"] = f"{base} {base}--error" if field.errors else base
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_select(field: forms.BoundField) -> bool:
    widget = field.field.widget
    return isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect)


@register.filter
def is_choice_list(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def error_target(field: forms.BoundField) -> str:
    """The id an error summary links to: the field's input, or for a choice list (radio buttons,
    checkboxes) its first option (``<auto_id>_0``), since the list as a whole has no id."""
    if is_choice_list(field):
        options = field.subwidgets
        return str(options[0].id_for_label) if options else str(field.auto_id)
    return str(field.id_for_label or field.auto_id)


@register.filter
def kern_choice(choice: BoundWidget, errors: object = None) -> SafeString:
    """One radio button or checkbox of a choice list, with KERN's class (error variant if ``errors``).

    ``{{ choice|kern_choice:field.errors }}`` inside ``{% for choice in field %}``.
    """
    base = "kern-form-check__radio" if choice.data.get("type") == "radio" else "kern-form-check__checkbox"
    css_class = f"{base} {base}--error" if errors else base
    data = {
        **choice.data,
        "attrs": {**(choice.data.get("attrs") or {}), "class": css_class},
        "wrap_label": False,
    }
    # Django's own rendering of one option (BoundWidget.tag), with our class added.
    return choice.parent_widget._render(choice.template_name, {"widget": data}, choice.renderer)  # type: ignore[attr-defined]  # Widget._render exists (BoundWidget.tag uses it)
