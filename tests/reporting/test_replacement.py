"""A school replaced in a pairing (动态调整: history kept, old reports stay attached): the months before
the replacement keep expecting, and counting, the school replaced; the school that replaced it owes
the months from the replacement on, never the ones before."""

import pytest

from core.months import Month
from pairing.models import Pairing, School, SchoolReplacement
from pairing.services import pairing_replace_school
from reporting.expectations import counted_reports, expected_reports, indicator_totals, month_tally
from reporting.models import MonthlyReport
from reporting.services import report_save_draft, report_submit
from tests.reporting.conftest import CHANGAN, DGUT, make_report

pytestmark = pytest.mark.django_db

FEBRUARY = Month(2024, 2)
ASSISTING = "东莞市机电工程学校"  # pairing 6's assisting school


def submitted(user, school=DGUT):
    report = make_report(user, month=FEBRUARY.first_day, school=school)
    report_save_draft(report=report, user=user, values={"activities_held": "4", "residency_days": "2"})
    return report_submit(report=report, user=user)


def schools_of_pairing(month: Month, number: int = CHANGAN) -> set[str]:
    return {row.school for row in expected_reports(month, pairings=Pairing.objects.filter(number=number))}


def figures(month: Month):
    pairings = Pairing.objects.all()
    return month_tally(month, pairings=pairings).as_dict(), indicator_totals(month, pairings=pairings)


def other_school(kind: str) -> School:
    pairing = Pairing.objects.get(number=CHANGAN)
    parties = {pairing.lead_university_id, *pairing.assisting_schools.values_list("pk", flat=True)}
    return School.objects.filter(kind=kind).exclude(pk__in=parties).order_by("name").first()


def test_replacing_the_lead_school_keeps_the_months_before_as_they_were(reporting_users):
    report = submitted(reporting_users["liaison"])
    before, this_month = figures(FEBRUARY), Month.current()
    this_month_before = figures(this_month)
    new = other_school(School.Kind.UNIVERSITY)
    pairing_replace_school(
        pairing=Pairing.objects.get(number=CHANGAN), old=School.objects.get(name=DGUT), new=new, reason="调整"
    )
    assert figures(FEBRUARY) == before, "February's counts and totals do not move"
    assert figures(this_month) == this_month_before, "this month is still the old school's"
    assert schools_of_pairing(FEBRUARY) == {DGUT, ASSISTING}
    assert schools_of_pairing(this_month) == {DGUT, ASSISTING}
    assert schools_of_pairing(this_month.next()) == {new.name, ASSISTING}
    assert report.pk in set(counted_reports(Pairing.objects.all(), FEBRUARY).values_list("pk", flat=True))
    # The record says who was replaced, by whom, from when and why.
    replacement = SchoolReplacement.objects.get()
    assert (replacement.lead, replacement.old_school.name, replacement.new_school, replacement.reason) == (
        True,
        DGUT,
        new,
        "调整",
    )
    assert replacement.from_month == this_month.next().first_day


def test_a_chain_of_replacements_gives_each_month_its_own_school(reporting_users):
    pairing = Pairing.objects.get(number=CHANGAN)
    second, third = (
        School.objects.filter(kind=School.Kind.VOCATIONAL).exclude(name=ASSISTING).order_by("name")[:2]
    )
    now = Month.current()
    pairing_replace_school(
        pairing=pairing,
        old=School.objects.get(name=ASSISTING),
        new=second,
        reason="一",
        from_month=now.next(),
    )
    pairing_replace_school(pairing=pairing, old=second, new=third, reason="二", from_month=now.shift(3))
    assert schools_of_pairing(now) == {DGUT, ASSISTING}
    assert schools_of_pairing(now.next()) == {DGUT, second.name}
    assert schools_of_pairing(now.shift(2)) == {DGUT, second.name}
    assert schools_of_pairing(now.shift(3)) == {DGUT, third.name}
    assert schools_of_pairing(FEBRUARY) == {DGUT, ASSISTING}


def test_an_assisting_schools_report_stays_counted_after_it_is_replaced(reporting_users):
    report = submitted(reporting_users["assisting_liaison"], school=ASSISTING)
    before = figures(FEBRUARY)
    assert before[1], "the report's values count"
    pairing_replace_school(
        pairing=Pairing.objects.get(number=CHANGAN),
        old=School.objects.get(name=ASSISTING),
        new=other_school(School.Kind.VOCATIONAL),
        reason="调整",
    )
    assert figures(FEBRUARY) == before
    assert report.pk in set(counted_reports(Pairing.objects.all(), FEBRUARY).values_list("pk", flat=True))
    # The school replaced is no longer a party: it has no row from the replacement's month on.
    assert ASSISTING not in schools_of_pairing(Month.current().next())


