"""REST API of the reports (/api/v1/): the same lifecycle and rules as the pages, through the same
services and the same month engine. Every detail URL and action first finds its object through
the caller's door (404 for outsiders, whatever the body), then asks the policy (403), and only
then reads the body."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.api import CachedCountPagination, PolicyPermission
from core.cache import cached_figures
from core.ids import ID_PATTERN
from core.months import InvalidMonth, Month
from core.numbers import plain_number
from core.page_cache import CachedReads
from core.policy import can, school_id_of, scope_of
from pairing.models import Programme
from pairing.selectors import (
    pairings_reported_by,
    pairings_visible_to,
    programme_chosen,
    programme_from,
    programmes_visible_to,
)

from .expectations import (
    ExpectedPaginator,
    State,
    as_rows,
    filters_for_state,
    month_figures,
    state_filter_names,
)
from .figures import cached_figure_results
from .models import IndicatorValue, MonthlyReport, MonthlySummary
from .selectors import as_of, cached_tally, reports_visible_to, summaries_visible_to
from .services import (
    category_codes,
    report_accept,
    report_return,
    report_save_draft,
    report_start,
    report_submit,
)
from .totals import InvalidPeriod, requested_period, totals_seen_by


def as_api_error(error: Exception) -> exceptions.APIException:
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def month_parameter(text: str | None, field: str = "month") -> Month:
    try:
        return Month.parse(text)
    except InvalidMonth as error:
        raise exceptions.ValidationError({field: [str(error)]}) from None


class ReportSerializer(serializers.ModelSerializer):
    values = serializers.SerializerMethodField()
    due_date = serializers.DateField(read_only=True)
    late_from = serializers.DateTimeField(read_only=True)
    is_late = serializers.BooleanField(read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "pairing",
            "school",
            "month",
            "status",
            "version",
            "values",
            "narratives",
            "difficulties",
            "next_month_plan",
            "due_date",
            "late_from",
            "first_submitted_at",
            "submitted_at",
            "is_late",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = fields

    def get_values(self, report) -> dict[str, str]:
        if "values" in self.context:  # a list's page: read together (ReportViewSet.list)
            pairs = self.context["values"].get(report.pk, [])
        elif "values" in getattr(report, "_prefetched_objects_cache", {}):
            pairs = ((v.indicator.code, v.value) for v in report.values.all())
        else:  # one report after an action: one query, not the two of a prefetch
            pairs = report.values.values_list("indicator__code", "value")
        return {code: format(value, "f") for code, value in pairs}


class ReportCreateSerializer(serializers.Serializer):
    pairing = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")


class ReportDraftSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a stale one is refused.")
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True), required=False
    )
    narratives = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    difficulties = serializers.CharField(allow_blank=True, required=False, help_text="Left out: kept.")
    next_month_plan = serializers.CharField(allow_blank=True, required=False, help_text="Left out: kept.")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True)


class ReportFilter(django_filters.FilterSet):
    """The reports' filters; `programme` is the pairing's (an unknown one answers 400, as on the
    pairings and summaries)."""

    programme = django_filters.ModelChoiceFilter(
        field_name="pairing__programme",
        queryset=lambda request: programmes_visible_to(request.user) if request else Programme.objects.none(),
        label=gettext_lazy("programme"),
    )

    class Meta:
        model = MonthlyReport
        fields = ["status", "school", "pairing", "programme"]


class ReportViewSet(CachedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = ReportSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_permissions = {
        "partial_update": "report.write",
        "submit": "report.write",
        "accept": "report.review",
        "return_": "report.review",
    }
    filterset_class = ReportFilter
    pagination_class = CachedCountPagination
    count_versions = ("expectations", "reports")  # a report's transition or a pairing changes the count

    def get_queryset(self):
        reports = (
            reports_visible_to(self.request.user)
            .select_related("pairing__programme")
            .order_by("-month", "pairing_id", "school_id")
        )
        if self.action != "list":  # the policy's check of one report reads its pairing's parties
            reports = reports.prefetch_related("pairing__assisting_schools")
        if self.action == "retrieve":  # an action reads its values after it has run; a list in `list`
            reports = reports.prefetch_related("values__indicator")
        month = self.request.query_params.get("month") if self.action == "list" else None
        if month:
            reports = reports.filter(month=month_parameter(month).first_day)
        return reports

    def list(self, request, *args, **kwargs):
        """A page of reports with their values read as plain (report, code, value) rows in one query:
        a page of 50 reports holds 750 values, and making each a model (with its indicator) was most
        of the list's time."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        values: dict[int, list] = {}
        rows = IndicatorValue.objects.filter(report__in=[report.pk for report in page]).order_by(
            "report_id", "pk"
        )
        for report_id, code, value in rows.values_list("report_id", "indicator__code", "value"):
            values.setdefault(report_id, []).append((code, value))
        context = {**self.get_serializer_context(), "values": values}
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)

    def run(self, step, **kwargs):
        try:
            report = step(**kwargs)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise as_api_error(error) from None
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    def create(self, request):
        """Start (or open) the caller's school's report for a pairing and month; school liaisons only.
        The pairing is found through the caller's door first (404), then the policy asked (403), and
        only then is the rest of the body read."""
        if not can(request.user, "report.own"):
            raise exceptions.PermissionDenied()
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                {"pairing": [_("Send an object with the pairing and the month.")]}
            )
        pairing_id = serializers.IntegerField().run_validation(request.data.get("pairing"))
        pairing = get_object_or_404(
            pairings_reported_by(request.user).select_related("programme"), pk=pairing_id
        )
        if not can(request.user, "report.start", pairing):
            raise exceptions.PermissionDenied()
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        month = month_parameter(data.validated_data["month"])
        existed = MonthlyReport.objects.filter(
            pairing=pairing, school_id=school_id_of(request.user), month=month.first_day
        ).exists()
        response = self.run(report_start, pairing=pairing, month=month, user=request.user)
        # 201 when the report is started now; 200 when it was already (a retried request opens it).
        response.status_code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return response

    def partial_update(self, request, pk=None):
        """Save the draft: values by indicator code, narratives by kind of cooperation, texts."""
        report = self.get_object()
        data = ReportDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        # A PATCH changes what it sends and keeps the rest: a narrative, a text or a value left out
        # stays as it was (values are changed one by one by the service already).
        narratives = {**report.narratives, **fields.get("narratives", {})}
        unknown = sorted(set(fields.get("narratives", {})) - set(category_codes(report)))
        if unknown:
            raise exceptions.ValidationError(
                {"narratives": [_("Unknown kind of cooperation: %(codes)s.") % {"codes": ", ".join(unknown)}]}
            )
        return self.run(
            report_save_draft,
            report=report,
            user=request.user,
            values=fields.get("values", {}),
            narratives=narratives,
            difficulties=fields.get("difficulties", report.difficulties),
            next_month_plan=fields.get("next_month_plan", report.next_month_plan),
            expected_version=fields["version"],
        )

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.run(report_submit, report=self.get_object(), user=request.user)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.run(report_accept, report=self.get_object(), reviewer=request.user)

    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        report = self.get_object()
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.run(
            report_return, report=report, reviewer=request.user, comment=data.validated_data["comment"]
        )


class SummarySerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    is_stale = serializers.BooleanField(
        read_only=True, help_text="A report of the month changed after it was compiled: out of date."
    )
    workbook_url = serializers.SerializerMethodField()

    class Meta:
        model = MonthlySummary
        fields = [
            "id",
            "programme",
            "month",
            "state",
            "progress",
            "started_at",
            "finished_at",
            "compiled_from",
            "source_changed_at",
            "is_stale",
            "failure_reason",
            "counts",
            "totals",
            "workbook_url",
        ]

    def get_workbook_url(self, summary) -> str | None:
        if not summary.workbook:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("reporting:summary_workbook", args=[summary.pk])
        )


class SummaryViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    """The compiled months: bureau and commanders see them; for anyone else the list is empty."""

    lookup_value_regex = ID_PATTERN
    serializer_class = SummarySerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    filterset_fields = ["programme", "state"]

    def get_queryset(self):
        return summaries_visible_to(self.request.user).order_by("-month", "programme_id")


class MonthCountsSerializer(serializers.Serializer):
    """The counts of Tally.as_dict(): the same names on the pages, in the workbook and here."""

    expected = serializers.IntegerField()
    on_time = serializers.IntegerField(
        help_text="First submitted on time, whatever happened since (returned and accepted reports included)."
    )
    late = serializers.IntegerField(help_text="First submitted late, whatever happened since.")
    missing = serializers.IntegerField()
    pending = serializers.IntegerField()
    returned = serializers.IntegerField()
    waiting_review = serializers.IntegerField()
    accepted = serializers.IntegerField()
    counted = serializers.IntegerField()


