"""REST API of the reports (/api/v1/): the same lifecycle and rules as the pages, through the same
services; objects outside the caller's scope answer 404, a step the caller may not take 403."""

import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pairing.api import HasRole, ReadsEverything
from pairing.selectors import pairings_visible_to, school_of

from .models import MonthlyReport, MonthlySummary
from .selectors import reports_visible_to
from .services import (
    report_accept,
    report_return,
    report_save_draft,
    report_start,
    report_submit,
)


def as_api_error(error: Exception) -> exceptions.APIException:
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


class ReportSerializer(serializers.ModelSerializer):
    values = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(read_only=True)
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
            "due_at",
            "first_submitted_at",
            "submitted_at",
            "is_late",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = fields

    def get_values(self, report) -> dict[str, str]:
        return {v.indicator.code: format(v.value, "f") for v in report.values.all()}


class ReportCreateSerializer(serializers.Serializer):
    pairing = serializers.IntegerField()
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")


class ReportDraftSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a stale one is refused.")
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True), required=False
    )
    narratives = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    difficulties = serializers.CharField(allow_blank=True, required=False, default="")
    next_month_plan = serializers.CharField(allow_blank=True, required=False, default="")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReportSerializer
    permission_classes = [permissions.IsAuthenticated, HasRole]
    filterset_fields = ["status", "school", "pairing", "month"]

    def get_queryset(self):
        return (
            reports_visible_to(self.request.user)
            .select_related("pairing__programme")
            .prefetch_related("values__indicator")
            .order_by("-month", "pairing_id", "school_id")
        )

    def run(self, step, **kwargs):
        try:
            report = step(**kwargs)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise as_api_error(error) from None
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    def create(self, request):
        """Start (or open) the caller's report for a pairing and month; liaisons only."""
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pairing = get_object_or_404(pairings_visible_to(request.user), pk=data.validated_data["pairing"])
        school = school_of(request.user)
        if school is None:
            raise exceptions.PermissionDenied()
        try:
            month = datetime.datetime.strptime(data.validated_data["month"], "%Y-%m").date()
        except ValueError:
            raise exceptions.ValidationError(
                {"month": [_("Enter the month as YYYY-MM, for example 2024-03.")]}
            ) from None
        response = self.run(report_start, pairing=pairing, school=school, month=month, user=request.user)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request, pk=None):
        """Save the draft: values by indicator code, narratives by kind of cooperation, texts."""
        report = self.get_object()
        data = ReportDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        return self.run(
            report_save_draft,
            report=report,
            user=request.user,
            values=fields.get("values", {}),
            narratives=fields.get("narratives"),
            difficulties=fields["difficulties"],
            next_month_plan=fields["next_month_plan"],
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
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.run(
            report_return,
            report=self.get_object(),
            reviewer=request.user,
            comment=data.validated_data["comment"],
        )


class SummarySerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
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


class SummaryViewSet(viewsets.ReadOnlyModelViewSet):
    """The compiled months: bureau and commanders see them; for anyone else the list is empty."""

    serializer_class = SummarySerializer
    permission_classes = [permissions.IsAuthenticated, HasRole]
    filterset_fields = ["programme", "state"]

    def get_queryset(self):
        if not ReadsEverything().has_permission(self.request, self):
            return MonthlySummary.objects.none()
        return MonthlySummary.objects.order_by("-month", "programme_id")
