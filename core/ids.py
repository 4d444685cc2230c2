"""Ids that come from outside (a URL, a query string, a form): read once, within what a database
key can hold, so a typed or tampered number answers 404 or a form error, never a server error."""

import django_filters
from django import forms
from django.db import models
from django.urls import register_converter
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet

ID_PATTERN = "[0-9]{1,18}"  # below 2**63: every id a bigint column can hold
MAX_ID = 10**18 - 1


def plain_digits(text: str) -> bool:
    """Digits int() reads: ASCII ones. str.isdigit() is true of superscripts ("²⁰²⁴") too, which
    int() refuses with a ValueError: a server error wherever a parameter was read that way."""
    return text.isascii() and text.isdigit()


def id_or_none(value) -> int | None:
    text = str(value if value is not None else "").strip()
    if not plain_digits(text) or len(text) > 18:
        return None
    return int(text)


class IdConverter:
    """`<id:pk>` in URL patterns: digits a database key can hold; anything else is a 404."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


class ObjectChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses an id no row could have before asking the database."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, models.Model)
            and id_or_none(value) is None
        ):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ObjectChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ObjectChoiceField


class PortalFilterSet(RestFilterSet):
    """The API's filter sets: foreign keys filtered through ObjectChoiceFilter."""

    FILTER_DEFAULTS = {
        **RestFilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {
            "filter_class": ObjectChoiceFilter,
            "extra": lambda f: {"queryset": django_filters.filterset.remote_queryset(f)},
        },
        models.OneToOneField: {
            "filter_class": ObjectChoiceFilter,
            "extra": lambda f: {"queryset": django_filters.filterset.remote_queryset(f)},
        },
    }


class PortalFilterBackend(DjangoFilterBackend):
    filterset_base = PortalFilterSet
