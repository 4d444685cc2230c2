"""The dashboard: for bureau and commanders only, numbers behind every chart, fixed queries."""

import datetime
import sys
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core.months import Month
from core.numbers import plain_number
from pairing.models import Programme
from reporting.demo import seed_reports
from tests.conftest import PROGRAMME_CODE
from tests.helpers import ROLES, cache_as_committed, client_for, loaded_urls, off_site, on_the_tenth

# One worker runs the whole module, so its module-scoped seeding is done once (`make test` uses
# pytest-xdist's --dist loadgroup), not once in each worker that draws one of its tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("dashboard")]

# Twelve months of three grouped queries each (two tallies and the totals), the compliance summary and
# the page, and one count per headline figure of the programme (Dongguan has five): a fixed number
# whatever the size (74 measured); cached, the page runs 7.
DASHBOARD_QUERY_BUDGET = 80


@pytest.fixture(scope="module")
def three_months_of_reports(registry_database, django_db_blocker):
    """Three months of the demo's reports, made once for the module (seeding costs ~0.7 s) in a
    transaction rolled back when the module ends. Each test's own transaction nests in it as a
    savepoint, so what a test changes (a return, a deleted milestone) comes back for the next."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            programme = Programme.objects.get(code=PROGRAMME_CODE)
            with cache_as_committed():  # as if committed before the tests
                seed_reports(programme=programme, reviewer=User.objects.get(username="bureau"), months=3)
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo(three_months_of_reports, users, indicators):
    return users


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_is_for_bureau_and_commanders(demo, role):
    status = client_for(demo[role]).get("/dashboard/").status_code
    assert status == (200 if role in {"bureau", "commander"} else 404)


def test_anonymous_users_are_sent_to_log_in(demo):
    response = Client().get("/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_every_chart_has_its_numbers_as_a_table(demo):
    response = client_for(demo["commander"]).get("/dashboard/")
    html = response.content.decode()
    for chart in ["submission", "compliance", "schools", "trends"]:
        assert (
            f'id="chart-{chart}"' in html
            and f'aria-describedby="table-{chart}"' in html
            and f'id="table-{chart}"' in html
        )
    assert any(url.startswith("/static/vendor/chartjs/chart.umd.min") for url in loaded_urls(html))
    assert off_site(html) == []
    submission = response.context["submission"]
    last_complete = submission[-2]
    assert (
        last_complete["on_time"] + last_complete["late"] + last_complete["missing"]
        == last_complete["expected"]
        == 18
    )
    assert [m.year for m in response.context["milestones"]] == [2025, 2027]


def test_a_month_not_yet_due_is_a_gap_in_the_trends_not_a_zero(demo):
    # On the 10th the month's reports are not due; the month before is.
    today = timezone.localdate().replace(day=10)
    with on_the_tenth():
        response = client_for(demo["commander"]).get("/dashboard/")
    months, trend = response.context["months"], response.context["trends"][0]
    assert trend["values"][months.index(today.strftime("%Y-%m"))] is None
    assert all(value is not None for value in trend["values"][:-1])


def test_dashboard_queries_do_not_grow_with_the_data(
    demo, django_assert_max_num_queries, django_assert_num_queries
):
    from tests.factories import bulk_pairings

    client = client_for(demo["bureau"])
    with django_assert_max_num_queries(DASHBOARD_QUERY_BUDGET) as small:
        assert client.get("/dashboard/").status_code == 200
    programme = Programme.objects.get()
    bulk_pairings(programme, range(100, 140))
    with django_assert_num_queries(len(small)):
        assert client.get("/dashboard/").status_code == 200


def test_the_figures_are_cached_until_a_report_of_their_months_changes(demo, django_assert_max_num_queries):
    from reporting.models import MonthlyReport
    from reporting.services import report_return

    client = client_for(demo["bureau"])
    first = client.get("/dashboard/").context["submission"]
    with django_assert_max_num_queries(10):
        assert client.get("/dashboard/").context["submission"] == first
    report = MonthlyReport.objects.filter(status="submitted").order_by("-month").first()
    with cache_as_committed():
        report_return(report=report, reviewer=demo["bureau"], comment="请补充")
    after = {row["month"]: row["returned"] for row in client.get("/dashboard/").context["submission"]}
    before = {row["month"]: row["returned"] for row in first}
    assert after[f"{report.month:%Y-%m}"] == before[f"{report.month:%Y-%m}"] + 1


def test_the_dashboard_shows_targets_with_progress_and_totals_over_a_chosen_period(demo):
    from reporting.models import Figure
    from reporting.totals import period_totals

    programme = Programme.objects.get()
    # The fixture's headline figures (pairings = 8, villages = 15), with the villages' target raised
    # to a floor of 30 so one figure is half-way there.
    assert set(programme.figures.values_list("code", flat=True)) >= {"pairings", "villages"}
    Figure.objects.filter(programme=programme, code="villages").update(expected=30, comparison="at_least")
    client = client_for(demo["bureau"])
    response = client.get("/dashboard/", {"from": "2024-01", "to": "2024-12"})
    targets = {r.figure.code: (r.value, r.met, r.progress) for r in response.context["targets"]}
    assert targets["pairings"] == (8, True, 100) and targets["villages"] == (15, False, 50)
    assert all(met for code, (_value, met, _progress) in targets.items() if code != "villages")
    html = response.content.decode()
    assert 'data-width-percent="50"' in html and "≥ 30" in html
    from core.months import Month

    expected = period_totals(programme, Month(2024, 1), Month(2024, 12))
    shown = {indicator.code: total for indicator, total in response.context["period_totals"]}
    assert shown == {i.code: expected[i.pk] for i in programme.indicators.all()}
    assert client.get("/dashboard/", {"from": "2024-13"}).status_code == 400


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", "≥ 2,016,380,000"), ("en", "≥ 2,016,380,000")])
def test_large_figures_are_written_with_thousands_separators_in_both_languages(demo, language, shown):
    from reporting.models import Figure

    programme = Programme.objects.get()
    Figure.objects.filter(programme=programme, code="villages").update(
        expected=2016380000, comparison="at_least"
    )
    client = client_for(demo["bureau"])
    client.cookies["django_language"] = language
    html = client.get("/dashboard/").content.decode()
    assert shown in html and "2016380000" not in html


def test_an_ended_programmes_charts_end_at_its_last_month(demo):
    programme = Programme.objects.get()
    Programme.objects.filter(pk=programme.pk).update(end_date=datetime.date(2024, 6, 30))
    response = client_for(demo["commander"]).get("/dashboard/", {"programme": programme.pk})
    assert response.status_code == 200
    months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert response.context["months"] == months
    assert [row["month"] for row in response.context["submission"]] == months
    assert all(len(trend["values"]) == len(months) for trend in response.context["trends"])
    assert response.context["compliance"]["year"] == 2024
    assert [str(month) for month in response.context["period"]] == ["2024-01", "2024-06"]
    html = response.content.decode()
    assert '<th scope="col">2024-06</th>' in html and '<th scope="col">2024-07</th>' not in html


def test_an_exact_figure_above_its_value_is_not_called_met(demo):
    from reporting.figures import figure_results
    from reporting.models import Figure

    programme = Programme.objects.get()
    Figure.objects.filter(programme=programme, code="pairings").update(expected=7, comparison="exactly")
    Figure.objects.filter(programme=programme, code="villages").update(expected=30, comparison="exactly")
    results = {result.figure.code: result for result in figure_results(programme)}
    pairings, villages = results["pairings"], results["villages"]
    assert (pairings.value, pairings.met, pairings.exceeded, pairings.progress) == (8, False, True, 100)
    assert (villages.value, villages.met, villages.exceeded) == (15, False, False)
    assert results["universities"].shortfall == ""  # met: nothing to say

    html = client_for(demo["bureau"]).get("/dashboard/").content.decode()
    row = html[html.index('data-figure="pairings"') :]
    row = row[: row.index("</tr>")]
    assert "应恰为7 对，现为8 对。" in row  # the fixture counts pairings in 对
    assert "bg-warning" in row and "bg-success" not in row and "已达到" not in row
    villages_row = html[html.index('data-figure="villages"') :]
    assert "应恰为30 个，现为15 个。" in villages_row[: villages_row.index("</tr>")]


def test_a_programme_without_milestones_shows_no_empty_milestones_card(demo):
    from pairing.models import Milestone

    client = client_for(demo["commander"])
    assert 'id="milestones-heading"' in client.get("/dashboard/").content.decode()
    Milestone.objects.all().delete()
    assert 'id="milestones-heading"' not in client.get("/dashboard/").content.decode()


def test_units_are_shown_in_the_readers_language(demo):
    """元 reads yuan in English; a bare counter (个) is left out there; Chinese keeps both as written."""
    from reporting.models import Indicator

    indicators = Indicator.objects.filter(programme=Programme.objects.get()).order_by("order")
    Indicator.objects.filter(programme=Programme.objects.get()).update(unit="")
    funds, counter = indicators[0], indicators[1]
    Indicator.objects.filter(pk=funds.pk).update(unit="元")
    Indicator.objects.filter(pk=counter.pk).update(unit="个")

    def totals_table(html: str) -> str:
        table = html[html.index('id="totals-heading"') :]
        return table[: table.index("</table>")]

    client = client_for(demo["commander"])
    chinese = totals_table(client.get("/dashboard/").content.decode())
    assert " 元</td>" in chinese and " 个</td>" in chinese
    client.cookies["django_language"] = "en"
    english = totals_table(client.get("/dashboard/").content.decode())
    assert " yuan</td>" in english and "元" not in english and "个" not in english


def test_the_trend_charts_legend_names_each_unit_in_the_readers_language(demo):
    client = client_for(demo["bureau"])
    chinese = client.get("/dashboard/").context["trends"]
    assert chinese and all(t["label"] == f"{t['name']}（{t['unit']}）" for t in chinese if t["unit"])
    client.cookies["django_language"] = "en"
    english = client.get("/dashboard/").context["trends"]
    assert english and all("（" not in t["label"] for t in english)
    assert any(t["label"].endswith(" (days)") or t["label"].endswith(" (people)") for t in english), english


def test_the_apis_totals_are_the_dashboards_cached_until_a_report_changes(demo):
    """/api/v1/totals/ gives the dashboard's totals for the same period, from the same cache: a second
    request reads no indicator value, and a returned report's numbers leave the total at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.models import IndicatorValue
    from reporting.services import report_return

    programme = Programme.objects.get()
    client = client_for(demo["bureau"])
    period = {"from": "2024-01", "to": str(Month.current())}  # the programme runs: this month is its last
    shown = {i.code: total for i, total in client.get("/dashboard/", period).context["period_totals"]}
    with CaptureQueriesContext(connection) as queries:
        api = client.get(f"/api/v1/totals/{programme.pk}/", period).json()["totals"]
    assert api == {code: plain_number(total) for code, total in shown.items()}
    assert not [q for q in queries.captured_queries if "indicatorvalue" in q["sql"]], "read from the cache"
    value = (
        IndicatorValue.objects.filter(report__status="submitted", value__gt=0, indicator__aggregation="sum")
        .select_related("indicator", "report")
        .first()
    )
    report = value.report
    with cache_as_committed():
        report_return(report=report, reviewer=demo["bureau"], comment="请补充")
    after = client.get(f"/api/v1/totals/{programme.pk}/", period).json()["totals"]
    code = value.indicator.code
    assert Decimal(after[code]) == Decimal(api[code]) - value.value


