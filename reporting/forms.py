"""The monthly report form: one field per indicator of the programme, a narrative per kind of
cooperation, difficulties and next month's plan. Values are parsed by the service's own rules so
the page and the service say the same thing."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.numbers import plain_number
from core.units import unit_shown

from .expectations import LATE, ON_TIME, WAITING, State, filters_for_state
from .models import MonthlyReport
from .services import parse_indicator_value


def indicator_field_name(code: str) -> str:
    return f"indicator_{code}"


def narrative_field_name(kind: str) -> str:
    return f"narrative_{kind}"


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    difficulties = forms.CharField(
        label=_("Difficulties needing coordination"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    next_month_plan = forms.CharField(
        label=_("Next month's plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, report: MonthlyReport, indicators, submitting: bool = False, **kwargs):
        self.month = report.month
        # Submitting asks for the required indicators too, so they are named with the format errors
        # in one pass; a draft can be saved without them.
        self.submitting = submitting
        self.categories = report.pairing.programme.category_choices()
        initial = {
            "version": report.version,
            "difficulties": report.difficulties,
            "next_month_plan": report.next_month_plan,
            **{indicator_field_name(v.indicator.code): plain_number(v.value) for v in report.values.all()},
            **{
                narrative_field_name(code): report.narratives.get(code, "") for code, _name in self.categories
            },
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            attrs = {
                "class": "form-control",
                "inputmode": "numeric" if indicator.decimal_places == 0 else "decimal",
            }
            if indicator.required:
                attrs["aria-required"] = "true"
            field = forms.CharField(
                label=indicator.name,
                required=False,
                widget=forms.TextInput(attrs=attrs),
                help_text=unit_shown(indicator.unit),
            )
            field.indicator_required = indicator.required  # needed to submit, not to save a draft
            self.fields[indicator_field_name(indicator.code)] = field
        for kind, label in self.categories:
            self.fields[narrative_field_name(kind)] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
            )
        self.order_fields(
            [
                "version",
                *[indicator_field_name(i.code) for i in self.indicators],
                *[narrative_field_name(code) for code, _name in self.categories],
                "difficulties",
                "next_month_plan",
            ]
        )

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            name = indicator_field_name(indicator.code)
            try:
                value = parse_indicator_value(indicator, data.get(name), month=self.month)
            except ValidationError as error:
                self.add_error(name, error.messages)
                continue
            if value is None and indicator.required and self.submitting:
                self.add_error(name, _("This indicator is required."))
        return data

    def indicator_fields(self):
        return [self[indicator_field_name(i.code)] for i in self.indicators]

    def narrative_fields(self):
        return [self[narrative_field_name(code)] for code, _name in self.categories]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "values": {i.code: data.get(indicator_field_name(i.code)) for i in self.indicators},
            "narratives": {code: data.get(narrative_field_name(code), "") for code, _name in self.categories},
            "difficulties": data.get("difficulties", ""),
            "next_month_plan": data.get("next_month_plan", ""),
            "expected_version": data.get("version"),
        }

    def carry_version(self, version: int) -> None:
        """Send `version` with the form when it is shown again: the version the user's own save wrote.
        Never the report's latest version as such, which would hide a change made elsewhere."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            codes = {i.code for i in self.indicators}
            for key, messages in error.message_dict.items():
                self.add_error(indicator_field_name(key) if key in codes else None, messages)
        else:
            self.add_error(None, error.messages)


class ReviewDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the liaison"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"}
        ),
    )


class QueueFilterForm(forms.Form):
    """The review queue's filters; a state is one of the month engine's, or one of two groupings."""

    STATES = [
        ("", _("All")),
        (WAITING, _("Waiting for review")),
        *State.LABELS.items(),
        # Whatever happened since (returned, accepted): the status table's "on time" and "late".
        (ON_TIME, _("First submitted on time")),
        (LATE, _("First submitted late")),
    ]
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )
    state = forms.ChoiceField(
        label=_("Status"), choices=STATES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def engine_filters(self) -> dict:
        """The state filter as the month engine's arguments (an unknown state shows everything)."""
        return filters_for_state(self.cleaned_data.get("state", "") if self.is_valid() else "")
