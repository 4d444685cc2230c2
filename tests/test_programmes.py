"""The five seed programmes (../shared/PROGRAMMES.md): each fixture with its demo seeder reproduces
every headline figure, as check_figures reads them; a broken value breaks its figure, by name; the
areas, pairings and the rest of each fixture are valid; seed_demo loads all five, twice, without
duplicating anything.

Loading the five with their seeders costs seconds, so it is done once for the module (the
`five_programmes` fixture, tests/seeded.py) for the tests that read them or change them inside their
own transaction; the tests that load fixtures themselves or run seed_demo see an empty database."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import translation

from core.months import Month
from core.roles import BUREAU
from pairing.demo import seed_pairing_activity
from pairing.models import (
    Area,
    JointMeeting,
    LeadUnit,
    Membership,
    Pairing,
    Person,
    PracticeBase,
    Programme,
    Residency,
    School,
    ServiceTeam,
    WorkCategory,
)
from reporting.demo import seed_reports
from reporting.demo_programmes import BY_CODE, load_fixture, planned_totals, seed_programme, spread
from reporting.expectations import month_tally
from reporting.models import Figure, Indicator, IndicatorMinimum, MonthlyReport
from reporting.services import report_reopen, report_save_draft, report_snapshot, report_submit
from reporting.totals import period_totals, totals_seen_by
from tests.seeded import SharedRows

# One worker runs the whole module, so its module-scoped seeding is done once (`make test` uses
# pytest-xdist's --dist loadgroup), not once in each worker that draws one of its tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("programmes")]

DONGGUAN = "dongguan-bqw-2023"
AT_LEAST, EXACTLY = "at_least", "exactly"

# The headline figures of PROGRAMMES.md, as each fixture holds them: code -> (comparison, value).
HEADLINES = {
    DONGGUAN: {
        "pairings": (EXACTLY, 8),
        "universities": (EXACTLY, 8),
        "vocational-schools": (EXACTLY, 10),
        "villages": (EXACTLY, 15),
        "reports-a-month": (EXACTLY, 18),
    },
    "yibin-2024": {
        "pairings": (EXACTLY, 10),
        "experts": (AT_LEAST, 300),
        "resident-doctors": (EXACTLY, 10),
        "campus-liaisons": (EXACTLY, 10),
        "leaders-paired": (EXACTLY, 10),
        "research-centre": (EXACTLY, 1),
        "cooperation-items": (EXACTLY, 157),
        "economic-benefit": (AT_LEAST, 2_000_000_000),
        "teacher-trainings-2022": (AT_LEAST, 20),
        "teacher-trainings-2023": (AT_LEAST, 20),
        "teacher-trainings-2024": (AT_LEAST, 20),
    },
    "whut-shiquan-2021": {
        "cadres-trained": (AT_LEAST, 1600),
        "technicians-trained": (AT_LEAST, 400),
        "students-counselled": (AT_LEAST, 11_000),
        "enterprise-agreements": (EXACTLY, 8),
        "alumni-enterprises": (AT_LEAST, 30),
        "plans-delivered": (EXACTLY, 3),
        "orchard": (EXACTLY, 500),
        "greenhouses": (EXACTLY, 80),
        "residents": (EXACTLY, 2),
    },
    "uestc-cengong-2013": {
        "leadership-visits": (EXACTLY, 18),
        "cadres-sent": (EXACTLY, 10),
        "training-courses": (EXACTLY, 109),
        "people-trained": (AT_LEAST, 20_000),
        "teachers-trained": (AT_LEAST, 6000),
        "funds": (AT_LEAST, 22_000_000),
        "projects": (AT_LEAST, 130),
        "produce-bought": (AT_LEAST, 56_000_000),
        "dividends": (AT_LEAST, 11_760_000),
        "night-school": (EXACTLY, 13),
        "forums": (EXACTLY, 2),
        "patents": (EXACTLY, 1),
        "sky-classroom": (EXACTLY, 30),
        "subject-alliance": (EXACTLY, 23),
        "management-alliance": (EXACTLY, 10),
    },
    "ruicheng-2021": {
        "universities": (EXACTLY, 22),
        "lead-units": (EXACTLY, 8),
        "experts": (EXACTLY, 65),
        "bases": (EXACTLY, 12),
        "internship-bases": (EXACTLY, 10),
        "startup-courses": (EXACTLY, 9),
        "graduates-trained": (EXACTLY, 270),
        "interns": (AT_LEAST, 200),
        "innovation-bases": (EXACTLY, 5),
        "public-posts": (EXACTLY, 33),
        "post-types": (EXACTLY, 22),
    },
}


SHARED = SharedRows()


@pytest.fixture(scope="module", autouse=True)
def module_transaction(django_db_setup, django_db_blocker):
    """The module's tests share one transaction, rolled back at its end (tests/seeded.py)."""
    yield from SHARED.module_transaction(django_db_blocker)


