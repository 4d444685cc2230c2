"""The audit trail: per-object history with old and new values, and the bureau's feed."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from pairing.models import Pairing, School, WorkCategory
from reporting.services import report_save_draft
from tests.helpers import client_for
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db


def test_a_change_in_the_portal_shows_who_which_field_old_and_new(users):
    bureau = client_for(users["bureau"])
    bureau.post(
        "/pairings/6/adjust/",
        {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": "动态调整"},
    )
    response = client_for(users["liaison"]).get("/pairings/6/history/")
    entries = response.context["entries"]
    newest = entries[0]
    assert newest.user == users["bureau"] and newest.reason == "动态调整"
    changes = {c.field: (c.old, c.new) for c in newest.changes}
    assert changes["状态"] == ("进行中", "已结束")
    assert changes["终止原因"] == ("—", "动态调整")
    assert changes["结束日期"] == ("—", timezone.localdate().isoformat())


def test_the_pairing_history_includes_what_the_liaison_keeps(users):
    liaison = client_for(users["liaison"])
    school = School.objects.get(name="东莞理工学院")
    liaison.post(
        "/pairings/6/team/members/add/",
        {"name": "张三", "school": school.pk, "role": "member", "title_grade": "intermediate"},
    )
    liaison.post("/pairings/6/meetings/add/", {"held_on": "2024-05-06", "attendees": "三方代表"})
    author = users["liaison"]
    entries = client_for(users["town_liaison"]).get("/pairings/6/history/").context["entries"]
    made = {(e.model, e.object_repr) for e in entries if e.user == author}
    assert ("队员", "张三（队员）") in made and ("服务工作队", "长安服务工作队") in made
    assert ("人员", "张三（东莞理工学院）") in made
    assert any(model == "联席会议" for model, _ in made)


def test_report_history_lists_the_liaisons_edits(users, indicators):
    report = make_report(users["liaison"])
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1"}, difficulties="资金不足"
    )
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1"}, difficulties="资金到位"
    )
    response = client_for(users["liaison"]).get(f"/reports/{report.pk}/history/")
    entries = response.context["entries"]
    newest_difficulties = next(c for e in entries for c in e.changes if c.field == "困难问题")
    assert (newest_difficulties.old, newest_difficulties.new) == ("资金不足", "资金到位")
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "4"}, difficulties="资金到位"
    )
    entries = client_for(users["bureau"]).get(f"/reports/{report.pk}/history/").context["entries"]
    values = [e for e in entries if e.model == "指标数值"]
    assert values[0].user == users["liaison"]
    assert [(c.field, c.old, c.new) for c in values[0].changes] == [("开展活动场次", "1", "4")]


def test_history_names_villages_people_narratives_and_local_times(users, indicators):
    from pairing.models import Area
    from reporting.services import report_accept, report_submit

    bureau = client_for(users["bureau"])
    village = Area.objects.create(
        name="新村", kind=Area.Kind.VILLAGE, parent=Pairing.objects.get(number=6).town
    )
    bureau.post("/pairings/6/adjust/", {"action": "add_village", "village": village.pk, "reason": "增加"})
    entries = bureau.get("/pairings/6/history/").context["entries"]
    villages = [(c.old, c.new) for entry in entries for c in entry.changes if c.field == "村(社区)"]
    assert villages[0] == ("新民社区", "新村、新民社区")

    report = make_report(users["liaison"])
    report_save_draft(
        report=report,
        user=users["liaison"],
        values={"activities_held": "1", "residency_days": "2"},
        narratives={"talent": "培训一期"},
    )
    report_save_draft(
        report=report,
        user=users["liaison"],
        values={"activities_held": "1", "residency_days": "2"},
        narratives={"talent": "培训两期"},
    )
    changes = {
        c.field: (c.old, c.new)
        for c in bureau.get(f"/reports/{report.pk}/history/").context["entries"][0].changes
    }
    assert changes == {"各项合作内容进展 · 深入融入人才兴镇": ("培训一期", "培训两期")}
    bureau.cookies["django_language"] = "en"
    english = bureau.get(f"/reports/{report.pk}/history/").context["entries"][0].changes
    name = WorkCategory.objects.get(code="talent", programme=report.pairing.programme).name_en
    assert [c.field.split(" · ")[1] for c in english] == [name], "the kind in the reader's language"
    bureau.cookies["django_language"] = "zh-hans"
    report_submit(report=report, user=users["liaison"])
    report_accept(report=report, reviewer=users["bureau"])
    changes = {
        c.field: (c.old, c.new)
        for c in bureau.get(f"/reports/{report.pk}/history/").context["entries"][0].changes
    }
    reviewer = users["bureau"].get_full_name() or users["bureau"].username
    assert changes["审核人"] == ("—", reviewer), "a user is named, not numbered"
    report.refresh_from_db()
    beijing = report.reviewed_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert changes["审核时间"][1] == beijing, "Beijing time (not UTC), to the minute"


def test_the_feed_filters_by_type_user_and_date(users):
    bureau = client_for(users["bureau"])
    # The member first: once the pairing has ended, its team is read-only.
    client_for(users["liaison"]).post(
        "/pairings/6/team/members/add/",
        {
            "name": "张三",
            "school": School.objects.get(name="东莞理工学院").pk,
            "role": "member",
            "title_grade": "intermediate",
        },
    )
    bureau.post(
        "/pairings/6/adjust/",
        {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": "动态调整"},
    )
    response = bureau.get("/audit/", {"type": "pairing.Pairing"})
    assert {e.model for e in response.context["entries"]} == {"结对"}
    response = bureau.get("/audit/", {"user": users["liaison"].pk})
    assert {e.user for e in response.context["entries"]} == {users["liaison"]}
    assert {e.model for e in response.context["entries"]} >= {"人员", "队员"}
    # Who is typed (a username or part of a name), not picked from a list of every user.
    typed = bureau.get("/audit/", {"who": "dgut"})
    assert {e.user for e in typed.context["entries"]} == {users["liaison"]}
    assert (
        'name="who"' in typed.content.decode()
        and "<select" not in typed.content.decode().split('id="id_type"')[1].split("</form>")[0]
    )
    assert bureau.get("/audit/", {"who": "nobody-like-this"}).context["entries"] == []
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert bureau.get("/audit/", {"from": tomorrow}).context["entries"] == []
    unread = bureau.get("/audit/", {"from": "not-a-date"})
    assert unread.status_code == 400 and unread.context["entries"], "said, and the filter left out"


def test_the_feed_links_objects_and_says_what_it_leaves_out(users, monkeypatch):
    bureau = client_for(users["bureau"])
    bureau.post(
        "/pairings/6/adjust/",
        {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": "动态调整"},
    )
    html = bureau.get("/audit/?type=pairing.Pairing").content.decode()
    assert 'href="/pairings/6/history/"' in html
    response = bureau.get("/audit/?from=2025-02-01&to=2025-01-01")
    assert response.status_code == 400
    assert "开始日期晚于结束日期，请对调后再查看。" in response.content.decode()
    monkeypatch.setattr("oversight.audit.FEED_LIMIT", 1)
    assert "每页显示1条变更，最新的在前。" in bureau.get("/audit/").content.decode()


def test_anonymous_users_are_sent_to_log_in(dongguan):
    for url in ["/audit/", "/pairings/6/history/"]:
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_change_through_the_api_is_in_the_history_with_its_user(users, indicators):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    report = make_report(users["liaison"])
    token = Token.objects.create(user=users["liaison"])
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    api.patch(f"/api/v1/reports/{report.pk}/", {"version": 1, "difficulties": "资金不足"}, format="json")
    api.patch(f"/api/v1/reports/{report.pk}/", {"version": 2, "difficulties": "已协调"}, format="json")
    newest = client_for(users["bureau"]).get(f"/reports/{report.pk}/history/").context["entries"][0]
    assert newest.user == users["liaison"]
    assert {c.field: (c.old, c.new) for c in newest.changes}["困难问题"] == ("资金不足", "已协调")


def test_the_feed_names_each_object_in_a_fixed_number_of_queries(users):
    """An entry names its object as a person would (the member, the pairing a meeting belongs to,
    the school and month of a report), not by its id, and a longer feed runs no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pairing.models import JointMeeting

    bureau = client_for(users["bureau"])
    liaison = client_for(users["liaison"])
    liaison.post(
        "/pairings/6/team/members/add/",
        {
            "name": "张三",
            "school": School.objects.get(name="东莞理工学院").pk,
            "role": "member",
            "title_grade": "intermediate",
        },
    )
    report = make_report(users["liaison"])
    with CaptureQueriesContext(connection) as few:
        html = bureau.get("/audit/").content.decode()
    pairing = Pairing.objects.select_related("town", "lead_university").get(pk=6)
    assert f"张三（{School.objects.get(name='东莞理工学院').name}）" in html
    assert f"{report.school.name} {report.month:%Y-%m}" in html
    assert "#" + str(report.pk) not in html
    for day in range(1, 13):
        JointMeeting.objects.create(
            pairing=pairing, held_on=datetime.date(2025, day, 3), attendees=f"会议{day}"
        )
        liaison.post(
            "/pairings/6/team/members/add/",
            {
                "name": f"李{day}",
                "school": School.objects.get(name="东莞理工学院").pk,
                "role": "member",
                "title_grade": "junior",
            },
        )
    with CaptureQueriesContext(connection) as more:
        html = bureau.get("/audit/").content.decode()
    assert f"· {pairing}" in html, "a meeting is named with its pairing"
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries][-5:]


