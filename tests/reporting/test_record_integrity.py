"""The admin is no back door to the reports, no path deletes a submitted report or changes a version,
and the database holds the pairings' rules (one leader and one deputy a team, a village in one live pairing).

A bureau user (staff) opened /admin/, changed a value of an accepted report from 8 to 999 and deleted a
stored version, and neither the report's history nor /audit/ showed it. These tests do the same through
the real admin URLs, then through the ORM and, in PostgreSQL, through raw SQL, and look in the database.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from pairing.models import Area, Membership, Pairing, Person, Programme, ServiceTeam
from pairing.services import membership_add, membership_update
from reporting.admin import REPORT_NOTE
from reporting.models import IndicatorValue, MonthlyReport, RecordKeptError, ReportVersion
from reporting.services import report_accept, report_reopen, report_save_draft, report_submit
from tests.conftest import need_service
from tests.helpers import client_for
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(reporting_users) -> MonthlyReport:
    """An accepted report whose activities_held is 8, written, submitted and accepted through the services."""
    liaison = reporting_users["liaison"]
    report = make_report(liaison)
    report_save_draft(report=report, user=liaison, values={"activities_held": "8", "residency_days": "12"})
    report_submit(report=report, user=liaison)
    return report_accept(report=report, reviewer=reporting_users["bureau"])


@pytest.fixture
def staff(reporting_users):
    bureau = reporting_users["bureau"]
    bureau.is_staff = True
    bureau.save()
    return client_for(bureau)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        need_service(
            "the triggers that back these rules exist only in PostgreSQL; "
            "run with DATABASE_URL=postgres://… to test them"
        )


def activities_held(report: MonthlyReport) -> IndicatorValue:
    return IndicatorValue.objects.get(report=report, indicator__code="activities_held")


def stored_versions(report: MonthlyReport) -> list[dict]:
    return [model_to_dict(version) for version in ReportVersion.objects.filter(report=report).order_by("pk")]


def admin_url(obj, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


# Through the admin.


def test_the_admin_does_not_save_a_changed_value_of_an_accepted_report(staff, accepted):
    value = activities_held(accepted)
    page = staff.get(admin_url(value, "change"))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode(), "the page offers no save button"
    response = staff.post(
        admin_url(value, "change"),
        {"report": accepted.pk, "indicator": value.indicator_id, "value": "999", "_save": "1"},
    )
    assert response.status_code == 403
    assert activities_held(accepted).value == 8


def test_the_report_change_form_does_not_save_values_through_its_inline(staff, accepted):
    value = activities_held(accepted)
    before = model_to_dict(MonthlyReport.objects.get(pk=accepted.pk))
    assert staff.get(admin_url(accepted, "change")).status_code == 200
    data = {
        "difficulties": "改过",
        "values-TOTAL_FORMS": "1",
        "values-INITIAL_FORMS": "1",
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "1000",
        "values-0-id": value.pk,
        "values-0-report": accepted.pk,
        "values-0-indicator": value.indicator_id,
        "values-0-value": "999",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "_save": "1",
    }
    response = staff.post(admin_url(accepted, "change"), data)
    assert response.status_code == 403
    assert activities_held(accepted).value == 8
    assert model_to_dict(MonthlyReport.objects.get(pk=accepted.pk)) == before


def test_the_history_page_does_not_revert_a_report(staff, accepted):
    """simple-history's history page saves a POST for anyone who may view the row, unless refused."""
    first = accepted.history.order_by("history_id").first()
    url = reverse("admin:reporting_monthlyreport_simple_history", args=[accepted.pk, first.history_id])
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"status": "draft", "difficulties": "改过", "_save": "1"})
    assert response.status_code == 403
    report = MonthlyReport.objects.get(pk=accepted.pk)
    assert (report.status, report.difficulties) == ("accepted", "")