class MonthFiguresSerializer(serializers.Serializer):
    """The shape of a month's live figures (the schema's description; the view writes the dict)."""

    month = serializers.CharField(help_text="YYYY-MM")
    programme = serializers.IntegerField()
    counts = MonthCountsSerializer()
    totals = serializers.DictField(
        child=serializers.CharField(), help_text="Indicator code: total over the counted reports."
    )
    summary = SummarySerializer(allow_null=True, help_text="The month's compilation, if there is one.")


class ExpectedReportSerializer(serializers.Serializer):
    """One expected report of a month: the shape of /months/{month}/reports/."""

    pairing = serializers.IntegerField()
    number = serializers.IntegerField()
    school = serializers.IntegerField()
    school_name = serializers.CharField()
    report = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=State.ALL)
    reopened = serializers.BooleanField(
        help_text="A returned report whose return was a reopening of the accepted report (counted as returned)."
    )
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.BooleanField()


class ExpectedReportPageSerializer(serializers.Serializer):
    """A page of expected reports, as the API's page-number pagination writes it."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExpectedReportSerializer(many=True)


MONTH_PARAMETERS = [
    OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-MM"),
    OpenApiParameter(
        "programme",
        OpenApiTypes.INT,
        description="A programme's id; the first one the caller sees if left out.",
    ),
]


class ExpectedRowsPagination(PageNumberPagination):
    """Pages a month's expected rows as the review queue does (reporting.expectations.ExpectedPaginator):
    a page reads the rows up to its end only, and the total is the month's cached tally's, not a
    count of every row (at 10,000 pairings a page of the month took 0.4 s)."""

    def paginate_rows(self, request, view, *, month, tally, **filters):
        self.django_paginator_class = lambda _rows, per_page: ExpectedPaginator(
            month, per_page, tally=tally, **filters
        )
        return self.paginate_queryset(None, request, view)


class MonthViewSet(CachedReads, viewsets.GenericViewSet):
    """A month's live figures (/api/v1/months/2024-02/?programme=1) and its expected reports with their
    states (/api/v1/months/2024-02/reports/?state=missing), from the same engine as the pages."""

    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_permissions = {"retrieve": "report.queue", "reports": "report.queue"}
    lookup_value_regex = r"[^/]+"
    lookup_field = "month"
    policy_object_level = False  # a month is not an object: its permission is checked up front
    pagination_class = ExpectedRowsPagination

    def _programme(self):
        programme, _programmes = programme_chosen(
            self.request.user, self.request.query_params.get("programme")
        )
        if programme is None:
            raise exceptions.NotFound(_("No such programme."))
        return programme

    def _month(self, text: str, programme) -> Month:
        """The month of the URL, if the programme has reports in it (400 saying why not)."""
        period = month_parameter(text)
        problem = programme.month_problem(period, writing=False)
        if problem:
            raise exceptions.ValidationError({"month": [problem]})
        return period

    @extend_schema(parameters=MONTH_PARAMETERS, responses=MonthFiguresSerializer)
    def retrieve(self, request, month=None):
        programme = self._programme()
        period = self._month(month, programme)
        figures = cached_figures(
            f"month-figures:{programme.pk}:{scope_of(request.user).key}:{period}:{as_of(programme, period)}",
            versions=["expectations", f"month:{period}"],
            compute=lambda: month_figures(
                period, programme=programme, pairings=pairings_visible_to(request.user)
            ),
        )
        summary = summaries_visible_to(request.user).filter(
            programme=programme, month=figures.month.first_day
        )
        compiled = summary.first()
        return Response(
            {
                **figures.as_dict(),
                "summary": SummarySerializer(compiled, context={"request": request}).data
                if compiled
                else None,
            }
        )

    @extend_schema(
        parameters=[
            *MONTH_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT, description="A page number within the results."),
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=state_filter_names(),
                description="Only rows in this state, or of a grouping: waiting (for review), on_time or "
                "late (first submitted), as the review queue and the month's counts name them.",
            ),
        ],
        responses=ExpectedReportPageSerializer,
    )
    @action(detail=True, methods=["get"])
    def reports(self, request, month=None):
        month_parameter(month)  # a malformed month is named before the programme is looked up
        programme = self._programme()
        period = self._month(month, programme)
        state = request.query_params.get("state", "")
        if state and state not in state_filter_names():
            raise exceptions.ValidationError(
                {"state": [_("Choose one of: %(states)s.") % {"states": ", ".join(state_filter_names())}]}
            )
        visible = pairings_visible_to(request.user).filter(programme=programme)
        page = self.paginator.paginate_rows(
            request,
            self,
            month=period,
            pairings=visible,
            tally=cached_tally(request.user, programme, period, visible),
            **filters_for_state(state),
        )
        return self.get_paginated_response(
            [
                {
                    "pairing": row.pairing_id,
                    "number": row.number,
                    "school": row.school_id,
                    "school_name": row.school,
                    "report": row.report_id,
                    "state": row.state,
                    "reopened": row.reopened and row.state == State.RETURNED,
                    "first_submitted_at": row.first_submitted_at,
                    "is_late": row.is_late,
                }
                for row in as_rows(page, period)
            ]
        )


class PeriodTotalsSerializer(serializers.Serializer):
    """A programme's totals over a period: the shape of /totals/{programme}/."""

    programme = serializers.IntegerField()
    to = serializers.CharField(help_text="YYYY-MM")
    totals = serializers.DictField(child=serializers.CharField(), help_text="Indicator code -> total.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text="YYYY-MM")  # "from" is a keyword in Python
        return fields


class FigureResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField()
    expected = serializers.CharField()
    comparison = serializers.ChoiceField(choices=["exactly", "at_least"])
    met = serializers.BooleanField()


class ProgrammeTargetsSerializer(serializers.Serializer):
    """A programme's figures against their targets: the shape of /figures/{programme}/."""

    programme = serializers.IntegerField()
    figures = FigureResultSerializer(many=True)


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.STR, description="First month, YYYY-MM (default: the programme's first)."
    ),
    OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM (default: its end, or now)."),
]


