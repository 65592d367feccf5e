"""The forms' renderer writes a select exactly as Django's templates do, only faster."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from deputies.form_renderer import FormRenderer, select
from handling.models import Unit
from tests import factories as f


class _Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲"), ("b&c", '<b>"乙"</b>'), (3, 3)], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("城区", [("1", "一"), ("2", "二")]), ("郊区", [("3", mark_safe("<i>三</i>"))])],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")], required=False)
    yes_no = forms.NullBooleanField(required=False)
    flagged = forms.ChoiceField(
        choices=[("1", "一")],
        widget=forms.Select(attrs={"required": True, "disabled": False, "data-x": 'a"b', "class": "wide"}),
    )


def _both(form: forms.Form, name: str) -> tuple[str, str]:
    """The field's widget written by Django's templates and by ours (in Python: never by
    falling back to the templates)."""
    field = form[name]
    widget, attrs = field.field.widget, field.build_widget_attrs({"id": field.auto_id})
    ours = select(widget.get_context(field.html_name, field.value(), attrs)["widget"])
    assert ours is not None
    assert str(widget.render(field.html_name, field.value(), attrs, FormRenderer())) == ours
    return str(widget.render(field.html_name, field.value(), attrs, DjangoTemplates())), ours


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "b&c", "grouped": "3", "many": ["x", "z"], "yes_no": "true", "flagged": "1"},
        {"plain": "3", "grouped": "1", "many": ["y"], "yes_no": "false"},
    ],
)
@pytest.mark.parametrize("name", ["plain", "grouped", "many", "yes_no", "flagged"])
def test_a_select_is_written_as_djangos_templates_write_it(data, name):
    django_written, ours = _both(_Choices(data or None), name)
    assert ours == django_written


@pytest.mark.django_db
def test_a_select_of_units_is_written_as_djangos_templates_write_it():
    for name in ("区教育局", "区交通运输局", "A&B <局>"):
        f.UnitFactory(name=name)

    class UnitForm(forms.Form):
        unit = forms.ModelChoiceField(Unit.objects.order_by("name"), required=False, empty_label="全部单位")
        units = forms.ModelMultipleChoiceField(Unit.objects.order_by("name"), required=False)

    chosen = Unit.objects.order_by("name").first()
    form = UnitForm({"unit": chosen.pk, "units": [chosen.pk]})
    for name in ("unit", "units"):
        django_written, ours = _both(form, name)
        assert ours == django_written
        assert "A&amp;B &lt;局&gt;" in ours


def test_the_forms_renderer_is_the_one_every_form_uses(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "deputies.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
