"""A list's filters are its page's filter form: the endpoint reads the query string with that
form (the same names, the same checks) and the schema documents each of its fields, so the
API's filter names are the pages' and never drift from them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django import forms
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

F = TypeVar("F", bound=forms.Form)


def _type(field: forms.Field) -> Any:
    if isinstance(field, (forms.IntegerField, forms.ModelChoiceField)):
        return OpenApiTypes.INT
    if isinstance(field, forms.BooleanField):
        return OpenApiTypes.BOOL
    if isinstance(field, forms.DateField):
        return OpenApiTypes.DATE
    return OpenApiTypes.STR


def form_parameters(form: forms.Form) -> list[OpenApiParameter]:
    """One query parameter per field of `form`, with its label as its description."""
    return field_parameters(form.fields)


def field_parameters(fields: Mapping[str, forms.Field]) -> list[OpenApiParameter]:
    """One query parameter per form field, by name (a form whose fields are known without
    building it, e.g. without reading its choices from the database)."""
    parameters = []
    for name, field in fields.items():
        many = isinstance(field, forms.MultipleChoiceField)
        # A fixed choice is an enum; a model's rows (ids) are not listed in the schema.
        fixed = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField)
        choices = getattr(field, "choices", None) if fixed else None
        enum = [str(value) for value, _label in choices or [] if value != ""] or None
        parameters.append(
            OpenApiParameter(
                name,
                _type(field),
                description=str(field.label or name),
                many=many,
                enum=enum,
                explode=True if many else None,
            )
        )
    return parameters


class FormFilterSchema(AutoSchema):
    """The schema of a list filtered by a form: the view names the form in `filter_form`."""

    def get_override_parameters(self) -> list[Any]:
        form_class = getattr(self.view, "filter_form", None)
        own = list(super().get_override_parameters())
        if form_class is None or self.method != "GET":
            return own
        return [*own, *form_parameters(form_class())]


def invalid(form: forms.Form) -> ValidationError:
    """A filter form's errors as the API's 400 answer, per field, in Chinese."""
    return ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})


def _given(data: Any) -> dict[str, list[Any]]:
    """A request's body by field, each with its values: a form-encoded body's as they came, a
    JSON object's a list as its values and anything else as one; a body that is no object has
    none."""
    if isinstance(data, MultiValueDict):
        return {str(name): list(given) for name, given in data.lists()}
    if isinstance(data, Mapping):
        return {str(name): value if isinstance(value, list) else [value] for name, value in data.items()}
    return {}


def form_data(data: Any, kept: Mapping[str, Any] | None = None) -> QueryDict:
    """A request's body as a page's form reads a POST: lists as repeated values, null as empty,
    true and false as a ticked box reads them. A field the body leaves out keeps its value in
    `kept`. A body that is no object gives no values (the form then says what is missing); a
    value that is itself an object is refused by its field's name, since no form field reads one."""
    values = {str(name): [value] for name, value in (kept or {}).items()} | _given(data)
    query = QueryDict(mutable=True)
    wrong = {}
    for name, given in values.items():
        if any(isinstance(v, (Mapping, list)) for v in given):
            wrong[name] = [_("Give text, a number, true or false here (or a list of them), not an object.")]
            continue
        query.setlist(name, ["" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in given])
    if wrong:
        raise ValidationError(wrong)
    return query


def documented(data: Any, serializer: type[serializers.Serializer[Any]]) -> dict[str, list[Any]]:
    """The fields of a request's body that its serializer documents (others are ignored, as
    DRF ignores them)."""
    names = serializer().fields.keys()
    return {name: given for name, given in _given(data).items() if name in names}


def page_form(
    form_class: type[F],
    data: Any,
    serializer: type[serializers.Serializer[Any]],
    *,
    kept: Mapping[str, Any] | None = None,
    **options: Any,
) -> F:
    """The page's form over a request's body, valid, else the API's 400 with the form's own
    messages. The serializer only describes the body in the schema and names the fields taken;
    the page's form judges them, so a wrong field is told as on the page, in Chinese, by one
    rule. A field left out keeps its value in `kept`; `options` go to the form."""
    form = form_class(form_data(documented(data, serializer), kept), **options)
    if not form.is_valid():
        raise invalid(form)
    return form
