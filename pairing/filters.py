"""django-filter sets for the registry's lists (used by the selectors)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.ids import ObjectChoiceFilter

from .models import Area, Pairing, School


class PairingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    town = ObjectChoiceFilter(
        queryset=Area.objects.filter(kind__in=Area.TOWN_KINDS, pairings__isnull=False)
        .distinct()
        .order_by("name"),
        label=_("Town or subdistrict"),
        empty_label=_("All towns"),
    )
    school = ObjectChoiceFilter(
        queryset=School.objects.order_by("kind", "name"),
        method="filter_school",
        label=_("School"),
        empty_label=_("All schools"),
    )
    status = django_filters.ChoiceFilter(
        choices=Pairing.Status.choices, label=_("Status"), empty_label=_("All")
    )

    class Meta:
        model = Pairing
        fields = ["q", "town", "school", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(town__name__icontains=value)
            | Q(lead_university__name__icontains=value)
            | Q(lead_university__short_name__icontains=value)
            | Q(assisting_schools__name__icontains=value)
            | Q(villages__name__icontains=value)
        ).distinct()

    def filter_school(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(lead_university=value) | Q(assisting_schools=value)).distinct()
