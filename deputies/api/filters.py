"""A list's filters are its page's filter form: the endpoint reads the query string with that
form (the same names, the same checks) and the schema documents each of its fields, so the
API's filter names are the pages' and never drift from them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import QueryDict
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError


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


def form_data(data: Any) -> QueryDict:
    """A JSON body as a page's form reads a POST: lists as repeated values, null as empty."""
    query = QueryDict(mutable=True)
    for name, value in data.items() if hasattr(data, "items") else []:
        values = value if isinstance(value, list) else [value]
        query.setlist(
            str(name), ["" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in values]
        )
    return query
