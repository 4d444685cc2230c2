"""REST API of the registry (/api/v1/): read-only, scoped by the same selectors as the pages."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from core.api import PolicyPermission
from core.ids import ID_PATTERN, plain_digits
from core.page_cache import CachedReads
from core.policy import scope_of

from .compliance import breaches_of
from .filters import PairingFilter
from .models import (
    Area,
    JointMeeting,
    Membership,
    Pairing,
    Person,
    PracticeBase,
    Programme,
    Residency,
    School,
    ServiceTeam,
)
from .selectors import bases_visible_to, pairings_visible_to, programmes_visible_to, teams_visible_to


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "city",
            "kind",
            "counterpart_label",
            "reporters",
            "rules",
            "start_date",
            "end_date",
            "report_due_day",
            "first_report_month",
            "min_team_size",
            "min_residency_days_per_year",
            "min_joint_meetings_per_year",
            "agreement_deadline_days",
            "practice_bases_per_pairing",
        ]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "name", "kind", "parent"]


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "name", "short_name", "kind"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "school", "position", "is_school_leader", "title_grade", "phone", "email"]


@extend_schema_field({"type": "array", "items": {"type": "integer"}, "readOnly": True})
class IdList(serializers.Field):
    """The ids of a prefetched plain list (to_attr): Django builds no related manager and queryset per
    pairing for it, as it does for a relation read with .all()."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return [item.pk for item in value]


