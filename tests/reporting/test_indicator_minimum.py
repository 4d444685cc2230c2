"""The rule of a yearly minimum of an indicator per pairing (Yibin: at least two teacher trainings
per county a year), read from the counted reports."""

import datetime

import pytest
from django.utils import translation

from pairing.compliance import evaluate_pairing
from pairing.models import Pairing, Programme
from reporting.models import IndicatorMinimum, IndicatorValue, MonthlyReport
from reporting.services import report_return

pytestmark = pytest.mark.django_db


def report_with(users, month, value, *, status="accepted"):
    pairing = Pairing.objects.get(number=6)
    submitted = datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
    report = MonthlyReport.objects.create(
        pairing=pairing,
        school=pairing.lead_university,
        month=month,
        created_by=users["liaison"],
        status=status,
        first_submitted_at=submitted,
    )
    IndicatorValue.objects.create(
        report=report, indicator=pairing.programme.indicators.get(code="training_courses"), value=value
    )
    return report


def test_a_pairing_below_its_yearly_minimum_is_named(users, indicators):
    programme = Programme.objects.get()
    programme.rules = ["indicator_minimum"]
    programme.save()
    IndicatorMinimum.objects.create(
        programme=programme, indicator=programme.indicators.get(code="training_courses"), per_year=2
    )
    pairing = Pairing.objects.get(number=6)
    year_end = datetime.date(2024, 12, 31)
    with translation.override("zh-hans"):
        first = report_with(users, datetime.date(2024, 2, 1), 1)
        breaches = evaluate_pairing(pairing, year=2024, as_of=year_end).breaches["indicator_minimum"]
        assert breaches == ["2024年：举办培训班为1，少于2"]
        report_with(users, datetime.date(2024, 3, 1), 1)
        assert evaluate_pairing(pairing, year=2024, as_of=year_end).breaches["indicator_minimum"] == []
        MonthlyReport.objects.filter(pk=first.pk).update(status="submitted")
        report_return(report=first, reviewer=users["bureau"], comment="请核对")
        assert evaluate_pairing(pairing, year=2024, as_of=year_end).breaches["indicator_minimum"], (
            "a returned report does not count"
        )


def test_the_matrix_and_the_api_follow_the_reports_a_minimum_reads(users, indicators):
    from rest_framework.test import APIClient

    from tests.helpers import client_for

    programme = Programme.objects.get()
    programme.rules = ["indicator_minimum"]
    programme.save()
    IndicatorMinimum.objects.create(
        programme=programme, indicator=programme.indicators.get(code="training_courses"), per_year=2
    )
    api = APIClient()
    api.force_authenticate(users["bureau"])
    matrix = client_for(users["bureau"])

    def breaches() -> tuple[list, list]:
        from_api = api.get("/api/v1/pairings/6/", {"year": 2024}).json()["compliance"]["indicator_minimum"]
        page = matrix.get("/pairings/compliance/", {"year": 2024}).context["results"]
        from_page = next(r for r in page if r.pairing.number == 6).breaches["indicator_minimum"]
        return from_api, from_page

    assert all(found for found in breaches()), "no report yet: below the minimum"
    report_with(users, datetime.date(2024, 2, 1), 2)  # the cached verdicts are read afresh
    assert breaches() == ([], [])


@pytest.mark.parametrize(("prorated", "owed"), [(True, 0), (False, 2)])
def test_a_part_year_owes_its_share_or_the_whole_minimum_as_the_minimum_says(
    users, indicators, prorated, owed
):
    """Pairing 6 ended on 31 January 2024: a prorated minimum of 2 a year owes 2×31//366 = 0 for 2024;
    Yibin's (not prorated: its fixture's assumption 5) owes the whole 2."""
    programme = Programme.objects.get()
    programme.rules = ["indicator_minimum"]
    programme.save()
    IndicatorMinimum.objects.create(
        programme=programme,
        indicator=programme.indicators.get(code="training_courses"),
        per_year=2,
        prorated=prorated,
    )
    pairing = Pairing.objects.get(number=6)
    Pairing.objects.filter(pk=pairing.pk).update(end_date=datetime.date(2024, 1, 31))
    pairing.refresh_from_db()
    report_with(users, datetime.date(2024, 1, 1), 1)
    with translation.override("zh-hans"):
        breaches = evaluate_pairing(pairing, year=2024, as_of=datetime.date(2024, 12, 31)).breaches
    assert breaches["indicator_minimum"] == ([] if owed <= 1 else ["2024年：举办培训班为1，少于2"])
    assert IndicatorMinimum.objects.get().prorated is prorated


def test_yibins_minimum_is_the_whole_two_in_its_part_years(users):
    from django.core.management import call_command

    call_command("loaddata", "yibin_2024", verbosity=0)
    assert IndicatorMinimum.objects.get(programme__code__startswith="yibin").prorated is False
