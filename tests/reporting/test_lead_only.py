"""Indicators the lead school alone reports, pre-filled from the residency log; programmes where the
lead school alone reports each month."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.months import Month
from pairing.models import Pairing, Residency
from pairing.services import team_get_or_create
from reporting.expectations import month_tally
from reporting.models import Indicator, IndicatorValue
from reporting.services import indicators_for, report_save_draft, report_start

pytestmark = pytest.mark.django_db
FEB = Month(2024, 2)


@pytest.fixture
def residency_days_lead_only(indicators):
    Indicator.objects.filter(code="residency_days").update(lead_only=True, prefill="residency_days")
    pairing = Pairing.objects.get(number=6)
    team = team_get_or_create(pairing=pairing)
    Residency.objects.create(
        team=team,
        place=pairing.town,
        start_date=datetime.date(2024, 1, 25),
        end_date=datetime.date(2024, 2, 10),
    )
    Residency.objects.create(
        team=team,
        place=pairing.town,
        start_date=datetime.date(2024, 2, 8),
        end_date=datetime.date(2024, 2, 12),
    )
    return pairing


def test_the_lead_schools_report_is_pre_filled_from_the_residency_log(residency_days_lead_only, users):
    report = report_start(pairing=residency_days_lead_only, month=FEB, user=users["liaison"])
    value = IndicatorValue.objects.get(report=report, indicator__code="residency_days")
    assert value.value == 12, "1–12 February, the overlap counted once"


def test_an_assisting_school_does_not_report_a_lead_only_indicator(residency_days_lead_only, users):
    report = report_start(pairing=residency_days_lead_only, month=FEB, user=users["assisting_liaison"])
    assert "residency_days" not in {i.code for i in indicators_for(report)}
    assert not IndicatorValue.objects.filter(report=report).exists()
    with pytest.raises(ValidationError) as error:
        report_save_draft(report=report, user=users["assisting_liaison"], values={"residency_days": "3"})
    assert "residency_days" in error.value.message_dict


def test_where_the_lead_school_alone_reports_a_month_expects_one_report_a_pairing(indicators, users):
    programme = Pairing.objects.get(number=6).programme
    assert month_tally(FEB).expected == 18
    programme.reporters = "lead"
    programme.save()
    assert month_tally(FEB).expected == 8
    with pytest.raises(PermissionDenied):  # the assisting school's liaison may not start one
        report_start(pairing=Pairing.objects.get(number=6), month=FEB, user=users["assisting_liaison"])