class ProgrammeFiguresViewSet(viewsets.GenericViewSet):
    """A programme's totals over any period (/api/v1/totals/1/?from=2024-01&to=2024-12) and its figures
    against their targets (/api/v1/figures/1/): the same numbers as `programme_totals`,
    `check_figures` and the dashboard."""

    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_permissions = {"retrieve": "dashboard.view"}
    policy_object_level = False
    lookup_value_regex = ID_PATTERN
    kind = "totals"

    def retrieve(self, request, pk=None):
        programme = programme_from(request.user, pk)
        if programme is None:
            raise exceptions.NotFound(_("No such programme."))
        if self.kind == "figures":
            return Response(
                {
                    "programme": programme.pk,
                    "figures": [
                        {
                            "code": r.figure.code,
                            "label": r.figure.label,
                            "unit": r.figure.unit,
                            "value": plain_number(r.value),
                            "expected": plain_number(r.figure.expected),
                            "comparison": r.figure.comparison,
                            "met": r.met,
                        }
                        for r in cached_figure_results(programme)
                    ],
                }
            )
        try:
            first, last = requested_period(
                programme, request.query_params.get("from"), request.query_params.get("to")
            )
        except InvalidPeriod as error:
            raise exceptions.ValidationError({error.field: [str(error)]}) from None
        indicators = list(programme.indicators.all())
        totals = totals_seen_by(request.user, programme, first, last)
        return Response(
            {
                "programme": programme.pk,
                "from": str(first),
                "to": str(last),
                "totals": {i.code: plain_number(totals[i.pk]) for i in indicators},
            }
        )


class ProgrammeTotalsViewSet(ProgrammeFiguresViewSet):
    kind = "totals"
    serializer_class = PeriodTotalsSerializer

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=PeriodTotalsSerializer)
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)


class ProgrammeTargetsViewSet(ProgrammeFiguresViewSet):
    kind = "figures"
    serializer_class = ProgrammeTargetsSerializer

    @extend_schema(responses=ProgrammeTargetsSerializer)
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)
