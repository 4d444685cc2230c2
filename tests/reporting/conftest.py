import datetime

import pytest

from pairing.models import Pairing, School
from reporting.models import MonthlyReport
from tests.helpers import client_for  # noqa: F401 - re-exported for the reporting tests

CHANGAN = 6
DGUT = "东莞理工学院"


@pytest.fixture
def reporting_users(users, indicators):
    return users


def make_report(author, *, month=datetime.date(2024, 2, 1), number=CHANGAN, school=DGUT) -> MonthlyReport:
    return MonthlyReport.objects.create(
        pairing=Pairing.objects.get(number=number),
        school=School.objects.get(name=school),
        month=month,
        created_by=author,
    )


def form_data(report: MonthlyReport, **values) -> dict:
    data = {"version": report.version, "indicator_activities_held": "3", "indicator_residency_days": "12"}
    data.update({f"indicator_{code}": value for code, value in values.items()})
    return data