@pytest.fixture(scope="module")
def five_programmes(module_transaction, django_db_blocker, tmp_path_factory) -> None:
    """The five programmes, each loaded as `load` does, once for the module; the demo's reports are
    reviewed by a bureau user, demo-reviewer."""

    def load_all() -> None:
        reviewer = User.objects.create(username="demo-reviewer")
        reviewer.groups.add(Group.objects.get_or_create(name=BUREAU)[0])
        for code in HEADLINES:
            load(code, reviewer)

    SHARED.make("five_programmes", django_db_blocker, tmp_path_factory.mktemp("programmes-media"), load_all)


@pytest.fixture(autouse=True)
def only_requested_registry(request) -> None:
    """Overrides the conftest's: a test that did not request `five_programmes` sees none of it."""
    SHARED.hide_unrequested(request)


@pytest.fixture
def reviewer(five_programmes) -> User:
    """The bureau user who reviewed the demo's reports."""
    return User.objects.get(username="demo-reviewer")


def load(code: str, reviewer: User) -> Programme:
    """The programme's fixture and its demo seeder, as seed_demo runs them."""
    if code == DONGGUAN:
        load_fixture("dongguan_2023")
        load_fixture("dongguan_2023_indicators")
        programme = Programme.objects.get(code=code)
        seed_pairing_activity(programme=programme, until=datetime.date(2025, 12, 31))
        seed_reports(programme=programme, reviewer=reviewer)
        return programme
    load_fixture(BY_CODE[code].fixture)
    seed_programme(code, reviewer=reviewer)
    return Programme.objects.get(code=code)


