"""The forms' renderer (settings.FORM_RENDERER): Django's, but a select's options are written in
Python.

Django draws each `<option>` by including two templates, the option's and its attributes': a
select of the 300 units took 13 ms, more than the rest of its page, and a page with two such
filters twice that. Here the same markup, byte for byte, is written once per select
(tests/deputies/test_form_renderer.py renders both ways and compares them). Every other
widget, and a select whose options have templates of their own, is Django's.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select(widget: dict[str, Any]) -> str | None:
    """What django/forms/widgets/select.html writes for `widget` (its context), or None when
    an option has another template."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            written = select(context["widget"])
            if written is not None:
                return written
        return super().render(template_name, context, request)