def test_the_first_numbers_saved_are_in_the_reports_history_and_nothing_empty_is(users, indicators):
    """The first values a liaison saves are changes from nothing (— → 3), as a correction later is;
    a save that changed nothing anyone reads (only the version counter) is not an empty entry."""
    from tests.reporting.conftest import form_data

    report = make_report(users["liaison"])
    liaison = client_for(users["liaison"])
    liaison.post(f"/reports/{report.pk}/", form_data(report))
    report.refresh_from_db()
    liaison.post(f"/reports/{report.pk}/", form_data(report))  # the same numbers again
    entries = client_for(users["bureau"]).get(f"/reports/{report.pk}/history/").context["entries"]
    first = [{c.field: (c.old, c.new) for c in e.changes} for e in entries if e.model == "指标数值"]
    assert {"开展活动场次": ("—", "3"), "驻点服务天数": ("—", "12")}.items() <= first[-1].items(), first
    assert all(e.changes or e.reason or e.kind != "~" for e in entries), "no entry without a change"


def test_older_changes_are_reached_page_by_page_each_once(users, monkeypatch):
    """The feed shows FEED_LIMIT changes, then a link to the older ones, keeping the filters, until
    every change has been shown once: changes of one moment (a load writes many) included."""
    import re

    from pairing.models import Person

    monkeypatch.setattr("oversight.audit.FEED_LIMIT", 4)
    bureau = client_for(users["bureau"])
    liaison = client_for(users["liaison"])
    for name in ["甲", "乙", "丙", "丁", "戊"]:
        liaison.post(
            "/pairings/6/team/members/add/",
            {
                "name": name,
                "school": School.objects.get(name="东莞理工学院").pk,
                "role": "member",
                "title_grade": "junior",
            },
        )
    moment = Person.history.order_by("history_date").last().history_date
    Person.history.filter(name__in=["乙", "丙", "丁"]).update(history_date=moment)  # one moment
    url, shown = "/audit/?who=dgut", []
    while url:
        response = bureau.get(url)
        assert response.status_code == 200
        shown += [(e.when, e.model, e.object_repr) for e in response.context["entries"]]
        found = re.search(r'href="(\?[^"]*before=[^"]*)"', response.content.decode())
        url = "/audit/" + found.group(1).replace("&amp;", "&") if found else ""
        assert not url or "who=dgut" in url, "the filters are kept"
    monkeypatch.setattr("oversight.audit.FEED_LIMIT", 1000)
    everything = [(e.when, e.model, e.object_repr) for e in bureau.get("/audit/?who=dgut").context["entries"]]
    assert len(everything) >= 10  # five people and five memberships, at least
    assert shown == everything, "the pages, one after another, are the whole feed"
    assert "戊（队员）" in {name for *_, name in shown}
    assert [when for when, *_ in shown] == sorted((when for when, *_ in shown), reverse=True)
    for unreadable in ["yesterday", "0001-01-01T00:00:00+05:00|1|1", "9999-12-31T23:59:59-05:00|1|1", "||"]:
        assert bureau.get("/audit/", {"before": unreadable}).status_code == 400, unreadable


