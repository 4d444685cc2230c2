"""Malformed parameters (a month, a programme, an id, a page, a year, a state) never give a 500: a
month or a programme that cannot be read answers 400 or 404 with a message in the user's language."""

import pytest

from tests.helpers import client_for

pytestmark = pytest.mark.django_db

# "²⁰²⁴": digits to str.isdigit(), not to int() (superscripts).
BAD = ["abc", "2024-13", "99999999999999999999", "-1", "²⁰²⁴", "³"]
# Each page with the parameters it reads.
PAGES = {
    "bureau": {
        "/pairings/": ["town", "school", "status", "page", "q"],
        "/pairings/compliance/": ["year", "town", "school", "status"],
        "/reports/queue/": ["month", "state", "town", "school", "page"],
        "/reports/status/": ["month", "page"],
        "/reports/summaries/": ["page"],
        "/reports/export/?format=csv&programme=1&from=2024-01&to=2024-02": [
            "programme",
            "from",
            "to",
            "town",
            "school",
        ],
        "/dashboard/": ["programme"],
        "/audit/": ["type", "user", "from", "to"],
        "/pairings/6/": ["year"],
        "/api/v1/reports/": ["month", "status", "school", "pairing", "page"],
        "/api/v1/pairings/": ["year", "town", "school", "status", "page"],
        "/api/v1/months/2024-02/": ["programme"],
        "/api/v1/months/2024-02/reports/": ["programme", "state", "page"],
    },
    "liaison-dgut": {"/reports/": ["page"], "/pairings/6/": ["year"], "/api/v1/reports/": ["month", "page"]},
}


@pytest.fixture
def clients(users):
    signed_in = {}
    for key, user in [("bureau", users["bureau"]), ("liaison-dgut", users["liaison"])]:
        signed_in[key] = client_for(user)
    return signed_in


@pytest.mark.parametrize("who", list(PAGES))
def test_no_malformed_parameter_gives_a_server_error(clients, indicators, who):
    client = clients[who]
    failures = []
    for url, names in PAGES[who].items():
        for name in names:
            for value in BAD:
                path, _, query = url.partition("?")
                params = dict(pair.split("=") for pair in query.split("&") if pair)
                status = client.get(path, {**params, name: value}).status_code
                if status >= 500:
                    failures.append(f"{url} {name}={value} -> {status}")
    assert failures == []


@pytest.mark.parametrize(
    ("url", "params", "status", "message"),
    [
        ("/reports/queue/", {"month": "2024-13"}, 400, "请按YYYY-MM格式填写月份，例如2024-03。"),
        ("/reports/status/", {"month": "abc"}, 400, "请按YYYY-MM格式填写月份，例如2024-03。"),
        ("/reports/queue/", {"month": "2099-01"}, 400, "2099-01尚未开始，还没有月报。"),
        ("/reports/status/", {"month": "2019-05"}, 400, "月报从2024-01开始报送。"),
        ("/reports/status/", {"month": "2027-05"}, 400, "2027-05尚未开始，还没有月报。"),
        ("/pairings/", {"page": "-1"}, 400, "没有第-1页：现显示第1页（共1页）。"),
        ("/pairings/compliance/", {"page": "abc"}, 400, "没有第abc页：现显示第1页（共1页）。"),
        ("/reports/queue/", {"page": "99999"}, 400, "没有第99999页：现显示第1页（共1页）。"),
        ("/reports/status/", {"page": "0"}, 400, "没有第0页：现显示第1页（共1页）。"),
        ("/reports/summaries/", {"page": "2"}, 400, "没有第2页：现显示第1页（共1页）。"),
        ("/audit/", {"from": "2026-13-01"}, 400, "请按YYYY-MM-DD格式填写日期，例如2024-03-01。"),
        ("/audit/", {"type": "bogus"}, 400, "请从列表中选择记录类型。"),
        ("/audit/", {"user": "abc"}, 400, "请从列表中选择用户。"),
        ("/reports/queue/", {"state": "nonsense"}, 400, "请从列表中选择状态。"),
        ("/reports/queue/", {"town": "abc"}, 400, "请从列表中选择镇（街道）和学校。"),
        ("/dashboard/", {"programme": "abc"}, 404, "没有这个项目。"),
        ("/dashboard/", {"programme": "999"}, 404, "没有这个项目。"),
        ("/reports/export/", {"programme": "abc", "format": "csv"}, 400, "请选择项目。"),
    ],
)
def test_a_month_or_programme_that_cannot_be_read_is_named(clients, indicators, url, params, status, message):
    response = clients["bureau"].get(url, params)
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/v1/months/2024-13/", 400, "请按YYYY-MM格式填写月份，例如2024-03。"),
        ("/api/v1/months/abc/reports/", 400, "请按YYYY-MM格式填写月份，例如2024-03。"),
        ("/api/v1/reports/?month=nope", 400, "请按YYYY-MM格式填写月份，例如2024-03。"),
        ("/api/v1/months/2024-02/?programme=abc", 404, "没有这个项目。"),
        ("/api/v1/months/2024-02/reports/?state=nope", 400, "请从以下选项中选择：not_started"),
        ("/api/v1/months/2019-01/", 400, "月报从2024-01开始报送。"),
        ("/api/v1/months/2099-01/reports/", 400, "2099-01尚未开始，还没有月报。"),
        ("/api/v1/reports/?programme=abc", 400, "选择一个有效的选项"),
        ("/api/v1/reports/?programme=1000", 400, "选择一个有效的选项"),
        ("/api/v1/totals/99999/", 404, "没有这个项目。"),
        ("/api/v1/pairings/?year=x", 400, "请填写年份，例如2024。"),
        ("/api/v1/pairings/?year=1999", 400, "请填写2000至2100之间的年份。"),
        ("/api/v1/pairings/6/?year=1999", 400, "1999不在本项目的年份内：本项目为2024–"),
        ("/api/v1/totals/1/?from=2024-10&to=2024-01", 400, "结束月份早于开始月份。"),
    ],
)
def test_the_api_answers_bad_parameters_with_400_or_404_and_a_message(
    clients, indicators, path, status, message
):
    response = clients["bureau"].get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == status
    assert message in response.content.decode()


def test_posting_a_malformed_programme_or_month_to_the_compile_form_is_named(clients, indicators):
    response = clients["bureau"].post(
        "/reports/summaries/compile/", {"programme": "abc", "month": "x"}, follow=True
    )
    assert "请选择项目。" in response.content.decode()
    response = clients["bureau"].post("/pairings/import/", {"programme": "abc"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/pairings/99999999999999999999/", 404),
        ("/reports/99999999999999999999/", 404),
        ("/reports/summaries/99999999999999999999/workbook/", 404),
        ("/api/v1/reports/99999999999999999999/", 404),
        ("/api/v1/pairings/99999999999999999999/", 404),
        ("/api/v1/reports/?school=99999999999999999999", 400),
        ("/reports/queue/?school=99999999999999999999", 400),
    ],
)
def test_an_id_no_row_could_have_is_not_found_or_refused(clients, indicators, path, status):
    assert clients["bureau"].get(path).status_code == status