def check_figures(code: str) -> str:
    out = io.StringIO()
    call_command("check_figures", code, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("code", list(HEADLINES))
def test_the_fixture_and_its_seeder_give_every_headline_figure(code, five_programmes):
    programme = Programme.objects.get(code=code)
    held = {f.code: (f.comparison, f.expected) for f in programme.figures.all()}
    assert held == {c: (comparison, Decimal(value)) for c, (comparison, value) in HEADLINES[code].items()}
    lines = check_figures(code).splitlines()
    assert lines[0] == f"{code}: {len(HEADLINES[code])} figures"
    for figure in HEADLINES[code]:
        assert sum(line.startswith(f"  ok {figure}: ") for line in lines) == 1, figure
    assert lines[-1] == "every figure holds"


def first_report_with(code: str, indicator: str) -> MonthlyReport:
    return (
        MonthlyReport.objects.filter(
            pairing__programme__code=code,
            status=MonthlyReport.Status.ACCEPTED,
            values__indicator__code=indicator,
            values__value__gt=0,
        )
        .order_by("month", "pairing__number")
        .first()
    )


def lower_one_value(code: str, indicator: str) -> None:
    """The bureau reopens an accepted report, its liaison lowers one value by 1 and resubmits it
    (the database keeps an accepted report's values: this is the way to change one)."""
    report = first_report_with(code, indicator)
    value = report.values.get(indicator__code=indicator).value
    reviewer = User.objects.get(username="demo-reviewer")
    report = report_reopen(report=report, reviewer=reviewer, reason="数字有误，请核对")
    liaison = report.created_by
    report = report_save_draft(report=report, user=liaison, values={indicator: str(value - 1)})
    report_submit(report=report, user=liaison)


def reopen_one_report(code: str, indicator: str) -> None:
    """The bureau reopens an accepted report that carries the indicator: its numbers stop counting."""
    report = first_report_with(code, indicator)
    report_reopen(report=report, reviewer=User.objects.get(username="demo-reviewer"), reason="请补充说明")


def drop_one_village(code: str, _figure: str) -> None:
    pairing = Pairing.objects.get(programme__code=code, number=1)
    pairing.villages.remove(pairing.villages.order_by("pk").first())


BREAKS = [
    (DONGGUAN, drop_one_village, "villages", "villages"),
    ("yibin-2024", lower_one_value, "cooperation_items", "cooperation-items"),
    ("yibin-2024", reopen_one_report, "cooperation_items", "cooperation-items"),
    ("whut-shiquan-2021", lower_one_value, "enterprise_agreements", "enterprise-agreements"),
    ("uestc-cengong-2013", lower_one_value, "leadership_visits", "leadership-visits"),
    ("uestc-cengong-2013", lower_one_value, "patents", "patents"),
    ("ruicheng-2021", lower_one_value, "startup_courses", "startup-courses"),
]


@pytest.mark.parametrize(("code", "breaking", "what", "figure"), BREAKS)
def test_a_broken_value_fails_check_figures_naming_its_figure(code, breaking, what, figure, five_programmes):
    breaking(code, what)
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_figures", code, stdout=out)
    assert failed.value.returncode == 1
    assert str(failed.value) == f"1 figure(s) do not hold: {code}/{figure}"
    assert f"  MISMATCH {figure}: " in out.getvalue()


def load_all_fixtures() -> None:
    for name in ["dongguan_2023", "dongguan_2023_indicators", *(demo.fixture for demo in BY_CODE.values())]:
        load_fixture(name)


CHAINS = [
    ["堰坪村", "中池镇", "石泉县", "安康市", "陕西省"],
    ["塔山村", "大有镇", "岑巩县", "黔东南苗族侗族自治州", "贵州省"],
    ["芮城县", "运城市", "山西省"],
    *([county, "宜宾市", "四川省"] for county in ["翠屏区", "南溪区", "叙州区", "江安县", "长宁县"]),
    *([county, "宜宾市", "四川省"] for county in ["高县", "珙县", "筠连县", "兴文县", "屏山县"]),
]


def test_every_area_is_valid_and_the_chains_read_as_the_seeds():
    load_all_fixtures()
    for area in Area.objects.select_related("parent"):
        area.full_clean()
    for name, *ancestors in CHAINS:
        area = Area.objects.get(name=name, parent__name=ancestors[0])
        assert [a.name for a in area.ancestors()] == ancestors
        assert area.ancestors()[-1].kind == Area.Kind.PROVINCE


def test_every_pairing_and_registry_row_is_valid_under_its_programmes_shape():
    load_all_fixtures()
    for model in [
        Programme,
        School,
        LeadUnit,
        ServiceTeam,
        Person,
        Membership,
        PracticeBase,
        WorkCategory,
        JointMeeting,
    ]:
        for row in model.objects.all():
            row.full_clean()
    for model in [Indicator, IndicatorMinimum, Figure]:
        for row in model.objects.all():
            row.full_clean()
    # No member joins a pairing's team before the pairing began (the workspace's form refuses it;
    # WHUT's residents joined "2020-08-01", before their pairing's 2021-01-01).
    early = Membership.objects.filter(
        team__pairing__isnull=False, joined_on__lt=F("team__pairing__start_date")
    ).values_list("person__name", "joined_on", "team__pairing__start_date")
    assert list(early) == []
    shapes = {"yibin-2024": 10, "whut-shiquan-2021": 1, "uestc-cengong-2013": 1, "ruicheng-2021": 22}
    for code, count in shapes.items():
        programme = Programme.objects.get(code=code)
        assert "假设" in programme.description and "资料来源" in programme.description
        pairings = programme.pairings.select_related("town", "lead_university", "lead_unit")
        assert pairings.count() == count
        for pairing in pairings:
            pairing.full_clean()
            assert pairing.town.kind in programme.counterpart_kinds
            assert pairing.town.lies_within(programme.root_area)
            assert not pairing.assisting_schools.exists()  # none of the four has assisting schools
            for village in pairing.villages.all():
                assert village.lies_within(pairing.town)
            assert (pairing.lead_unit is not None) == (code == "ruicheng-2021")
    ruicheng = Programme.objects.get(code="ruicheng-2021")
    per_unit = [unit.pairings.count() for unit in ruicheng.lead_units.all()]
    assert len(per_unit) == 8 and sum(per_unit) == 22 and min(per_unit) >= 2
    placeholders = School.objects.filter(led_pairings__programme=ruicheng, name__contains="校名待补")
    assert placeholders.count() == 16


def test_a_pairing_outside_its_programmes_shape_is_refused_naming_what_is_wrong():
    """Yibin pairs a university with counties: a town, a vocational school or an area outside 宜宾市
    is refused by the pairing's own check, in words that name the area or school and what it is."""
    load_fixture("yibin_2024")
    pairing = Pairing.objects.get(programme__code="yibin-2024", number=1)
    pairing.town = Area.objects.create(name="李庄镇", kind=Area.Kind.TOWN, parent=pairing.town)
    pairing.lead_university = School.objects.create(name="宜宾职业技术学院", kind=School.Kind.VOCATIONAL)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        pairing.full_clean()
    assert refused.value.message_dict["town"] == ["李庄镇是镇，不是县(区)。"]
    assert refused.value.message_dict["lead_university"] == ["宜宾职业技术学院是中职学校，不是高校。"]
    pairing.town = Area.objects.create(name="泸县", kind=Area.Kind.COUNTY)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        pairing.full_clean()
    assert refused.value.message_dict == {
        "town": ["The counterpart lies outside 宜宾市."],
        "lead_university": ["宜宾职业技术学院 is a vocational school, not a university."],
    }


def test_yibin_trains_each_countys_teachers_at_least_twice_every_year(five_programmes):
    programme = Programme.objects.get(code="yibin-2024")
    minimum = IndicatorMinimum.objects.get(programme=programme)
    assert (minimum.indicator.code, minimum.per_year) == ("teacher_trainings", Decimal(2))
    for pairing in programme.pairings.all():
        for year in (2022, 2023, 2024):
            first, last = max(Month(year, 1), Month(2022, 3)), min(Month(year, 12), Month(2024, 2))
            totals = period_totals(
                programme, first, last, [minimum.indicator], pairings=Pairing.objects.filter(pk=pairing.pk)
            )
            assert totals[minimum.indicator.pk] >= minimum.per_year, (pairing, year)


def test_uestcs_ten_cadres_take_turns_so_one_is_always_there(five_programmes):
    programme = Programme.objects.get(code="uestc-cengong-2013")
    residents = Membership.objects.filter(team__programme=programme, role=Membership.Role.RESIDENT)
    assert residents.count() == 10 and all(m.joined_on for m in residents)
    assert residents.filter(left_on__isnull=True).count() == 2  # the county's and the village's, still there
    for month in Month.between(Month(2013, 1), Month(2023, 10)):
        day = month.first_day
        assert any(m.joined_on <= day and (m.left_on is None or m.left_on >= day) for m in residents), month


@pytest.mark.parametrize("code", list(BY_CODE))
def test_the_seeded_reports_are_what_the_portal_would_have_recorded(code, five_programmes, reviewer):
    programme = Programme.objects.get(code=code)
    reports = MonthlyReport.objects.filter(pairing__programme=programme)
    months = Month.between(Month.of(programme.first_report_month), Month.of(programme.end_date))
    assert reports.count() == len(months) * programme.pairings.count()
    assert set(reports.values_list("status", flat=True)) == {MonthlyReport.Status.ACCEPTED}
    for report in reports.order_by("month")[:: max(1, len(months) // 4)]:
        assert report.history.count() == 1
        versions = list(report.versions.order_by("number"))
        assert [v.action for v in versions] == ["report.submitted", "report.accepted"]
        assert versions[-1].snapshot == report_snapshot(report)
        assert report.values.count() == programme.indicators.count()
    indicators = {i.code: i.pk for i in programme.indicators.all()}
    first, last = Month.of(programme.first_report_month), Month.of(programme.end_date)
    totals = period_totals(programme, first, last, aggregation=Indicator.Aggregation.SUM)
    planned = planned_totals(code)
    assert {code: totals[indicators[code]] for code in planned} == planned
    # The dashboard's and the API's totals (sums added up month by month, the others over the
    # period) are the period's, counted at once, for every way of adding up.
    assert totals_seen_by(reviewer, programme, first, last) == period_totals(programme, first, last)
    # Its pairings ended with its period: the months since expect nothing of them.
    assert month_tally(months[-1], pairings=programme.pairings.all()).expected == programme.pairings.count()
    assert month_tally(months[-1].next(), pairings=programme.pairings.all()).expected == 0
    assert month_tally(Month.current(), pairings=programme.pairings.all()).expected == 0


def test_seeding_twice_adds_nothing(reviewer):
    # The first seeding is five_programmes'.
    before = (Person.objects.count(), Membership.objects.count(), MonthlyReport.objects.count())
    assert seed_programme("ruicheng-2021", reviewer=reviewer).reports == 0
    assert (Person.objects.count(), Membership.objects.count(), MonthlyReport.objects.count()) == before


def test_spread_adds_up_exactly_and_keeps_to_the_weights():
    slots = list(range(7))
    shares = spread(100, slots, [0, 1, 2, 3, 0, 5, 1])
    assert sum(shares.values()) == 100 and 0 not in shares and 4 not in shares
    assert shares[5] > shares[3] > shares[2] > shares[1]
    assert sum(spread(3, slots).values()) == 3


@pytest.mark.parametrize("code", [code for code in HEADLINES if code != DONGGUAN])
def test_each_programme_runs_a_month_from_the_liaison_to_the_workbook(code, reviewer):
    """The last month of the programme: the bureau reopens a lead school's report, its liaison opens it,
    changes nothing and submits it again, the bureau accepts it and compiles the month; the workbook
    names the programme's counterparts in its own words and its detail adds up to its summary; every
    headline figure still holds."""
    import openpyxl

    from reporting.compilation.service import compile_month
    from reporting.services import report_accept
    from tests.helpers import client_for

    programme = Programme.objects.get(code=code)
    last = MonthlyReport.objects.filter(pairing__programme=programme).order_by("-month", "pairing__number")
    report = report_reopen(report=last.first(), reviewer=reviewer, reason="请核对本月数字")
    liaison = report.created_by
    page = client_for(liaison).get(f"/reports/{report.pk}/")
    assert page.status_code == 200 and report.pairing.town.name in page.content.decode()
    report = report_submit(report=report_save_draft(report=report, user=liaison, values={}), user=liaison)
    report_accept(report=report, reviewer=reviewer)

    month = Month.of(report.month)
    summary = compile_month(programme, month)
    with summary.workbook.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    header = next(book["报送情况"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[1] == programme.counterpart_label != "镇(街道)"
    totals = {  # keyed as 明细 titles its columns: the name, and the unit in brackets
        f"{row[1]}（{row[2]}）" if row[2] else row[1]: Decimal(str(row[3]))
        for row in book["汇总"].iter_rows(min_row=3, values_only=True)
        if row[0] == "指标"
    }
    detail_header = next(book["明细"].iter_rows(min_row=2, max_row=2, values_only=True))
    detail = list(book["明细"].iter_rows(min_row=3, values_only=True))
    for index, title in enumerate(detail_header[7:], start=7):
        column = sum((Decimal(str(row[index])) for row in detail if row[index] is not None), Decimal(0))
        assert column == totals[title], title
    assert summary.counts["counted"] == month_tally(month, pairings=programme.pairings.all()).counted >= 1
    assert "every figure holds" in check_figures(code)

    listing = client_for(reviewer).get("/pairings/", {"programme": programme.pk})
    html = listing.content.decode()
    assert listing.status_code == 200 and programme.counterpart_label in html
    has_villages = Pairing.villages.through.objects.filter(pairing__programme=programme).exists()
    assert ("村(社区)" in html) == has_villages
    assert ("协助学校" in html) == bool(programme.assisting_school_kinds)


def test_a_months_pages_count_one_programme_at_a_time(reviewer):
    """January 2024 expects Dongguan's 18 reports and Yibin's 10: the status table and the queue show
    one programme's (the current one unless picked), as the API's month figures do, never 28."""
    from tests.helpers import client_for

    yibin = Programme.objects.get(code="yibin-2024")
    dongguan = Programme.objects.get(code=DONGGUAN)
    client = client_for(reviewer)
    january = Month(2024, 1)
    for programme, expected in [(dongguan, 18), (yibin, 10)]:
        pairings = Pairing.objects.filter(programme=programme)
        assert month_tally(january, pairings=pairings).expected == expected
        status = client.get("/reports/status/", {"month": "2024-01", "programme": programme.pk})
        row = next(entry for entry in status.context["table"] if entry["month"] == january)
        assert row["tally"].expected == expected
        queue = client.get("/reports/queue/", {"month": "2024-01", "programme": programme.pk})
        assert queue.context["page"].paginator.count == expected
        api = client.get("/api/v1/months/2024-01/", {"programme": programme.pk}).json()
        assert api["counts"]["expected"] == expected
    default = client_for(reviewer).get("/reports/status/", {"month": "2024-01"})
    assert default.context["programme"] == dongguan, "a new session opens on the current one"
    picked = client.get("/reports/status/", {"month": "2024-01"})
    assert picked.context["programme"] == yibin, "the programme picked last stays picked"
    assert client.get("/reports/status/", {"programme": "99999"}).status_code == 404
    ended = client.get("/reports/status/", {"programme": yibin.pk})
    assert ended.context["month"] == Month(2024, 2) and ended.context["next_year"] is None


def test_a_programme_exports_its_whole_span_in_one_file(reviewer):
    """UESTC's programme ran from 2013 to 2023: its 130 months export in one go (a cap of 120 months
    refused it), from its first report month to its last."""
    import csv

    from tests.helpers import client_for

    uestc = Programme.objects.get(code="uestc-cengong-2013")
    first, last = Month.of(uestc.first_report_month), Month.of(uestc.end_date)
    assert len(Month.between(first, last)) > 120
    response = client_for(reviewer).get(
        "/reports/export/", {"programme": uestc.pk, "from": str(first), "to": str(last), "format": "csv"}
    )
    assert response.status_code == 200, response.content.decode()[:500]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    months = {row[1] for row in csv.reader(lines[1:])}
    assert {str(first), str(last)} <= months


def test_ruichengs_export_names_each_rows_lead_unit(reviewer):
    """The county evaluates its lead units (牵头单位): each row of Ruicheng's export, CSV and workbook,
    names its pairing's lead unit, so a clerk can total by unit. A programme without lead units has
    no such column."""
    import csv
    import io

    import openpyxl

    from tests.helpers import client_for

    client = client_for(reviewer)
    ruicheng = Programme.objects.get(code="ruicheng-2021")
    units = dict(ruicheng.pairings.values_list("pk", "lead_unit__name"))
    assert len(set(units.values())) == 8 and None not in units.values()
    period = {"programme": ruicheng.pk, "from": "2021-03", "to": "2021-04"}
    lines = b"".join(client.get("/reports/export/", {**period, "format": "csv"}).streaming_content)
    rows = list(csv.DictReader(lines.decode("utf-8-sig").splitlines()))
    assert rows and all(row["lead_unit"] == units[int(row["pairing_id"])] for row in rows)
    response = client.get("/reports/export/", {**period, "format": "xlsx"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["明细"]
    titles, *table = list(sheet.iter_rows(min_row=2, values_only=True))  # row 1: the sheet's title
    column, pairing = titles.index("牵头单位"), titles.index("结对ID")
    assert len(table) == len(rows)
    assert all(row[column] == units[row[pairing]] for row in table)
    yibin = Programme.objects.get(code="yibin-2024")
    lines = b"".join(
        client.get(
            "/reports/export/", {"programme": yibin.pk, "from": "2024-01", "to": "2024-01", "format": "csv"}
        ).streaming_content
    )
    assert "lead_unit" not in lines.decode("utf-8-sig").splitlines()[0]
    # A range past the programme's end is refused naming the end to change.
    past = client.get("/reports/export/", {**period, "to": "2021-12", "format": "csv"})
    assert past.status_code == 400 and "结束月份：项目已于2021-08结束。" in past.content.decode()


def next_pk(model) -> int:
    """A primary key after the table's last: the five programmes' fixtures carry their own ids, and
    on PostgreSQL the table's sequence can lag behind them in a module's rolled-back transaction,
    depending on which tests ran before (production loads reset it: loaddata)."""
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def test_the_programmes_own_teams_and_bases_are_listed_for_those_who_read_everything(
    reviewer, django_assert_max_num_queries
):
    """Yibin's 306 doctoral experts and Ruicheng's 15 bases belong to no pairing: the bureau and
    commanders read them on one page (the members paged, in a fixed number of queries) and in the API;
    a school's liaison sees neither, and still its own pairing's bases."""
    from core.roles import LIAISON
    from tests.conftest import make_user
    from tests.helpers import client_for

    yibin, ruicheng = Programme.objects.get(code="yibin-2024"), Programme.objects.get(code="ruicheng-2021")
    whut = Programme.objects.get(code="whut-shiquan-2021")
    client = client_for(reviewer)
    assert (
        "/pairings/programme-teams/" in client.get("/pairings/", {"programme": ruicheng.pk}).content.decode()
    )
    dongguan = Programme.objects.get(code=DONGGUAN)
    assert (
        "/pairings/programme-teams/"
        not in client.get("/pairings/", {"programme": dongguan.pk}).content.decode()
    )
    counts = {}
    for programme in (yibin, whut):
        with django_assert_max_num_queries(30) as queries:
            response = client.get("/pairings/programme-teams/", {"programme": programme.pk})
        counts[programme.code] = len(queries)
        assert response.status_code == 200
    assert counts["yibin-2024"] == counts["whut-shiquan-2021"], "the same queries for 306 members and for 3"
    page = response.context["page"]
    assert page.paginator.count == 3
    response = client.get("/pairings/programme-teams/", {"programme": yibin.pk, "page": 7})
    assert response.context["page"].paginator.count == 306 and len(response.context["page"].object_list) == 6
    html = client.get("/pairings/programme-teams/", {"programme": ruicheng.pk}).content.decode()
    bases = PracticeBase.objects.filter(programme=ruicheng, pairing__isnull=True)
    assert bases.count() == 15 and all(base.name in html for base in bases)
    api = client.get("/api/v1/bases/", {"programme": ruicheng.pk, "programme_wide": "true"}).json()
    assert api["count"] == 15
    teams = client.get("/api/v1/teams/", {"programme": yibin.pk, "programme_wide": "true"}).json()["results"]
    assert [(t["programme"], t["pairing"], len(t["members"])) for t in teams] == [(yibin.pk, None, 306)]
    members = client.get("/api/v1/memberships/", {"team": teams[0]["id"]}).json()
    assert members["count"] == 306
    yibin_team = ServiceTeam.objects.get(pk=teams[0]["id"])
    stay = Residency.objects.create(
        pk=next_pk(Residency),
        team=yibin_team,
        start_date=datetime.date(2023, 5, 8),
        end_date=datetime.date(2023, 5, 12),
        place=yibin.pairings.first().town,
    )
    residencies = client.get("/api/v1/residencies/", {"team": yibin_team.pk}).json()["results"]
    assert [r["id"] for r in residencies] == [stay.pk], "the programme's own team's stays, as its team"
    pairing = ruicheng.pairings.order_by("number").first()
    own = PracticeBase.objects.create(
        pk=next_pk(PracticeBase), pairing=pairing, name="清华大学芮城实践基地", place=pairing.town
    )
    liaison = make_user("liaison-ruicheng-test", LIAISON, school=pairing.lead_university.name)
    outsider = client_for(liaison)
    assert outsider.get("/pairings/programme-teams/", {"programme": ruicheng.pk}).status_code == 404
    seen = {b["id"] for b in outsider.get("/api/v1/bases/").json()["results"]}
    assert own.pk in seen and seen == set(pairing.practice_bases.values_list("pk", flat=True))
    assert outsider.get("/api/v1/teams/", {"programme_wide": "true"}).json()["count"] == 0
    assert client.get("/api/v1/teams/", {"programme_wide": "yes"}).status_code == 400, "not every team"
    assert client.get("/pairings/programme-teams/", {"programme": ruicheng.pk, "page": 9}).status_code == 200
    assert outsider.get(f"/api/v1/memberships/{members['results'][0]['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/residencies/{stay.pk}/").status_code == 404


def test_no_month_after_a_programmes_end_is_compiled_exported_or_started(reviewer):
    from core.months import InvalidMonth
    from reporting.models import MonthlySummary
    from reporting.summary_views import report_month
    from tests.helpers import client_for

    yibin = Programme.objects.get(code="yibin-2024")
    assert report_month(yibin, "2024-02") == Month(2024, 2)
    with pytest.raises(InvalidMonth, match="2024-02"):
        report_month(yibin, "2024-03")
    client = client_for(reviewer)
    response = client.post(
        "/reports/summaries/compile/", {"programme": yibin.pk, "month": "2024-03"}, follow=True
    )
    assert "项目已于2024-02结束" in response.content.decode()
    assert not MonthlySummary.objects.filter(programme=yibin).exists()
    export = client.get(
        "/reports/export/", {"programme": yibin.pk, "from": "2024-03", "to": "2024-03", "format": "csv"}
    )
    assert export.status_code == 400 and "项目已于2024-02结束" in export.content.decode()
    from django.core.exceptions import ValidationError

    from reporting.services import check_month

    with pytest.raises(ValidationError, match="2024-02"):
        check_month(yibin, Month(2024, 3))  # what report_start asks, after the policy


def test_a_programmes_bases_are_named_in_its_own_words(reviewer):
    """Dongguan's rule is about its 乡村建设实践基地; the other programmes' bases (internship,
    research, innovation) are headed 基地 and named with their kind, not with Dongguan's term."""
    from tests.helpers import client_for

    client = client_for(reviewer)
    others = PracticeBase.objects.exclude(programme__code=DONGGUAN).exclude(pairing=None)
    base = others.exclude(kind=PracticeBase.Kind.PRACTICE).select_related("pairing").first()
    assert base is not None, "the seed programmes record bases of other kinds"
    page = client.get(f"/pairings/{base.pairing_id}/").content.decode()
    assert ">基地</h2>" in page
    assert "乡村建设实践基地" not in page and "尚未登记实践基地" not in page
    assert base.name in page and str(base.get_kind_display()) in page
    dongguan = Pairing.objects.filter(programme__code=DONGGUAN).first()
    assert ">乡村建设实践基地</h2>" in client.get(f"/pairings/{dongguan.pk}/").content.decode()


def test_a_pairing_page_says_when_members_served_and_when_the_pairing_ended(reviewer):
    """UESTC's cadres took turns: the roster gives each one's dates. An ended pairing gives its end
    date. In English an aside is bracketed as English is (" (长安)"), not with full-width brackets."""
    from django.test import Client

    from tests.helpers import client_for

    uestc = Pairing.objects.filter(programme__code="uestc-cengong-2013").first()
    resident = (
        Membership.objects.filter(team__pairing=uestc, role=Membership.Role.RESIDENT)
        .order_by("joined_on")
        .first()
    )
    html = client_for(reviewer).get(f"/pairings/{uestc.pk}/").content.decode()
    assert "在岗时间" in html and f"{resident.joined_on:%Y-%m-%d} – {resident.left_on:%Y-%m-%d}" in html
    # Residents in the order they served; one still there when the pairing ended served until its end.
    rows = html[html.index('id="team-heading"') : html.index("</table>", html.index('id="team-heading"'))]
    label = str(Membership.Role.RESIDENT.label)
    residents = [tr for tr in rows.split("<tr>") if f">{label}<" in tr or f'">{label}</td>' in tr]
    joined = [re.search(r"(\d{4}-\d{2}-\d{2}) – ", tr).group(1) for tr in residents]
    assert len(joined) >= 2 and joined == sorted(joined), joined
    assert " – …" not in rows and f"– {uestc.end_date:%Y-%m-%d}" in rows
    assert uestc.end_date and f'结束日期</dt><dd class="col-sm-8">{uestc.end_date:%Y-%m-%d}</dd>' in html
    dongguan = Pairing.objects.filter(programme__code=DONGGUAN).exclude(villages=None).first()
    village = dongguan.villages.select_related("parent").first()
    english = Client()
    english.force_login(reviewer)
    english.cookies["django_language"] = "en"
    page = english.get(f"/pairings/{dongguan.pk}/").content.decode()
    assert f"{village.name} ({village.parent.name})" in page and f"（{village.parent.name}）" not in page


def test_the_range_workbook_totals_each_indicator_as_the_dashboard_does(reviewer):
    """The export's 汇总 gives each indicator's total over the range by its own way of adding up, the
    API's (and the dashboard's) figure: UESTC's schools covered are its latest values, not the sum
    of 130 months that a clerk summing 明细 would get."""
    import io

    import openpyxl

    from tests.helpers import client_for

    uestc = Programme.objects.get(code="uestc-cengong-2013")
    first, last = Month.of(uestc.first_report_month), Month.of(uestc.end_date)
    client = client_for(reviewer)
    period = {"from": str(first), "to": str(last)}
    response = client.get("/reports/export/", {"programme": uestc.pk, "format": "xlsx", **period})
    if response.status_code == 302:  # a large range is built by a worker (eager here)
        job = client.get(response.url)
        response = client.get(response.url, {"download": 1})
        assert job.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["汇总", "明细"]
    summary = {row[0]: row for row in book["汇总"].iter_rows(min_row=3, values_only=True) if row[0]}
    api = client.get(f"/api/v1/totals/{uestc.pk}/", period).json()["totals"]
    for indicator in uestc.indicators.all():
        name, _unit, added_up, total = summary[indicator.name_zh]
        assert Decimal(str(total)) == Decimal(api[indicator.code]), indicator.code
    latest = uestc.indicators.filter(aggregation="latest").first()
    assert latest is not None and summary[latest.name_zh][2] == "各校最近一月的数值相加"


def test_a_range_longer_than_an_excel_sheet_goes_on_in_further_sheets(reviewer, monkeypatch):
    """XlsxWriter drops, without a word, every row past Excel's 1,048,576 of a sheet: half of a
    province's half-year was lost. With the sheet lowered to 150 rows here, UESTC's range goes
    on in 明细2, 明细3, ...: every CSV row is in one of them, an indicator summed over them is
    汇总's figure, and 汇总 says where they are."""
    import csv
    import io

    import openpyxl

    from reporting.compilation import workbook
    from tests.helpers import client_for

    monkeypatch.setattr(workbook, "EXCEL_ROWS", 150)
    uestc = Programme.objects.get(code="uestc-cengong-2013")
    client = client_for(reviewer)
    period = {"programme": uestc.pk, "from": str(Month.of(uestc.first_report_month)), "to": "2014-12"}

    def download(kind: str) -> bytes:
        response = client.get("/reports/export/", {**period, "format": kind})
        if response.status_code == 302:  # built by a worker (eager here)
            response = client.get(response.url, {"download": 1})
        return b"".join(response.streaming_content) if response.streaming else response.content

    lines = list(csv.DictReader(io.StringIO(download("csv").decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(download("xlsx")), read_only=True)
    details = [name for name in book.sheetnames if name.startswith("明细")]
    assert len(lines) > 300 and details == ["明细", *[f"明细{n}" for n in range(2, len(details) + 1)]]
    rows = [row for name in details for row in book[name].iter_rows(min_row=3, values_only=True)]
    assert len(rows) == len(lines)
    assert all(len(list(book[name].iter_rows(min_row=3))) <= 148 for name in details)
    summed = uestc.indicators.filter(aggregation="sum").first()
    header = next(book["明细"].iter_rows(min_row=2, max_row=2, values_only=True))
    code, value = header.index("指标代码"), header.index("数值（计入合计）")
    total = sum(
        Decimal(str(row[value])) for row in rows if row[code] == summed.code and row[value] is not None
    )
    summary = {row[0]: row for row in book["汇总"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert Decimal(str(summary[summed.name_zh][3])) == total
    assert any("依次续写在“明细2”“明细3”等表中" in name for name in summary)


def test_a_sheet_written_row_by_row_refuses_a_row_past_excels_last(tmp_path, monkeypatch):
    """The monthly workbook writes its sheets row by row: past Excel's last row XlsxWriter dropped the
    row without a word; it is refused instead."""
    from reporting.compilation import workbook

    monkeypatch.setattr(workbook, "EXCEL_ROWS", 5)
    book = workbook.WorkbookWriter(str(tmp_path / "t.xlsx"), title="t")
    sheet = book.sheet("明细", [workbook.Column("a")])
    for value in range(3):  # rows 3 to 5 of 5: the title and the header take the first two
        sheet.write([str(value)])
    with pytest.raises(OverflowError):
        sheet.write(["one too many"])
    book.close()
