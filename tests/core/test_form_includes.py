"""The shared form includes: the error summary links every error to an element that exists (the
first option of a radio or checkbox list), and the "optional" mark can be left out (filter forms)."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string

from oglabs.core.templatetags.kern_forms import error_target

CHOICES = [("place", "Ort"), ("network", "Netzwerk")]


class SampleForm(forms.Form):
    title = forms.CharField(label="Titel")
    lab_form = forms.ChoiceField(label="Form", choices=CHOICES, widget=forms.RadioSelect)
    challenges = forms.MultipleChoiceField(
        label="Herausforderungen", choices=CHOICES, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label="Art", choices=CHOICES)
    agree = forms.BooleanField(label="Einverstanden")
    note = forms.CharField(label="Anmerkung", required=False)


def _page(form: forms.Form, **include: object) -> str:
    summary = render_to_string("includes/error_summary.html", {"form": form})
    extra = " ".join(f"{key}={value}" for key, value in include.items())
    fields = Template(
        "{% for field in form %}{% include 'includes/form_field.html' with field=field "
        + extra
        + " %}{% endfor %}"
    ).render(Context({"form": form}))
    return summary + fields


def test_error_summary_links_each_error_to_an_existing_element() -> None:
    form = SampleForm(data={"note": "x"})
    assert not form.is_valid()
    html = _page(form)
    targets = re.findall(r'<a href="#([^"]+)">', html)
    assert targets == ["id_title", "id_lab_form_0", "id_challenges_0", "id_kind", "id_agree"]
    for target in targets:
        assert f'id="{target}"' in html, target


def test_error_target_of_a_choice_list_is_its_first_option() -> None:
    form = SampleForm(data={}, auto_id="f-%s")
    assert error_target(form["lab_form"]) == "f-lab_form_0"
    assert error_target(form["challenges"]) == "f-challenges_0"
    assert error_target(form["title"]) == "f-title"


def test_optional_field_is_marked_optional_by_default() -> None:
    html = _page(SampleForm())
    assert html.count("– optional") == 1
    assert re.search(r"Anmerkung\s*<span class=\"kern-label__optional\">– optional</span>", html)


def test_optional_mark_is_left_out_with_optional_hint_false() -> None:
    html = _page(SampleForm(), optional_hint="False")
    assert "optional" not in html
    assert "Anmerkung" in html