def test_the_feed_says_what_a_review_did_to_a_report(users, indicators):
    from reporting.services import report_accept, report_reopen, report_submit

    report = make_report(users["liaison"])
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1", "residency_days": "2"}
    )
    report_submit(report=report, user=users["liaison"])
    report_accept(report=report, reviewer=users["bureau"])
    report_reopen(report=report, reviewer=users["bureau"], reason="核对")
    entries = (
        client_for(users["bureau"]).get("/audit/", {"type": "reporting.MonthlyReport"}).context["entries"]
    )
    assert [entry.object_repr.rsplit(" · ", 1)[1] for entry in entries[:3]] == [
        "已重新开放修改",
        "已通过",
        "已报送",
    ]


def test_the_feed_shows_changes_to_a_programmes_configuration_with_their_fields(users):
    """Deleting a work category, a milestone, a figure or a yearly minimum in the admin left no line
    in the feed; a programme's due day changed showed no field, old or new value."""
    from pairing.models import Programme
    from reporting.models import Indicator, IndicatorMinimum

    programme = Programme.objects.get()
    category = WorkCategory.objects.create(
        programme=programme, code="culture", name_zh="文化", name_en="Culture"
    )
    indicator = Indicator.objects.create(
        programme=programme, code="t", name_zh="培训", name_en="Trainings", unit="次"
    )
    minimum = IndicatorMinimum.objects.create(programme=programme, indicator=indicator, per_year=2)
    category.delete()
    minimum.delete()
    programme.save()  # a record of it as loaded, to compare the change with
    programme.report_due_day = 25
    programme.save()
    bureau = client_for(users["bureau"])
    lines = {(e.kind, e.model, e.object_repr) for e in bureau.get("/audit/").context["entries"]}
    assert ("-", "工作类别", "文化") in lines
    assert ("-", "指标年度最低要求", "培训 ≥ 2") in lines
    changed = bureau.get("/audit/", {"type": "pairing.Programme"}).context["entries"][0]
    assert [(c.field, c.old, c.new) for c in changed.changes] == [("月报截止日", "28", "25")]
    page = client_for(users["bureau"]).get("/audit/", {"type": "pairing.Programme"}).content.decode()
    assert "月报截止日" in page and "25" in page
