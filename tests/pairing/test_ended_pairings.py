"""An ended pairing (its programme has ended, or the pairing has its own end) keeps its records as
they were: the policy refuses every change to its workspace, the page offers none, and reading it
stays as before."""

import datetime

import pytest
from django.utils import timezone

from core.policy import can
from pairing.models import Agreement, JointMeeting, Membership, Pairing, Person, Programme, Residency
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

CHANGAN = 6  # 东莞理工学院 (liaison) with 东莞市机电工程学校 (assisting_liaison)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def records(users) -> dict:
    """Pairing 6 with a member, a residency and a meeting, while it still runs."""
    pairing = Pairing.objects.get(number=CHANGAN)
    from pairing.services import team_get_or_create

    team = team_get_or_create(pairing=pairing)
    person = Person.objects.create(name="张三", school=pairing.lead_university, title_grade="intermediate")
    membership = Membership.objects.create(team=team, person=person, role="member")
    residency = Residency.objects.create(
        team=team,
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 3, 5),
        place=pairing.town,
    )
    meeting = JointMeeting.objects.create(
        pairing=pairing, held_on=datetime.date(2024, 3, 1), attendees="三方"
    )
    return {"membership": membership.pk, "residency": residency.pk, "meeting": meeting.pk}


def end(how: str, day: datetime.date = YESTERDAY) -> None:
    pairing = Pairing.objects.get(number=CHANGAN)
    if how == "programme":
        Programme.objects.filter(pk=pairing.programme_id).update(end_date=day)
    else:  # the pairing's own end, its status unchanged (as an import may leave it)
        Pairing.objects.filter(pk=pairing.pk).update(end_date=day)


# Every page that changes a pairing, with a body that would change it if it were allowed.
CHANGES = {
    "member_add": ("team/members/add/", {"name": "李四", "role": "member", "title_grade": "senior"}),
    "member_edit": ("team/members/{membership}/", {"remove": "1"}),
    "residency_add": ("residencies/add/", {"start_date": "2024-04-01", "end_date": "2024-04-02"}),
    "residency_edit": ("residencies/{residency}/", {"remove": "1"}),
    "meeting_add": ("meetings/add/", {"held_on": "2024-05-06", "attendees": "三方代表"}),
    "meeting_edit": ("meetings/{meeting}/", {"remove": "1"}),
    "annual_plan": ("plan/", {"year": "2024", "content": "计划"}),
    "agreement_edit": ("agreement/", {"signed_on": "2024-01-10"}),
    "practice_base_add": ("bases/add/", {"name": "基地"}),
    "review": ("review/", {"subject": "team", "decision": "returned", "comment": "补充"}),
    "adjust": ("adjust/", {"action": "end", "end_date": "2024-12-31", "reason": "结束"}),
}


def counts() -> tuple:
    pairing = Pairing.objects.get(number=CHANGAN)
    return (
        Membership.objects.filter(team__pairing=pairing).count(),
        Residency.objects.filter(team__pairing=pairing).count(),
        JointMeeting.objects.filter(pairing=pairing).count(),
        pairing.annual_plans.count(),
        Agreement.objects.filter(pairing=pairing).count(),
        pairing.practice_bases.count(),
        pairing.reviews.count(),
        pairing.status,
    )


@pytest.mark.parametrize("how", ["programme", "pairing"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("bureau", 403),
        ("liaison", 403),
        ("assisting_liaison", 403),
        ("commander", 403),
        ("other_liaison", 404),
    ],
)
def test_every_change_to_an_ended_pairing_is_refused_as_the_policy_says(users, records, how, role, status):
    end(how)
    before = counts()
    client = client_for(users[role])
    found = {}
    for name, (path, data) in CHANGES.items():
        url = f"/pairings/{CHANGAN}/{path.format(**records)}"
        if role in {"liaison", "assisting_liaison"} and name in {"review", "adjust"}:
            expected = 403  # the bureau's actions: refused to liaisons whether the pairing runs or not
        else:
            expected = status
        page = client.get(url)
        answered = (page.status_code, client.post(url, data).status_code)
        if answered != (expected, expected):
            found[name] = answered
        # The refusal says why: the pairing has ended, to whom could change it while it ran; the
        # role, to the others.
        ended = "该结对已结束" in page.content.decode()
        could = role == "bureau" or (
            role in {"liaison", "assisting_liaison"} and name not in {"review", "adjust"}
        )
        if expected == 403 and ended != could:
            found[name] = ("says ended", ended)
    assert found == {}
    assert counts() == before, "nothing changed"


