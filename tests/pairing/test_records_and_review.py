"""Meetings, plans, agreements (with private files), practice bases, the bureau's review and adjustment."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.months import Month
from pairing.models import Agreement, Area, JointMeeting, Pairing, PairingReview, PracticeBase, School
from tests.factories import MembershipFactory, ServiceTeamFactory, VillageFactory
from tests.helpers import client_for, on_the_tenth

pytestmark = pytest.mark.django_db

CHANGAN = 6
PDF = b"%PDF-1.4\n% test agreement\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def liaison(users) -> Client:
    return client_for(users["liaison"])


def test_liaison_records_a_meeting(liaison):
    response = liaison.post(
        f"/pairings/{CHANGAN}/meetings/add/",
        {"held_on": "2024-03-15", "attendees": "三方代表", "decisions": "通过年度计划"},
    )
    assert response.status_code == 302
    assert JointMeeting.objects.get().pairing.number == CHANGAN


@pytest.mark.parametrize("held_on", ["2023-01-01", "2028-06-01"])
def test_a_meeting_outside_the_programme_is_refused(liaison, held_on):
    response = liaison.post(
        f"/pairings/{CHANGAN}/meetings/add/", {"held_on": held_on, "attendees": "三方代表"}
    )
    assert "会议日期不在项目期间" in response.context["form"].errors["held_on"][0]
    assert "三方代表</textarea>" in response.content.decode(), "what was typed is kept"
    assert not JointMeeting.objects.exists()


def test_annual_plan_is_saved_and_replaced(liaison):
    url = f"/pairings/{CHANGAN}/plan/"
    assert liaison.post(url, {"year": 2024, "content": "第一版"}).status_code == 302
    assert liaison.post(url, {"year": 2024, "content": "第二版"}).status_code == 302
    assert list(Pairing.objects.get(number=CHANGAN).annual_plans.values_list("content", flat=True)) == [
        "第二版"
    ]


def test_this_years_saved_plan_fills_the_form_and_a_meeting_of_another_year_is_refused(liaison):
    from django.utils import timezone

    year = timezone.localdate().year
    url = f"/pairings/{CHANGAN}/plan/"
    assert liaison.post(url, {"year": year, "content": "今年的计划"}).status_code == 302
    assert "今年的计划</textarea>" in liaison.get(url).content.decode(), "a correction, not a blank form"
    meeting = JointMeeting.objects.create(
        pairing=Pairing.objects.get(number=CHANGAN), held_on=datetime.date(year - 2, 3, 15), attendees="三方"
    )
    response = liaison.post(url, {"year": year, "content": "改过的计划", "decided_at": meeting.pk})
    assert response.context["form"].errors["decided_at"] == [
        f"{year}年度计划须由{year - 1}年或{year}年召开的联席会议议定。"
    ]
    assert Pairing.objects.get(number=CHANGAN).annual_plans.get().content == "今年的计划"


def upload_agreement(client, name: str, content: bytes, signed_on: str = "2024-01-20"):
    return client.post(
        f"/pairings/{CHANGAN}/agreement/",
        {"signed_on": signed_on, "scanned_file": SimpleUploadedFile(name, content)},
    )


def test_agreement_upload_and_private_download(liaison, users):
    assert upload_agreement(liaison, "协议.pdf", PDF).status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.signed_on == datetime.date(2024, 1, 20)
    response = liaison.get(f"/pairings/{CHANGAN}/agreement/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"


def test_the_saved_signing_date_is_shown_in_the_form_and_kept_on_a_new_upload(liaison):
    upload_agreement(liaison, "协议.pdf", PDF, signed_on="2024-01-23")
    html = liaison.get(f"/pairings/{CHANGAN}/agreement/").content.decode()
    assert 'value="2024-01-23"' in html, "a date input shows only ISO dates, whatever the language"
    assert upload_agreement(liaison, "新扫描件.pdf", PDF, signed_on="2024-01-23").status_code == 302
    assert Agreement.objects.get().signed_on == datetime.date(2024, 1, 23)


def test_readers_are_told_in_their_language_what_they_may_not_do(users):
    response = client_for(users["commander"]).get(f"/pairings/{CHANGAN}/adjust/")
    assert response.status_code == 403
    assert "您无权进行此操作" in response.content.decode()
    response = client_for(users["other_liaison"]).get(f"/pairings/{CHANGAN}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("bureau", 200),
        ("commander", 200),
        ("liaison", 200),
        ("assisting_liaison", 200),
        ("other_liaison", 404),
        ("town_liaison", 200),
        ("other_town_liaison", 404),
        ("no_role", 404),
    ],
)
def test_the_agreement_file_is_served_only_to_those_who_see_the_pairing(liaison, users, role, status):
    upload_agreement(liaison, "协议.png", PNG)
    assert client_for(users[role]).get(f"/pairings/{CHANGAN}/agreement/file/").status_code == status


def test_the_file_is_not_reachable_under_a_media_url(liaison):
    upload_agreement(liaison, "协议.pdf", PDF)
    path = Agreement.objects.get().scanned_file.name
    assert Client().get(f"/media/{path}").status_code == 404
    assert liaison.get(f"/media/{path}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("协议.docx", b"PK\x03\x04", "请上传PDF、JPG或PNG文件。"),
        ("协议.pdf", b"MZ not a pdf", "文件内容不是有效的PDF文件。"),
        ("协议.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "文件大小为10.0MB，超过10MB的上限。"),
    ],
)
def test_a_bad_file_is_refused_and_the_saved_agreement_is_kept(liaison, name, content, message):
    upload_agreement(liaison, "协议.pdf", PDF, signed_on="2024-01-10")
    response = upload_agreement(liaison, name, content, signed_on="2024-01-25")
    assert response.context["form"].errors["scanned_file"] == [message]
    agreement = Agreement.objects.get()
    assert agreement.signed_on == datetime.date(2024, 1, 10), "nothing already saved is lost"
    assert agreement.scanned_file.read() == PDF


def test_a_signing_date_in_the_future_is_refused(liaison):
    response = upload_agreement(liaison, "协议.pdf", PDF, signed_on="2099-01-01")
    assert response.context["form"].errors["signed_on"] == ["签署日期不能晚于今天。"]


def test_a_signed_agreements_date_cannot_be_cleared_and_a_scan_needs_a_date(liaison):
    """A cleared date picker would "un-sign" the agreement and break the agreement rule."""
    upload_agreement(liaison, "协议.pdf", PDF, signed_on="2024-01-10")
    response = liaison.post(f"/pairings/{CHANGAN}/agreement/", {"signed_on": "", "note": "新备注"})
    assert response.status_code == 200
    assert response.context["form"].errors["signed_on"] == [
        "已签署的协议须保留签署日期：日期有误可以更正，但不能清空。"
    ]
    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.note) == (datetime.date(2024, 1, 10), "")
    assert upload_agreement(liaison, "协议.pdf", PDF, signed_on="2024-01-12").status_code == 302
    assert Agreement.objects.get().signed_on == datetime.date(2024, 1, 12), "a wrong date is corrected"


def test_a_scan_without_a_signing_date_is_refused(liaison):
    response = upload_agreement(liaison, "协议.pdf", PDF, signed_on="")
    assert response.context["form"].errors["signed_on"] == ["请填写扫描件所示协议的签署日期。"]
    assert not Agreement.objects.filter(scanned_file__gt="").exists()


def test_practice_base_is_saved(liaison):
    place = Area.objects.get(name="新民社区")
    response = liaison.post(f"/pairings/{CHANGAN}/bases/add/", {"name": "新民实践基地", "place": place.pk})
    assert response.status_code == 302
    assert PracticeBase.objects.get().place == place


def test_bureau_returns_the_team_with_a_comment_the_liaison_sees(users, liaison):
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/review/"
    response = bureau.post(url, {"subject": "team", "decision": "returned", "comment": ""})
    assert response.context["form"].errors["comment"] == ["请写明需要联络员修改的内容。"]
    bureau.post(url, {"subject": "team", "decision": "returned", "comment": "请补充两名中级职称队员"})
    review = PairingReview.objects.get()
    assert (review.reviewer, review.decision) == (users["bureau"], "returned")
    assert "请补充两名中级职称队员" in liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert "退回后已修改" not in liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    pairing = Pairing.objects.get(number=CHANGAN)
    MembershipFactory(team=ServiceTeamFactory(pairing=pairing), person__school=pairing.lead_university)
    # Corrected since: the page says it waits to be reviewed again, to the liaison and the bureau.
    for client in (liaison, bureau):
        assert "退回后已修改，等待重新审核。" in client.get(f"/pairings/{CHANGAN}/").content.decode()
    bureau.post(url, {"subject": "team", "decision": "accepted"})
    html = liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert "已通过" in html and "请补充两名中级职称队员" not in html


def test_a_returned_agreement_uploaded_again_reads_as_waiting_for_review(users, liaison):
    """The liaison uploads the scan the bureau asked for: the page no longer reads as if the agreement
    were still as it was returned."""
    assert upload_agreement(liaison, "协议.pdf", PDF).status_code == 302
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/review/"
    bureau.post(url, {"subject": "agreement", "decision": "returned", "comment": "请上传盖章页"})
    html = liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert "请上传盖章页" in html and "退回后已修改" not in html
    assert upload_agreement(liaison, "盖章页.pdf", PDF).status_code == 302
    html = bureau.get(f"/pairings/{CHANGAN}/").content.decode()
    assert "请上传盖章页" in html and "退回后已修改，等待重新审核。" in html


def test_bureau_ends_a_pairing_with_a_reason_in_the_history(users):
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/adjust/"
    response = bureau.post(url, {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": ""})
    assert "reason" in response.context["form"].errors
    assert Pairing.objects.get(number=CHANGAN).status == "active"
    bureau.post(
        url, {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": "根据年度评价动态调整"}
    )
    pairing = Pairing.objects.get(number=CHANGAN)
    assert (pairing.status, pairing.end_reason) == ("ended", "根据年度评价动态调整")
    record = pairing.history.first()
    assert (record.history_user, record.history_change_reason) == (users["bureau"], "根据年度评价动态调整")


def test_a_pairing_does_not_end_before_a_month_due_or_reported(users):
    """Ending a pairing before a month that is due, or has a report on record, would take that
    month's reports out of the record (and out of its compiled figures): refused, with the earliest
    day it can end; that day is accepted. Run on the 10th of this month, Beijing time: from the
    day after the due day this month is due itself, and the second case (a report begun for a month
    not yet due) has no such month."""
    with on_the_tenth():
        _pairing_does_not_end_before_a_month_due_or_reported(users)


def _pairing_does_not_end_before_a_month_due_or_reported(users):
    from reporting.expectations import month_tally
    from reporting.models import MonthlyReport

    pairing = Pairing.objects.get(number=CHANGAN)
    current = Month.current()
    due = current.previous()
    assert not pairing.programme.is_due(current) and pairing.programme.is_due(due)
    before = month_tally(due).expected
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/adjust/"
    assert f"最早为{due.first_day}：{due}已到报送期限或已有月报" in bureau.get(url).content.decode()
    response = bureau.post(url, {"action": "end", "end_date": "2024-12-31", "reason": "结束"})
    assert response.context["form"].errors["end_date"] == [
        f"{due}已到报送期限或已有月报，已报送的月份须保持原样：结对最早可于{due.first_day}终止。"
    ]
    # A report begun for this month (not due yet) holds this month too.
    MonthlyReport.objects.create(
        pairing=pairing, school=pairing.lead_university, month=current.first_day, created_by=users["liaison"]
    )
    response = bureau.post(url, {"action": "end", "end_date": due.last_day.isoformat(), "reason": "结束"})
    assert f"结对最早可于{current.first_day}终止" in response.context["form"].errors["end_date"][0]
    assert Pairing.objects.get(number=CHANGAN).status == "active"
    assert month_tally(due).expected == before
    assert (
        bureau.post(url, {"action": "end", "end_date": current.first_day, "reason": "结束"}).status_code
        == 302
    )
    assert Pairing.objects.get(number=CHANGAN).status == "ended"
    assert month_tally(due).expected == before


def test_bureau_replaces_a_school_and_adds_and_removes_villages(users):
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/adjust/"
    old = School.objects.get(name="东莞市机电工程学校")
    new = School.objects.get(name="东莞市商业学校")
    assert (
        bureau.post(
            url, {"action": "replace_school", "old": old.pk, "new": new.pk, "reason": "学校调整"}
        ).status_code
        == 302
    )
    pairing = Pairing.objects.get(number=CHANGAN)
    assert list(pairing.assisting_schools.values_list("name", flat=True)) == ["东莞市商业学校"]
    assert pairing.status == "adjusted"
    shigu = VillageFactory(name="石鼓新村", parent=pairing.town)  # in no pairing yet
    bureau.post(url, {"action": "add_village", "village": shigu.pk, "reason": "增加典型村"})
    assert set(pairing.villages.values_list("name", flat=True)) == {"新民社区", "石鼓新村"}
    bureau.post(url, {"action": "remove_village", "village": shigu.pk, "reason": "撤回"})
    assert set(pairing.villages.values_list("name", flat=True)) == {"新民社区"}
    reasons = set(pairing.history.values_list("history_change_reason", flat=True))
    assert {"学校调整", "增加典型村", "撤回"} <= reasons
    # The state before the adjustment stays readable in the history.
    before = pairing.history.earliest("history_date")
    assert before.status == "active"
    assert [row.school.name for row in before.assisting_schools.all()] == ["东莞市机电工程学校"]


def test_a_vocational_school_cannot_become_lead(users):
    bureau = client_for(users["bureau"])
    lead = School.objects.get(name="东莞理工学院")
    vocational = School.objects.get(name="东莞市商业学校")
    response = bureau.post(
        f"/pairings/{CHANGAN}/adjust/",
        {"action": "replace_school", "old": lead.pk, "new": vocational.pk, "reason": "x"},
    )
    assert response.context["form"].errors["new"] == ["东莞市商业学校是中职学校，不是高校。"]
    assert Pairing.objects.get(number=CHANGAN).lead_university == lead


def test_the_review_page_shows_what_is_under_review(users, liaison):
    bureau = client_for(users["bureau"])
    html = bureau.get(f"/pairings/{CHANGAN}/review/").content.decode()
    assert "服务工作队：0人，队长：无。三方合作协议：尚未签署。" in html
    upload_agreement(liaison, "协议.pdf", PDF, signed_on="2024-01-23")
    html = bureau.get(f"/pairings/{CHANGAN}/review/").content.decode()
    assert "三方合作协议：已于2024-01-23签署，已上传扫描件。" in html


def test_nothing_is_accepted_that_is_not_there(users):
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/review/"
    for subject, message in [
        ("agreement", "尚无已签署的三方协议，无法审核通过。"),
        ("team", "服务工作队尚无队员，无法审核通过。"),
    ]:
        response = bureau.post(url, {"subject": subject, "decision": "accepted"})
        assert response.context["form"].errors["decision"] == [message]
    assert not PairingReview.objects.exists()
    response = bureau.post(url, {"subject": "agreement", "comment": "x"})
    assert "decision" in response.context["form"].errors, "the decision is never preset"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "replace_school", "old": "机电", "new": "机电"}, "new", "请选择与被更换学校不同的学校。"),
        ({"action": "replace_school", "old": "机电", "new": "理工"}, "new", "东莞理工学院已是该结对的一方。"),
        ({"action": "add_village", "village": "新民社区"}, "village", "新民社区已在该结对中。"),
        (
            {"action": "add_village", "village": "雁田村"},
            "village",
            "雁田村已属于第1对结对，请先从该结对移除。",
        ),
    ],
)
def test_adjustments_that_make_no_sense_are_refused(users, data, field, message):
    names = {"机电": "东莞市机电工程学校", "理工": "东莞理工学院"}
    data = {**data, "reason": "调整"}
    for key in ("old", "new"):
        if key in data:
            data[key] = School.objects.get(name=names[data[key]]).pk
    if "village" in data:
        data["village"] = Area.objects.get(name=data["village"]).pk
    response = client_for(users["bureau"]).post(f"/pairings/{CHANGAN}/adjust/", data)
    assert response.context["form"].errors[field] == [message]
    pairing = Pairing.objects.get(number=CHANGAN)
    assert pairing.status == "active" and not pairing.history.filter(history_change_reason="调整").exists()


def test_an_ended_pairing_is_not_adjusted_again(users):
    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/adjust/"
    bureau.post(url, {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": "结束"})
    shigu = VillageFactory(name="石鼓新村", parent=Pairing.objects.get(number=CHANGAN).town)
    # The policy refuses before the service is asked (which refuses too: test_services).
    response = bureau.post(url, {"action": "add_village", "village": shigu.pk, "reason": "增加"})
    assert response.status_code == 403
    assert not Pairing.objects.get(number=CHANGAN).villages.filter(pk=shigu.pk).exists()


def test_an_assisting_school_is_replaced_only_by_a_kind_the_programme_allows(users):
    bureau = client_for(users["bureau"])
    pairing = Pairing.objects.get(number=CHANGAN)
    assisting = pairing.assisting_schools.first()
    university = (
        School.objects.filter(kind=School.Kind.UNIVERSITY).exclude(pk=pairing.lead_university_id).first()
    )
    response = bureau.post(
        f"/pairings/{CHANGAN}/adjust/",
        {"action": "replace_school", "old": assisting.pk, "new": university.pk, "reason": "x"},
    )
    assert response.context["form"].errors["new"] == [f"{university.name}是高校，不是中职学校。"]
    assert list(pairing.assisting_schools.all()) == [assisting]


def test_only_the_programmes_schools_and_villages_are_offered_and_accepted(users):
    from tests.factories import SchoolFactory

    bureau = client_for(users["bureau"])
    url = f"/pairings/{CHANGAN}/adjust/"
    pairing = Pairing.objects.get(number=CHANGAN)
    assisting = pairing.assisting_schools.get()
    outsider = SchoolFactory(name="石泉县职业教育中心")  # of no pairing of the programme
    far_village = VillageFactory(name="堰坪村")  # in a town outside Dongguan
    html = bureau.get(url).content.decode()
    # Typed, not picked from the whole registry: no <select> of every school or village.
    assert 'name="new_q"' in html and 'name="village_q"' in html
    assert outsider.name not in html and "<option" not in html.split('id="id_new"')[1].split("</div>")[0]
    response = bureau.post(
        url, {"action": "replace_school", "old": assisting.pk, "new": outsider.pk, "reason": "x"}
    )
    assert response.context["form"].errors["new"] == ["请从列表中选择本项目的学校。"]
    response = bureau.post(url, {"action": "add_village", "village": far_village.pk, "reason": "x"})
    assert response.context["form"].errors["village"] == ["请从列表中选择本项目区域内的村（社区）。"]
    assert list(pairing.assisting_schools.all()) == [assisting] and far_village not in pairing.villages.all()
    # Without the script only the name is sent: the programme's school is found by it.
    response = bureau.post(
        url,
        {
            "action": "replace_school",
            "old": assisting.pk,
            "new": "",
            "new_q": "东莞市商业学校",
            "reason": "x",
        },
    )
    assert response.status_code == 302
    assert list(pairing.assisting_schools.values_list("name", flat=True)) == ["东莞市商业学校"]


def test_the_services_refuse_a_school_or_village_from_outside_the_programme(users):
    from django.core.exceptions import ValidationError

    from pairing.services import pairing_change_village, pairing_replace_school
    from tests.factories import SchoolFactory

    pairing = Pairing.objects.get(number=CHANGAN)
    with pytest.raises(ValidationError) as refused:
        pairing_replace_school(
            pairing=pairing, old=pairing.assisting_schools.get(), new=SchoolFactory(name="外校"), reason="x"
        )
    assert refused.value.message_dict["new"][0].startswith("外校未参与") and "名册导入" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        pairing_change_village(pairing=pairing, village=VillageFactory(name="外村"), add=True, reason="x")
    assert "外村" in refused.value.message_dict["village"][0]


def test_suggestions_keep_to_the_programme_asked_for(users):
    from tests.factories import ProgrammeFactory

    bureau = client_for(users["bureau"])
    dongguan = Pairing.objects.get(number=CHANGAN).programme
    other = ProgrammeFactory(name="宜宾测试")
    found = bureau.get("/pairings/choices/towns/", {"q": "长", "programme": dongguan.pk}).json()["results"]
    assert [town["text"] for town in found] == ["长安"]
    assert bureau.get("/pairings/choices/towns/", {"q": "长", "programme": other.pk}).json()["results"] == []
    assert bureau.get("/pairings/choices/towns/", {"q": "长", "programme": "abc"}).json()["results"] == []
    villages = bureau.get("/pairings/choices/villages/", {"q": "社区", "programme": dongguan.pk}).json()[
        "results"
    ]
    assert "新民社区" in {village["text"] for village in villages}
    far = VillageFactory(name="外地社区")
    villages = bureau.get("/pairings/choices/villages/", {"q": "社区", "programme": dongguan.pk}).json()[
        "results"
    ]
    assert far.name not in {village["text"] for village in villages}


def test_village_suggestions_keep_to_what_the_user_may_see(users):
    """The bureau, who adds villages to pairings, finds any village of the programme's area; a town
    liaison only those of their town's pairings, as with towns and schools."""
    dongguan = Pairing.objects.get(number=CHANGAN).programme
    unpaired = VillageFactory(name="上沙社区", parent=Area.objects.get(name="长安"))

    def found(role: str) -> set[str]:
        answer = client_for(users[role]).get(
            "/pairings/choices/villages/", {"q": "社区", "programme": dongguan.pk}
        )
        return {village["text"] for village in answer.json()["results"]}

    assert {"新民社区", "涌口社区", unpaired.name} <= found("bureau")
    assert found("town_liaison") == {"新民社区"}  # 长安's pairing 6


def test_a_team_the_portal_names_is_named_in_the_registrys_language(users):
    """A member added on the English page made the team '长安 service team', shown so on every Chinese
    page since."""
    from django.utils import translation

    from pairing.services import team_get_or_create

    with translation.override("en"):
        team = team_get_or_create(pairing=Pairing.objects.get(number=CHANGAN))
    assert team.name == "长安服务工作队"
