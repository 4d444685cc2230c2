"""django-filter sets for the registry's lists (used by the selectors).

Towns and schools are chosen by typing (search-as-you-type, pairing/views.py `choices_view`), never
from a list of the whole registry: the visible field is a name (`town_q`, `school_q`), the id
(`town`, `school`) is filled in by the page's script or, without it, found here by exact name.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.ids import ObjectChoiceFilter

from .models import Area, Pairing, School
from .selectors import pairing_party_of


class PairingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    town = ObjectChoiceFilter(
        queryset=Area.objects.filter(pairings__isnull=False).distinct().order_by("name"),
        label=_("Counterpart"),
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

    def __init__(self, data=None, *args, queryset=None, **kwargs):
        self.name_errors: list[str] = []
        if data is not None and queryset is not None:
            data = self._ids_from_names(data.copy(), queryset)
        super().__init__(data, *args, queryset=queryset, **kwargs)

    def _ids_from_names(self, data, pairings):
        """A town or school typed by name (no script, or not picked from the suggestions) is looked up
        among the pairings the user may see; an unknown or ambiguous name is said, not ignored."""
        town_name = (data.get("town_q") or "").strip()
        if town_name and not data.get("town"):
            towns = list(
                Area.objects.filter(pk__in=pairings.values("town_id"), name=town_name).values_list(
                    "pk", flat=True
                )[:2]
            )
            if len(towns) == 1:
                data["town"] = str(towns[0])
            elif towns:
                self.name_errors.append(
                    gettext("Several towns are called %(name)s: pick one from the suggestions.")
                    % {"name": town_name}
                )
            else:
                self.name_errors.append(
                    gettext("No pairing is in a town called %(name)s.") % {"name": town_name}
                )
        school_name = (data.get("school_q") or "").strip()
        if school_name and not data.get("school"):
            school = School.objects.filter(name=school_name).values_list("pk", flat=True).first()
            if school is None:
                self.name_errors.append(
                    gettext("There is no school called %(name)s.") % {"name": school_name}
                )
            else:
                data["school"] = str(school)
        return data

    @property
    def problems(self) -> list[str]:
        """What could not be understood, in words (names, then the form's own errors, each after the
        label of the filter it is about, said once per filter)."""
        problems = list(self.name_errors)
        for name, errors in self.form.errors.items():
            field = self.form.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            problems.append(
                gettext("%(filter)s: %(problem)s") % {"filter": label, "problem": " ".join(map(str, errors))}
            )
        return problems

    @property
    def chosen_town_name(self) -> str:
        return self.chosen_name("town")

    @property
    def chosen_school_name(self) -> str:
        return self.chosen_name("school")

    def chosen_name(self, field: str) -> str:
        """The name shown in the visible field: the chosen town's or school's, else what was typed."""
        value = self.form.cleaned_data.get(field) if self.is_bound and self.form.is_valid() else None
        if value is not None:
            return value.name
        return (self.data.get(f"{field}_q") or "") if self.data else ""

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The many-valued parties as subqueries of pairing ids, not joins: joined, each pairing came
        # back once per village and assisting school and needed a DISTINCT over them all (78 ms of SQL
        # at 10,000 pairings for a search matching a city's pairings; 20 ms this way).
        assisted = Pairing.assisting_schools.through.objects.filter(school__name__icontains=value)
        villages = Pairing.villages.through.objects.filter(area__name__icontains=value)
        return queryset.filter(
            Q(town__name__icontains=value)
            | Q(lead_university__name__icontains=value)
            | Q(lead_university__short_name__icontains=value)
            | Q(pk__in=assisted.values("pairing_id"))
            | Q(pk__in=villages.values("pairing_id"))
        )

    def filter_school(self, queryset, name, value):
        if value is None:
            return queryset
        return pairing_party_of(queryset, value)