def test_the_new_schools_liaison_is_asked_for_no_month_before_the_replacement(reporting_users):
    from tests.helpers import client_for

    liaison = reporting_users["other_liaison"]  # 广东医科大学, the lead of pairing 4
    pairing_replace_school(
        pairing=Pairing.objects.get(number=CHANGAN),
        old=School.objects.get(name=DGUT),
        new=liaison.profile.school,
        reason="调整",
    )
    response = client_for(liaison).get("/reports/")
    assert CHANGAN not in {row.number for row in response.context["earlier"]}
    assert CHANGAN not in {card["row"].number for card in response.context["cards"]}


def dgut_replaced(from_month: Month | None = None) -> Pairing:
    """Pairing 6 with its lead school, DGUT, replaced by another university (from the next month unless
    `from_month` says otherwise)."""
    pairing_replace_school(
        pairing=Pairing.objects.get(number=CHANGAN),
        old=School.objects.get(name=DGUT),
        new=other_school(School.Kind.UNIVERSITY),
        reason="调整",
        from_month=from_month,
    )
    return Pairing.objects.get(number=CHANGAN)


def test_the_school_replaced_still_sends_this_months_report(reporting_users):
    """Replaced from the next month, the school still owes this month's report (reporting.expectations):
    its liaison is asked for the month, and starts and submits it. The pairing's workspace is the new
    school's now: its page answers the liaison 404."""
    from tests.helpers import client_for

    liaison = reporting_users["liaison"]  # 东莞理工学院, the lead of pairing 6
    this_month = Month.current()
    pairing = dgut_replaced()
    client = client_for(liaison)
    assert client.get(f"/pairings/{pairing.pk}/").status_code == 404
    cards = client.get("/reports/").context["cards"]
    assert [(card["row"].number, card["row"].month) for card in cards] == [(CHANGAN, this_month)]

    response = client.post(f"/reports/start/{pairing.pk}/{this_month}/")
    report = MonthlyReport.objects.get(pairing=pairing, school__name=DGUT, month=this_month.first_day)
    assert response.url == f"/reports/{report.pk}/"
    data = {"version": report.version, "indicator_activities_held": "3", "indicator_residency_days": "2"}
    client.post(f"/reports/{report.pk}/", {**data, "submit": "1"})
    report.refresh_from_db()
    assert report.status == "submitted" and report.first_submitted_at is not None


def test_the_school_replaced_starts_no_month_from_the_replacement_on(reporting_users):
    """Replaced from this month, the school owes last month's report, not this month's."""
    from tests.helpers import client_for

    liaison = reporting_users["liaison"]
    this_month = Month.current()
    pairing = dgut_replaced(from_month=this_month)
    client = client_for(liaison)
    refused = client.post(f"/reports/start/{pairing.pk}/{this_month}/", follow=True)
    assert "贵校在该月不是此结对的报送学校。" in refused.content.decode()
    assert not MonthlyReport.objects.filter(pairing=pairing, month=this_month.first_day).exists()
    started = client.post(f"/reports/start/{pairing.pk}/{this_month.previous()}/")
    report = MonthlyReport.objects.get(pairing=pairing, month=this_month.previous().first_day)
    assert started.url == f"/reports/{report.pk}/" and report.school.name == DGUT


def test_a_school_starts_no_month_before_it_replaced_another(reporting_users):
    """The school that replaced another from next month owes nothing this month: starting this
    month's report is refused with a message, and nothing is created."""
    from tests.helpers import client_for

    liaison = reporting_users["other_liaison"]  # 广东医科大学, the lead of pairing 4
    pairing = Pairing.objects.get(number=CHANGAN)
    pairing_replace_school(
        pairing=pairing, old=School.objects.get(name=DGUT), new=liaison.profile.school, reason="调整"
    )
    response = client_for(liaison).post(f"/reports/start/{pairing.pk}/{Month.current()}/", follow=True)
    assert "贵校在该月不是此结对的报送学校。" in response.content.decode()
    assert not MonthlyReport.objects.filter(pairing=pairing, school=liaison.profile.school).exists()
