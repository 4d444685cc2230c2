"""The liaison's workspace: adding team members and recording residencies, with every bad input named."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from pairing.models import Area, JointMeeting, Membership, Person, Residency, School
from pairing.services import membership_add
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

CHANGAN = 6
LAST_YEAR = timezone.localdate().year - 1
DGUT = "东莞理工学院"


@pytest.fixture
def liaison(users) -> Client:
    return client_for(users["liaison"])


def member_data(**overrides) -> dict:
    data = {
        "name": "张三",
        "school": School.objects.get(name=DGUT).pk,
        "role": "member",
        "title_grade": "intermediate",
    }
    return {**data, **overrides}


def test_liaison_adds_a_member_and_it_is_in_the_history(liaison, users):
    response = liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data(position="讲师"))
    assert response.status_code == 302
    membership = Membership.objects.get(person__name="张三")
    assert membership.team.pairing.number == CHANGAN
    assert membership.history.first().history_user == users["liaison"]
    assert membership.person.history.first().history_user == users["liaison"]


def test_a_duplicate_member_is_refused_next_to_the_name(liaison):
    liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data())
    response = liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data(position="副教授"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["东莞理工学院的张三已在服务工作队中。"]
    assert 'value="副教授"' in response.content.decode(), "what was typed is kept"
    assert Membership.objects.filter(person__name="张三").count() == 1


def test_a_school_outside_the_pairing_cannot_be_chosen(liaison):
    outsider = School.objects.get(name="广东医科大学")
    response = liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data(school=outsider.pk))
    assert "school" in response.context["form"].errors
    assert not Person.objects.filter(name="张三").exists()


def test_the_service_refuses_a_school_outside_the_pairing_too(dongguan):
    from django.core.exceptions import ValidationError

    from pairing.models import Pairing

    with pytest.raises(ValidationError, match="不是该结对的签约学校|is not a party"):
        membership_add(
            pairing=Pairing.objects.get(number=CHANGAN),
            name="李四",
            school=School.objects.get(name="广东医科大学"),
            role="member",
        )


def test_a_member_whose_name_begins_like_a_formula_is_refused_next_to_the_name(liaison):
    response = liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data(name="@SUM(1+1)*cmd"))
    assert response.status_code == 200
    assert "名称不能以 = + - @、制表符或换行符开头" in " ".join(response.context["form"].errors["name"])
    assert not Person.objects.filter(name__startswith="@").exists()


@pytest.fixture
def member(liaison) -> Person:
    liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data())
    return Person.objects.get(name="张三")


def residency_data(member, start, end, **overrides) -> dict:
    data = {
        "start_date": start,
        "end_date": end,
        "people": [member.pk],
        "place": Area.objects.get(name="新民社区").pk,
    }
    return {**data, **overrides}


def test_liaison_records_a_residency(liaison, member):
    response = liaison.post(
        f"/pairings/{CHANGAN}/residencies/add/",
        residency_data(member, f"{LAST_YEAR}-03-01", f"{LAST_YEAR}-03-30"),
    )
    assert response.status_code == 302
    assert Residency.objects.get().days == 30


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (f"{LAST_YEAR}-03-10", f"{LAST_YEAR}-03-01", "end_date", "驻点结束日期早于开始日期。"),
        ("2099-01-01", "2099-01-10", "end_date", "驻点结束日期不能晚于今天，请在驻点结束后登记。"),
        ("2023-01-01", "2023-01-10", "start_date", "驻点开始日期早于结对日期。"),
        ("not-a-date", f"{LAST_YEAR}-03-01", "start_date", None),
    ],
)
def test_bad_residency_dates_are_named_next_to_the_field(liaison, member, start, end, field, message):
    response = liaison.post(
        f"/pairings/{CHANGAN}/residencies/add/", residency_data(member, start, end, note="原文保留")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert "原文保留" in response.content.decode()
    assert not Residency.objects.exists()


def test_a_residency_without_members_and_with_dates_reversed_names_both_at_once(liaison, member):
    data = residency_data(member, f"{LAST_YEAR}-03-10", f"{LAST_YEAR}-03-01")
    data.pop("people")
    errors = liaison.post(f"/pairings/{CHANGAN}/residencies/add/", data).context["form"].errors
    assert errors["end_date"] == ["驻点结束日期早于开始日期。"] and "people" in errors


def test_an_overlapping_residency_for_the_same_person_is_refused(liaison, member):
    url = f"/pairings/{CHANGAN}/residencies/add/"
    liaison.post(url, residency_data(member, f"{LAST_YEAR}-03-01", f"{LAST_YEAR}-03-30"))
    response = liaison.post(url, residency_data(member, f"{LAST_YEAR}-03-20", f"{LAST_YEAR}-04-10"))
    assert response.context["form"].errors["people"] == [
        f"张三已有{LAST_YEAR}-03-01至{LAST_YEAR}-03-30的驻点记录，与本次日期重叠。"
    ]
    assert Residency.objects.count() == 1


def test_a_place_outside_the_pairing_is_refused(liaison, member):
    response = liaison.post(
        f"/pairings/{CHANGAN}/residencies/add/",
        residency_data(
            member, f"{LAST_YEAR}-03-01", f"{LAST_YEAR}-03-05", place=Area.objects.get(name="石鼓").pk
        ),
    )
    assert "place" in response.context["form"].errors


@pytest.mark.parametrize(
    "url", [f"/pairings/{CHANGAN}/team/members/add/", f"/pairings/{CHANGAN}/residencies/add/"]
)
def test_workspace_sends_anonymous_users_to_log_in(dongguan, url):
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_liaison_edits_and_removes_a_member(liaison, member, users):
    membership = member.memberships.get()
    url = f"/pairings/{CHANGAN}/team/members/{membership.pk}/"
    response = liaison.post(url, {"role": "deputy", "title_grade": "associate", "is_school_leader": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.title_grade, member.is_school_leader, member.memberships.get().role) == (
        "associate",
        True,
        "deputy",
    )
    assert liaison.post(url, {"remove": "1"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert membership.history.first().history_type == "-"
    assert membership.history.first().history_user == users["liaison"]


def test_a_members_start_on_the_team_is_given_or_corrected_within_the_pairing(liaison, member):
    membership = member.memberships.get()
    from django.utils import timezone

    assert membership.joined_on == timezone.localdate(), "left empty: today, Beijing time"
    url = f"/pairings/{CHANGAN}/team/members/{membership.pk}/"
    assert 'name="joined_on"' in liaison.get(url).content.decode()
    details = {"role": "member", "title_grade": "intermediate"}
    assert liaison.post(url, {**details, "joined_on": f"{LAST_YEAR}-09-01"}).status_code == 302
    assert Membership.objects.get(pk=membership.pk).joined_on == datetime.date(LAST_YEAR, 9, 1)
    for day, message in [
        ("2099-01-01", "入队日期不能晚于今天。"),
        ("2020-01-01", "入队日期不能早于结对日期。"),
    ]:
        errors = liaison.post(url, {**details, "joined_on": day}).context["form"].errors
        assert errors["joined_on"] == [message]
    assert Membership.objects.get(pk=membership.pk).joined_on == datetime.date(LAST_YEAR, 9, 1)
    added = liaison.post(
        f"/pairings/{CHANGAN}/team/members/add/",
        {**member_data(), "name": "李四", "joined_on": f"{LAST_YEAR}-03-01"},
    )
    assert added.status_code == 302
    assert Membership.objects.get(person__name="李四").joined_on == datetime.date(LAST_YEAR, 3, 1)


def test_a_member_of_another_pairing_answers_404(liaison, users, member):
    membership = member.memberships.get()
    other = client_for(users["other_liaison"])
    assert other.get(f"/pairings/4/team/members/{membership.pk}/").status_code == 404
    assert other.get(f"/pairings/{CHANGAN}/team/members/{membership.pk}/").status_code == 404
    assert (
        client_for(users["commander"]).get(f"/pairings/{CHANGAN}/team/members/{membership.pk}/").status_code
        == 403
    )


def test_the_title_grade_must_be_chosen(liaison):
    response = liaison.post(f"/pairings/{CHANGAN}/team/members/add/", member_data(title_grade=""))
    assert response.context["form"].errors["title_grade"] == ["该字段是必填项。"]
    assert not Membership.objects.exists()


def test_an_invalid_title_grade_keeps_what_was_typed(liaison, member):
    membership = member.memberships.get()
    response = liaison.post(
        f"/pairings/{CHANGAN}/team/members/{membership.pk}/",
        {"role": "member", "title_grade": "wizard", "position": "教授"},
    )
    assert "title_grade" in response.context["form"].errors
    assert 'value="教授"' in response.content.decode()


@pytest.fixture
def residency(liaison, member) -> Residency:
    liaison.post(
        f"/pairings/{CHANGAN}/residencies/add/",
        residency_data(member, f"{LAST_YEAR}-03-01", f"{LAST_YEAR}-03-10"),
    )
    return Residency.objects.get()


def test_a_residency_is_corrected_with_the_same_checks_and_can_be_deleted(liaison, users, member, residency):
    url = f"/pairings/{CHANGAN}/residencies/{residency.pk}/"
    page = liaison.get(url).content.decode()
    assert f'value="{LAST_YEAR}-03-01"' in page and "确定删除此记录吗" in page
    response = liaison.post(url, residency_data(member, f"{LAST_YEAR}-03-05", f"{LAST_YEAR}-03-01"))
    assert response.context["form"].errors["end_date"] == ["驻点结束日期早于开始日期。"]
    # The residency's own dates do not count as an overlap with itself.
    assert (
        liaison.post(url, residency_data(member, f"{LAST_YEAR}-03-01", f"{LAST_YEAR}-03-20")).status_code
        == 302
    )
    residency.refresh_from_db()
    assert residency.days == 20 and residency.history.first().history_user == users["liaison"]
    assert liaison.post(url, {"remove": "1"}).status_code == 302
    assert not Residency.objects.exists()
    assert Residency.history.filter(history_type="-").exists(), "the history keeps what was deleted"


def test_a_meeting_is_corrected_its_minutes_shown_and_deleted(liaison):
    liaison.post(
        f"/pairings/{CHANGAN}/meetings/add/", {"held_on": f"{LAST_YEAR}-05-06", "attendees": "三方代表"}
    )
    meeting = JointMeeting.objects.get()
    url = f"/pairings/{CHANGAN}/meetings/{meeting.pk}/"
    data = {"held_on": f"{LAST_YEAR}-05-07", "attendees": "三方代表", "minutes": "讨论年度计划"}
    assert liaison.post(url, data).status_code == 302
    assert "讨论年度计划" in liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert JointMeeting.objects.get().held_on == datetime.date(LAST_YEAR, 5, 7)
    liaison.post(url, {"remove": "1"})
    assert not JointMeeting.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("bureau", 200),
        ("commander", 403),
        ("liaison", 200),
        ("assisting_liaison", 200),
        ("other_liaison", 404),
        ("town_liaison", 403),
        ("other_town_liaison", 404),
        ("no_role", 404),
    ],
)
def test_correcting_records_follows_who_may_edit_the_pairing(users, residency, role, status):
    url = f"/pairings/{CHANGAN}/residencies/{residency.pk}/"
    assert client_for(users[role]).get(url).status_code == status
    assert client_for(users[role]).post(url, {"remove": "1"}).status_code == (
        302 if status == 200 else status
    )
    assert Residency.objects.exists() == (status != 200)


def test_a_record_of_another_pairing_answers_404(users, residency):
    other = client_for(users["other_liaison"])
    assert other.get(f"/pairings/4/residencies/{residency.pk}/").status_code == 404
    assert other.post(f"/pairings/4/residencies/{residency.pk}/", {"remove": "1"}).status_code == 404
    assert Residency.objects.exists()


def test_a_team_has_one_leader_and_phones_are_phone_numbers(liaison):
    url = f"/pairings/{CHANGAN}/team/members/add/"
    assert (
        liaison.post(url, member_data(name="林磊", role="leader", phone="+86 (769) 2288-0000")).status_code
        == 302
    )
    response = liaison.post(url, member_data(name="张三", role="leader"))
    assert response.context["form"].errors["role"] == ["服务工作队已有队长林磊，请先修改其角色。"]
    response = liaison.post(url, member_data(name="张三", phone="abc"))
    assert response.context["form"].errors["phone"] == [
        "请填写电话号码：由数字组成，可含空格、括号、“-”或开头的“+”。"
    ]
    assert list(Membership.objects.values_list("person__name", flat=True)) == ["林磊"]
    leader = Membership.objects.get()
    edit = f"/pairings/{CHANGAN}/team/members/{leader.pk}/"
    assert liaison.post(edit, {"role": "leader", "title_grade": "senior"}).status_code == 302, (
        "keeping the role is fine"
    )


def test_a_practice_base_cannot_be_established_in_the_future(liaison):
    place = Area.objects.get(name="新民社区")
    response = liaison.post(
        f"/pairings/{CHANGAN}/bases/add/", {"name": "基地", "place": place.pk, "established_on": "2099-01-01"}
    )
    assert response.context["form"].errors["established_on"] == ["请在基地建成后再填写。"]