def test_a_report_decision_leaves_the_totals_of_periods_without_its_month_cached(demo):
    """At province scale a period's totals take seconds; a decision on one month's report recomputes
    the periods that hold that month only (every dashboard viewer waited after each decision)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.models import MonthlyReport
    from reporting.services import report_return

    programme = Programme.objects.get()
    client = client_for(demo["bureau"])
    report = MonthlyReport.objects.filter(status="submitted").order_by("-month").first()
    month = Month.of(report.month)
    before = {"from": "2024-01", "to": str(month.previous())}
    holding = {"from": "2024-01", "to": str(month)}
    for period in (before, holding):
        client.get(f"/api/v1/totals/{programme.pk}/", period)
    with cache_as_committed():
        report_return(report=report, reviewer=demo["bureau"], comment="请补充")

    def reads_values(period) -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/totals/{programme.pk}/", period).status_code == 200
        return any("indicatorvalue" in q["sql"] for q in queries.captured_queries)

    assert not reads_values(before), "a period without the month stays cached"
    assert reads_values(holding), "a period with the month is counted afresh"


def test_a_decision_recounts_its_own_months_sums_and_keeps_the_others(demo, monkeypatch):
    """A period's sums are its months' sums, each month cached on its own: after a decision on one
    month's report, the period's totals read that month's values only, and still equal the period's
    totals counted from scratch (reporting.totals.period_totals)."""
    from reporting import totals as totals_module
    from reporting.models import MonthlyReport
    from reporting.services import report_return

    programme = Programme.objects.get()
    client = client_for(demo["bureau"])
    period = {"from": "2024-01", "to": str(Month.current())}
    client.get(f"/api/v1/totals/{programme.pk}/", period)
    report = MonthlyReport.objects.filter(status="submitted").order_by("-month").first()
    with cache_as_committed():
        report_return(report=report, reviewer=demo["bureau"], comment="请补充")
    read = []
    counting = totals_module.indicator_totals_by_month

    def spy(months, **kwargs):
        read.append(sorted(months))
        return counting(months, **kwargs)

    monkeypatch.setattr(totals_module, "indicator_totals_by_month", spy)
    shown = client.get(f"/api/v1/totals/{programme.pk}/", period).json()["totals"]
    assert read == [[Month.of(report.month)]]
    expected = totals_module.period_totals(programme, Month(2024, 1), Month.current())
    assert shown == {i.code: plain_number(expected[i.pk]) for i in programme.indicators.all()}


def test_the_trend_table_shows_this_months_counted_numbers_so_far_marked(demo):
    """This month is not due: the line leaves it out, and the table shows what its counted reports
    add up to so far, marked, the same numbers the API's month gives (and the period's total counts).
    On the 10th: from the day after the due day (the 29th to the 31st) this month is due."""
    programme = Programme.objects.get()
    this = Month.current()
    with on_the_tenth():
        assert not programme.is_due(this)
        client = client_for(demo["bureau"])
        response = client.get("/dashboard/")
        api = client.get(f"/api/v1/months/{this}/", {"programme": programme.pk}).json()["totals"]
    index = response.context["months"].index(str(this))
    html = response.content.decode()
    for trend in response.context["trends"]:
        value, so_far = trend["cells"][index]
        assert value is None and trend["values"][index] is None, "not on the line"
        code = next(i.code for i in programme.indicators.all() if i.name == trend["name"])
        assert Decimal(str(so_far)) == Decimal(api[code])
    assert "尚未到截止日的月份" in html


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"from": "2019-01"}, "月报从2024-01开始报送。"),
        ({"to": "2099-01"}, "2099-01尚未开始，还没有月报。"),
        ({"from": "2024-05", "to": "2024-03"}, "结束月份早于开始月份。"),
        ({"from": "2024-13"}, "请按YYYY-MM格式填写月份，例如2024-03。"),
    ],
)
def test_a_period_is_refused_alike_by_the_dashboard_the_api_and_the_export(
    users, indicators, period, message
):
    """One reading of a period (reporting.totals.requested_period): a month outside the programme's
    reports, a period ending before it begins or a malformed month is refused by each, with the same
    words, and none shows a total over months that have no reports."""
    programme = Programme.objects.get()
    client = client_for(users["bureau"])
    dashboard = client.get("/dashboard/", {"programme": programme.pk, **period})
    assert dashboard.status_code == 400 and message in dashboard.content.decode()
    api = client.get(f"/api/v1/totals/{programme.pk}/", period)
    assert api.status_code == 400 and message in str(api.json())
    export = {"programme": programme.pk, "from": "2024-01", "to": "2024-02", "format": "csv", **period}
    refused = client.get("/reports/export/", export)
    assert refused.status_code == 400 and message in refused.content.decode()


def test_a_programme_whose_reports_have_not_begun_says_when_they_do(users, indicators):
    """Its first report month still to come: the dashboard says from when (no chart of no months),
    the API's totals name the month, and neither fails."""
    programme = Programme.objects.get()
    first = Month.current().next()
    Programme.objects.filter(pk=programme.pk).update(first_report_month=first.first_day)
    client = client_for(users["commander"])
    page = client.get("/dashboard/", {"programme": programme.pk})
    assert page.status_code == 200
    assert f"本项目月报从{first}开始报送，届时仪表盘将显示数据。" in page.content.decode()
    totals = client.get(f"/api/v1/totals/{programme.pk}/")
    assert totals.status_code == 400 and totals.json() == {"from": [f"月报从{first}开始报送。"]}


