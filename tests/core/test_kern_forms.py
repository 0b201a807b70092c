from django import forms
from django.template import Context, Template


class LabForm(forms.Form):
    lab_form = forms.ChoiceField(
        choices=[("place", "Ort"), ("network", "Netzwerk")], widget=forms.RadioSelect
    )
    challenges = forms.MultipleChoiceField(
        choices=[("klima", "Klimawandel")], widget=forms.CheckboxSelectMultiple, required=False
    )


def _render(form: forms.Form) -> str:
    template = Template(
        '{% include "includes/form_field.html" with field=form.lab_form %}'
        '{% include "includes/form_field.html" with field=form.challenges %}'
    )
    return template.render(Context({"form": form}))


def test_choice_lists_get_kern_classes():
    html = _render(LabForm())
    assert 'id="id_lab_form_0" required class="kern-form-check__radio">' in html
    assert 'id="id_challenges_0" class="kern-form-check__checkbox">' in html


def test_choice_lists_with_errors_get_the_error_variant():
    form = LabForm(data={})
    assert not form.is_valid()
    html = _render(form)
    assert 'class="kern-form-check__radio kern-form-check__radio--error"' in html