class PairingSerializer(serializers.ModelSerializer):
    assisting_schools = IdList(source="assisting_list")
    villages = IdList(source="village_list")
    compliance = serializers.SerializerMethodField(
        help_text="Breaches per rule for ?year= (by default the year of its programme's last month, as "
        "the pages show); {} when the pairing did not run that year."
    )
    compliance_year = serializers.SerializerMethodField(help_text="The year `compliance` is for.")

    class Meta:
        model = Pairing
        fields = [
            "id",
            "programme",
            "number",
            "lead_university",
            "assisting_schools",
            "town",
            "villages",
            "lead_unit",
            "start_date",
            "status",
            "end_date",
            "end_reason",
            "compliance",
            "compliance_year",
        ]

    def get_compliance(self, pairing) -> dict[str, list[str]]:
        return self.context.get("compliance", {}).get(pairing.pk, {})

    def get_compliance_year(self, pairing) -> int | None:
        return self.context.get("compliance_years", {}).get(pairing.pk)


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = ProgrammeSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]

    def get_queryset(self):
        return programmes_visible_to(self.request.user)


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    queryset = Area.objects.order_by("kind", "name")
    serializer_class = AreaSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_fields = ["kind", "parent"]


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    queryset = School.objects.order_by("kind", "name")
    serializer_class = SchoolSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_fields = ["kind"]


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People on the teams of the pairings the user may see (contacts are not public)."""

    lookup_value_regex = ID_PATTERN
    serializer_class = PersonSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_fields = ["school", "title_grade", "is_school_leader"]

    def get_queryset(self):
        if scope_of(self.request.user).everything:
            return Person.objects.order_by("school", "name")
        # A liaison's pairings are a handful: their ids are read first and passed as values, so the
        # database reads their teams' members by index. A DISTINCT over the joined rows, or a subquery
        # it guessed at half the province's pairings, took 40-60 ms twice a page at 10,000 pairings.
        pairing_ids = list(pairings_visible_to(self.request.user).values_list("pk", flat=True))
        members = Membership.objects.filter(team__pairing_id__in=pairing_ids).values("person_id")
        return Person.objects.filter(pk__in=members).order_by("name", "pk")


class PairingApiFilter(PairingFilter):
    class Meta(PairingFilter.Meta):
        fields = [*PairingFilter.Meta.fields, "programme"]

    @extend_schema_field(OpenApiTypes.INT)  # a school's id: the schema cannot read it from a method filter
    def filter_school(self, queryset, name, value):
        return super().filter_school(queryset, name, value)


class PairingViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = PairingSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = PairingApiFilter

    def get_queryset(self):
        return (
            pairings_visible_to(self.request.user)
            .select_related("programme")  # its rules, for the compliance of the page
            .prefetch_related(
                Prefetch("assisting_schools", queryset=School.objects.only("pk"), to_attr="assisting_list"),
                Prefetch("villages", queryset=Area.objects.only("pk"), to_attr="village_list"),
            )
            .order_by("programme_id", "number")
        )

    def year(self, programme: Programme | None = None) -> int | None:
        """The year of the compliance shown (?year=), None by default; a malformed one is refused (400),
        and for one pairing a year its programme does not run, naming the years it does (as its page)."""
        text = self.request.query_params.get("year", "").strip()
        if not text:
            return None
        if not (plain_digits(text) and len(text) == 4):
            raise exceptions.ValidationError({"year": [_("Enter a year such as 2024.")]})
        years = programme.report_years() if programme is not None else range(2000, 2101)
        if int(text) not in years:
            raise exceptions.ValidationError(
                {
                    "year": [
                        _("%(year)s is not a year of this programme: it runs %(first)s–%(last)s.")
                        % {"year": text, "first": years[0], "last": years[-1]}
                        if programme is not None
                        else _("Enter a year from %(first)s to %(last)s.")
                        % {"first": years[0], "last": years[-1]}
                    ]
                }
            )
        return int(text)

    def with_compliance(self, pairings: list, programme: Programme | None = None) -> dict:
        """Each pairing's breaches in the year asked for, or by default in the year its programme's
        pages open on (the year of its last month: an ended programme's last year, not this one)."""
        asked = self.year(programme)
        years = {pairing.pk: asked or pairing.programme.last_month().year for pairing in pairings}
        compliance = {}
        for year in set(years.values()):
            compliance |= breaches_of([p for p in pairings if years[p.pk] == year], year=year)
        return {**self.get_serializer_context(), "compliance": compliance, "compliance_years": years}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(page, many=True, context=self.with_compliance(page))
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        pairing = self.get_object()
        context = self.with_compliance([pairing], pairing.programme)
        return Response(self.get_serializer(pairing, context=context).data)


class MembershipSerializer(serializers.ModelSerializer):
    pairing = serializers.IntegerField(source="team.pairing_id", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "pairing", "team", "person", "role", "joined_on", "left_on"]


class MembershipFilter(filters.FilterSet):
    """A team's members by the pairing, as the answer names it (?pairing=6), as well as by team."""

    pairing = filters.NumberFilter(field_name="team__pairing", label="pairing")
    programme = filters.NumberFilter(field_name="team__programme", label="programme")

    class Meta:
        model = Membership
        fields = ["programme", "pairing", "team", "role"]


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_class = MembershipFilter

    def get_queryset(self):
        return (
            Membership.objects.filter(team__in=teams_visible_to(self.request.user))
            .select_related("team")
            .order_by("team", "role", "pk")
        )


class ResidencySerializer(serializers.ModelSerializer):
    days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Residency
        fields = ["id", "team", "people", "start_date", "end_date", "days", "place", "note"]


class ResidencyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = ResidencySerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_fields = ["team", "place"]

    def get_queryset(self):
        return (
            Residency.objects.filter(team__in=teams_visible_to(self.request.user))  # as the teams
            .prefetch_related("people")
            .order_by("start_date", "pk")
        )


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = JointMeeting
        fields = ["id", "pairing", "held_on", "attendees", "minutes", "decisions"]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = MeetingSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_fields = ["pairing"]

    def get_queryset(self):
        return JointMeeting.objects.filter(pairing__in=pairings_visible_to(self.request.user)).order_by(
            "-held_on"
        )


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ServiceTeam
        fields = ["id", "programme", "pairing", "name", "members"]  # no pairing: the programme's own team


def programme_wide_filter() -> filters.TypedChoiceFilter:
    """?programme_wide=true: the programme's own rows (of no pairing); false: a pairing's. Any other
    value answers 400, not every row."""
    return filters.TypedChoiceFilter(
        field_name="pairing",
        lookup_expr="isnull",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        label="programme_wide",
    )


class TeamFilter(filters.FilterSet):
    """A programme's teams, a pairing's, or (?programme_wide=true) the programme's own, of no pairing."""

    programme_wide = programme_wide_filter()

    class Meta:
        model = ServiceTeam
        fields = ["programme", "pairing", "programme_wide"]


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_class = TeamFilter

    def get_queryset(self):
        return teams_visible_to(self.request.user).prefetch_related("members").order_by("programme_id", "pk")


class PracticeBaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PracticeBase
        fields = ["id", "programme", "pairing", "kind", "name", "place", "established_on", "description"]


class PracticeBaseFilter(filters.FilterSet):
    """A programme's bases, a pairing's, or (?programme_wide=true) the programme's own, of no pairing."""

    programme_wide = programme_wide_filter()

    class Meta:
        model = PracticeBase
        fields = ["programme", "pairing", "kind", "programme_wide"]


class PracticeBaseViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = PracticeBaseSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_class = PracticeBaseFilter

    def get_queryset(self):
        return bases_visible_to(self.request.user).order_by("programme_id", "pk")
