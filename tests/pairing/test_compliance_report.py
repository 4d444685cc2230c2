"""`manage.py compliance_report` prints the engine's breaches as a table."""

import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("compliance_report", *args, stdout=out)
    return out.getvalue()


def test_tsv_rows_are_the_breaches_of_the_year(pairing_activity):
    lines = report("--year", "2024", "--programme", "dongguan-bqw-2023", "--tsv").splitlines()
    assert lines[0].split("\t") == ["项目", "序号", "镇(街道)", "牵头高校", "规则", "违规情况"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [
        "dongguan-bqw-2023",
        "1",
        "凤岗",
        "广东酒店管理职业技术学院",
        "队伍人数",
        "服务工作队5人，少于6人",
    ] in rows
    assert [
        "dongguan-bqw-2023",
        "2",
        "东坑",
        "广东科技学院",
        "驻点天数",
        "2024年累计驻点62天，少于90天",
    ] in rows
    assert not [row for row in rows if row[1] == "6"], "the 长安 pairing keeps every rule"
    assert len({row[1] for row in rows}) == 7


def test_table_output_ends_with_the_count(pairing_activity):
    output = report("--year", "2024")
    assert output.strip().splitlines()[-1] == "2024年共14项违规"


def test_english_output(pairing_activity):
    output = report("--year", "2024", "--language", "en", "--tsv")
    assert "Service team has 5 members, fewer than 6" in output


def test_unknown_programme_is_one_clear_error(pairing_activity):
    with pytest.raises(CommandError, match="unknown programme 'nope'"):
        report("--programme", "nope")