@pytest.mark.parametrize("how", ["programme", "pairing"])
def test_the_page_of_an_ended_pairing_offers_no_change_but_shows_its_records(users, records, how):
    client = client_for(users["liaison"])
    running = client.get(f"/pairings/{CHANGAN}/").content.decode()
    assert f"/pairings/{CHANGAN}/team/members/add/" in running and 'id="ended-note"' not in running
    end(how)
    html = client.get(f"/pairings/{CHANGAN}/").content.decode()
    assert 'id="ended-note"' in html and "该结对已结束" in html and "其月报仍可报送、审核和更正" in html
    assert f"/pairings/{CHANGAN}/" + "team/" not in html
    for name, (path, _data) in CHANGES.items():
        assert f"/pairings/{CHANGAN}/{path.format(**records)}" not in html, name
    assert "张三" in html and "2024-03-01" in html, "the records are still shown"
    bureau = client_for(users["bureau"]).get(f"/pairings/{CHANGAN}/").content.decode()
    assert f"/pairings/{CHANGAN}/review/" not in bureau and f"/pairings/{CHANGAN}/adjust/" not in bureau


@pytest.mark.parametrize("how", ["programme", "pairing"])
def test_a_pairing_can_still_be_changed_on_the_last_day_of_its_end(users, records, how):
    end(how, timezone.localdate())
    pairing = Pairing.objects.select_related("programme").get(number=CHANGAN)
    assert not pairing.has_ended
    assert can(users["liaison"], "pairing.change", pairing) and can(
        users["bureau"], "pairing.adjust", pairing
    )
    response = client_for(users["liaison"]).post(
        f"/pairings/{CHANGAN}/meetings/add/", {"held_on": "2024-05-06", "attendees": "三方代表"}
    )
    assert response.status_code == 302 and JointMeeting.objects.filter(pairing=pairing).count() == 2


def test_a_pairing_the_bureau_ended_is_read_only_at_once(users, records):
    pairing = Pairing.objects.get(number=CHANGAN)
    bureau = client_for(users["bureau"])
    assert (
        bureau.post(
            f"/pairings/{CHANGAN}/adjust/",
            {"action": "end", "end_date": timezone.localdate().isoformat(), "reason": "结束"},
        ).status_code
        == 302
    )
    pairing = Pairing.objects.select_related("programme").get(number=CHANGAN)
    assert pairing.has_ended and not can(users["liaison"], "pairing.change", pairing)
    assert client_for(users["liaison"]).get(f"/pairings/{CHANGAN}/plan/").status_code == 403


def test_the_pairing_page_lists_its_status_changes_not_every_save(users):
    from pairing.views import status_changes

    pairing = Pairing.objects.get(number=CHANGAN)
    for _ in range(3):
        pairing.save()  # saves that change other fields (or none) repeat the same status
    pairing.status = Pairing.Status.ENDED
    pairing.end_reason = "调整"
    pairing._change_reason = "动态调整"
    pairing.save()
    changes = status_changes(pairing)
    assert [record.status for record in changes][:1] == [Pairing.Status.ENDED]
    assert len([record for record in changes if record.status == Pairing.Status.ACTIVE]) == 1
    html = client_for(users["bureau"]).get(f"/pairings/{CHANGAN}/").content.decode()
    assert "结对状态变更" in html and "完整记录（服务工作队、驻点、会议、协议等）" in html


def test_one_action_that_saves_several_parts_is_one_status_change(users):
    """An adjustment or an import saves the pairing, then its schools and villages: three records
    with the action's reason, which the page's box said three times."""
    from pairing.views import status_changes

    pairing = Pairing.objects.get(number=CHANGAN)
    pairing.save()
    for _ in range(3):
        pairing._change_reason = "名录导入"
        pairing.save()
    changes = status_changes(pairing)
    assert [record.history_change_reason for record in changes].count("名录导入") == 1
    pairing._change_reason = "名录导入"
    pairing.save()  # the same reason again later: a change of its own
    pairing.history.filter(pk=pairing.history.latest().pk).update(
        history_date=pairing.history.latest().history_date + datetime.timedelta(seconds=10)
    )
    # Two actions ten seconds apart (two schools replaced one after the other) are two lines.
    assert [record.history_change_reason for record in status_changes(pairing)].count("名录导入") == 2