def test_the_admin_does_not_delete_a_version_or_a_report(staff, accepted):
    version = accepted.versions.order_by("pk").first()
    versions = stored_versions(accepted)
    for obj in [version, accepted, activities_held(accepted)]:
        assert staff.get(admin_url(obj, "delete")).status_code == 403
        assert staff.post(admin_url(obj, "delete"), {"post": "yes"}).status_code == 403
    assert MonthlyReport.objects.filter(pk=accepted.pk).exists()
    assert activities_held(accepted).value == 8
    assert stored_versions(accepted) == versions


@pytest.mark.parametrize("model", [MonthlyReport, IndicatorValue, ReportVersion])
def test_there_is_no_bulk_delete_action(staff, accepted, model):
    changelist = reverse(f"admin:reporting_{model._meta.model_name}_changelist")
    page = staff.get(changelist)
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    assert page.context["subtitle"] == REPORT_NOTE
    objects = list(
        model.objects.filter(**({"pk": accepted.pk} if model is MonthlyReport else {"report": accepted}))
    )
    staff.post(
        changelist, {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"}
    )
    assert model.objects.filter(pk__in=[o.pk for o in objects]).count() == len(objects) > 0


def test_read_only_report_pages_say_where_the_report_is_changed(staff, accepted):
    for obj in [accepted, activities_held(accepted), accepted.versions.first()]:
        page = staff.get(admin_url(obj, "change"))
        assert page.context["adminform"].model_admin.portal_note == REPORT_NOTE
        assert f'href="{reverse("reporting:detail", args=[accepted.pk])}"' in page.content.decode()


def test_an_indicator_with_values_is_not_deleted_from_the_admin(staff, accepted):
    indicator = activities_held(accepted).indicator
    page = staff.get(admin_url(indicator, "delete"))
    assert page.status_code == 200
    assert page.context["protected"], "the page names the values that keep the indicator"
    assert staff.post(admin_url(indicator, "delete"), {"post": "yes"}).status_code == 200
    assert type(indicator).objects.filter(pk=indicator.pk).exists()
    assert activities_held(accepted).value == 8


def test_an_indicator_without_values_is_deleted_from_the_admin(staff, accepted):
    unused = accepted.pairing.programme.indicators.get(code="reports_delivered")
    assert staff.post(admin_url(unused, "delete"), {"post": "yes"}).status_code == 302
    assert not type(unused).objects.filter(pk=unused.pk).exists()


def test_an_indicator_stays_editable_in_the_admin(staff, accepted):
    indicator = accepted.pairing.programme.indicators.get(code="reports_delivered")
    form = staff.get(admin_url(indicator, "change")).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["name_en"] = "Reports handed over"
    response = staff.post(admin_url(indicator, "change"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    indicator.refresh_from_db()
    assert indicator.name_en == "Reports handed over"


# Through the ORM, on every database.


def test_a_submitted_report_is_not_deleted(accepted):
    with pytest.raises(RecordKeptError, match="submitted"):
        accepted.delete()
    with pytest.raises(RecordKeptError, match="submitted"):
        MonthlyReport.objects.filter(pk=accepted.pk).delete()
    with pytest.raises(RecordKeptError):
        MonthlyReport.objects.all().delete()
    stale = MonthlyReport.objects.get(pk=accepted.pk)
    stale.first_submitted_at = None  # an out-of-date copy does not fool the check
    with pytest.raises(RecordKeptError):
        stale.delete()
    assert MonthlyReport.objects.filter(pk=accepted.pk).exists()
    assert activities_held(accepted).value == 8


def test_a_draft_with_versions_is_kept_by_its_versions(reporting_users):
    liaison = reporting_users["liaison"]
    draft = make_report(liaison)
    report_save_draft(report=draft, user=liaison, values={"activities_held": "2"})
    with pytest.raises(ProtectedError):
        draft.delete()
    assert MonthlyReport.objects.filter(pk=draft.pk).exists()
    assert draft.versions.count() == 1


def test_a_report_never_saved_or_submitted_can_still_be_deleted(reporting_users):
    empty = make_report(reporting_users["liaison"])
    empty.delete()
    assert not MonthlyReport.objects.filter(pk=empty.pk).exists()


def test_a_version_is_neither_deleted_nor_changed(accepted):
    versions = stored_versions(accepted)
    version = accepted.versions.order_by("pk").first()
    with pytest.raises(RecordKeptError):
        version.delete()
    with pytest.raises(RecordKeptError):
        accepted.versions.all().delete()
    with pytest.raises(RecordKeptError):
        ReportVersion.objects.filter(pk=version.pk).update(comment="改过")
    version.comment = "改过"
    with pytest.raises(RecordKeptError):
        version.save()
    with pytest.raises(RecordKeptError), transaction.atomic():
        ReportVersion.objects.bulk_update([version], ["comment"])
    copy = ReportVersion(**{**model_to_dict(version, exclude=["report", "actor"]), "comment": "改过"})
    copy.report_id, copy.actor_id = version.report_id, version.actor_id
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # a new object given an existing version's pk is inserted, never written over it
    assert stored_versions(accepted) == versions


def test_reopening_an_accepted_report_lets_the_liaison_change_its_values(reporting_users, accepted):
    """The legitimate path past the lock: the bureau reopens (status 'returned'), then the liaison edits."""
    report_reopen(report=accepted, reviewer=reporting_users["bureau"], reason="数字有误")
    report_save_draft(
        report=accepted,
        user=reporting_users["liaison"],
        values={"activities_held": "9", "residency_days": ""},
    )
    assert activities_held(accepted).value == 9
    assert not IndicatorValue.objects.filter(report=accepted, indicator__code="residency_days").exists()
    assert accepted.versions.count() == 5


# Through raw SQL: PostgreSQL's triggers.


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_sql_cannot_delete_a_version(postgresql, accepted):
    versions = stored_versions(accepted)
    with pytest.raises(IntegrityError, match="report version"):
        raw("DELETE FROM reporting_reportversion WHERE report_id = %s", [accepted.pk])
    with pytest.raises(IntegrityError, match="report version"):
        raw("UPDATE reporting_reportversion SET comment = 'x' WHERE report_id = %s", [accepted.pk])
    assert stored_versions(accepted) == versions


def test_sql_cannot_delete_a_submitted_report_or_forget_its_submission(postgresql, accepted):
    with pytest.raises(IntegrityError, match="has been submitted"):
        raw("DELETE FROM reporting_monthlyreport WHERE id = %s", [accepted.pk])
    with pytest.raises(IntegrityError, match="has been submitted"):
        raw("UPDATE reporting_monthlyreport SET first_submitted_at = NULL WHERE id = %s", [accepted.pk])
    report = MonthlyReport.objects.get(pk=accepted.pk)
    assert report.first_submitted_at == accepted.first_submitted_at


def test_sql_cannot_change_or_delete_a_value_of_an_accepted_report(postgresql, accepted):
    value = activities_held(accepted)
    with pytest.raises(IntegrityError, match="is accepted"):
        raw("UPDATE reporting_indicatorvalue SET value = 999 WHERE id = %s", [value.pk])
    with pytest.raises(IntegrityError, match="is accepted"):
        raw("DELETE FROM reporting_indicatorvalue WHERE id = %s", [value.pk])
    with pytest.raises(IntegrityError, match="is accepted"), transaction.atomic():
        IndicatorValue.objects.filter(pk=value.pk).update(value=999)
    assert activities_held(accepted).value == 8


def test_sql_may_still_delete_a_report_never_submitted(postgresql, reporting_users):
    draft = make_report(reporting_users["liaison"])
    raw("DELETE FROM reporting_monthlyreport WHERE id = %s", [draft.pk])
    assert not MonthlyReport.objects.filter(pk=draft.pk).exists()


# Rules the database holds for the pairings: one leader and one deputy per team, a village in one live pairing.


@pytest.fixture
def team(dongguan):
    pairing = Pairing.objects.get(number=6)
    team = ServiceTeam.objects.create(pairing=pairing, name="长安服务工作队")
    vocational = pairing.assisting_schools.get()
    for name, school, role in [
        ("林磊", pairing.lead_university, "leader"),
        ("陈静", vocational, "deputy"),
        ("王伟", pairing.lead_university, "member"),
    ]:
        Membership.objects.create(
            team=team, person=Person.objects.create(name=name, school=school), role=role
        )
    return team


@pytest.mark.parametrize("role", ["leader", "deputy"])
def test_a_team_has_one_leader_and_one_deputy_in_the_database(team, role):
    member = Membership.objects.get(team=team, role="member")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(role=role)
    second = Person.objects.create(name="张三", school=team.pairing.lead_university)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=team, person=second, role=role)
    assert Membership.objects.filter(team=team, role=role).count() == 1
    other_team = ServiceTeam.objects.create(pairing=Pairing.objects.get(number=1), name="凤岗服务工作队")
    Membership.objects.create(team=other_team, person=second, role=role)  # one per team, not one in all


def test_the_services_refuse_a_second_deputy_naming_the_first(team):
    pairing = team.pairing
    vocational = pairing.assisting_schools.get()
    member = Membership.objects.get(team=team, role="member")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as added:
            membership_add(pairing=pairing, name="赵敏", school=vocational, role="deputy")
        with pytest.raises(ValidationError) as updated:
            membership_update(pairing=pairing, membership=member, role="deputy")
        with pytest.raises(ValidationError) as cleaned:
            Membership(team=team, person=member.person, role="deputy").full_clean(exclude=["person"])
    assert added.value.message_dict["role"] == ["服务工作队已有副队长陈静，请先修改其角色。"]
    assert updated.value.message_dict["role"] == ["服务工作队已有副队长陈静，请先修改其角色。"]
    assert cleaned.value.messages == ["服务工作队已有副队长。"]
    assert list(
        Membership.objects.filter(team=team, role="deputy").values_list("person__name", flat=True)
    ) == ["陈静"]
    assert not Person.objects.filter(name="赵敏").exists()
    deputy = Membership.objects.get(team=team, role="deputy")
    membership_update(pairing=pairing, membership=deputy, role="deputy")  # keeping the role is fine


@pytest.fixture
def changan_village(dongguan) -> tuple[Pairing, Area]:
    pairing = Pairing.objects.get(number=6)
    return pairing, pairing.villages.order_by("pk").first()


def test_a_village_is_in_one_live_pairing_of_a_programme(postgresql, changan_village):
    pairing, village = changan_village
    other = Pairing.objects.get(number=1)
    with pytest.raises(IntegrityError, match="live pairing"), transaction.atomic():
        other.villages.add(village)
    with pytest.raises(IntegrityError, match="live pairing"):
        raw(
            "INSERT INTO pairing_pairing_villages (pairing_id, area_id) VALUES (%s, %s)",
            [other.pk, village.pk],
        )
    assert list(village.village_pairings.all()) == [pairing]


def test_an_ended_pairing_keeps_its_village_but_cannot_come_back_while_another_holds_it(
    postgresql, changan_village
):
    pairing, village = changan_village
    other = Pairing.objects.get(number=1)
    Pairing.objects.filter(pk=other.pk).update(status="ended", end_reason="调整")
    other.villages.add(village)  # an ended pairing's record of the village is no clash
    with pytest.raises(IntegrityError, match="cannot be live"), transaction.atomic():
        Pairing.objects.filter(pk=other.pk).update(status="active")
    assert Pairing.objects.get(pk=other.pk).status == "ended"
    Pairing.objects.filter(pk=pairing.pk).update(status="ended", end_reason="调整")
    Pairing.objects.filter(pk=other.pk).update(status="adjusted")  # the village is free again
    assert set(village.village_pairings.values_list("number", flat=True)) == {1, 6}


def test_another_programme_may_pair_the_same_village(postgresql, changan_village):
    pairing, village = changan_village
    programme = Programme.objects.create(
        code="other", name="另一项目", city="东莞", start_date=pairing.start_date
    )
    elsewhere = Pairing.objects.create(
        programme=programme,
        number=1,
        lead_university=pairing.lead_university,
        town=pairing.town,
        start_date=pairing.start_date,
    )
    elsewhere.villages.add(village)
    assert set(village.village_pairings.all()) == {pairing, elsewhere}