def test_the_dashboard_charts_follow_the_period_chosen_and_say_so(demo):
    client = client_for(demo["commander"])
    page = client.get("/dashboard/", {"from": "2024-01", "to": "2024-03"})
    assert page.context["months"] == ["2024-01", "2024-02", "2024-03"]
    assert [row["month"] for row in page.context["submission"]] == ["2024-01", "2024-02", "2024-03"]
    assert "下方图表显示2024-01至2024-03：所选期间，最多显示其最后十二个月。" in page.content.decode()
    longer = client.get("/dashboard/", {"from": "2024-01", "to": "2025-06"}).context["months"]
    assert (len(longer), longer[0], longer[-1]) == (12, "2024-07", "2025-06")


def test_a_team_member_added_leaves_the_months_figures_cached_and_a_pairing_ended_does_not(demo):
    """A liaison adding a member or a residency changes no expected report, so the dashboard's months
    and totals stay cached (at province scale they take seconds to count); a pairing's change counts
    them afresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pairing.models import Membership, Pairing, Person
    from pairing.services import team_get_or_create

    client = client_for(demo["bureau"])
    client.get("/dashboard/")

    def counts_again() -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/").status_code == 200
        return any(
            '"report_status"' in q["sql"] or "indicatorvalue" in q["sql"] for q in queries.captured_queries
        )

    assert not counts_again()
    pairing = Pairing.objects.get(number=6)
    with cache_as_committed():
        person = Person.objects.create(
            name="李四", school=pairing.lead_university, title_grade="intermediate"
        )
        Membership.objects.create(team=team_get_or_create(pairing=pairing), person=person, role="member")
    assert not counts_again(), "a team member changes no month's figures"
    pairing.end_date = pairing.start_date
    with cache_as_committed():
        pairing.save()
    assert counts_again(), "a pairing's end changes which reports its months expect"


def test_a_month_not_yet_due_counts_in_no_schools_rate_though_one_school_submitted_early(demo):
    """Every school is rated over the same months, those already due: a school that submits this
    month's report before the 28th is not rated over one month more than the others."""
    from collections import Counter

    from reporting.expectations import expected_reports
    from reporting.services import report_save_draft, report_submit
    from tests.reporting.conftest import make_report

    programme = Programme.objects.get(code=PROGRAMME_CODE)
    with on_the_tenth():
        report = make_report(demo["liaison"], month=Month.current().first_day, number=6)
        report_save_draft(
            report=report, user=demo["liaison"], values={"activities_held": "1", "residency_days": "2"}
        )
        report_submit(report=report, user=demo["liaison"], now=timezone.now())  # the 10th: the clock stands
        context = client_for(demo["commander"]).get("/dashboard/").context
        due_months = [
            Month.parse(month) for month in context["months"] if programme.is_due(Month.parse(month))
        ]
    assert Month.current() not in due_months
    owed = Counter(
        row.school
        for month in due_months
        for row in expected_reports(month, pairings=programme.pairings.all())
    )
    rated = {row["school"]: row["due"] for row in context["on_time_by_school"]}
    assert rated["东莞理工学院"] == owed["东莞理工学院"]
    assert rated == {school: owed[school] for school in rated}
