"""The liaison's Excel round trip: download, fill with openpyxl, upload; every bad cell is named."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pairing.models import School
from reporting.models import Indicator, IndicatorValue, MonthlyReport
from reporting.services import report_save_draft
from tests.reporting.conftest import client_for, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(reporting_users) -> MonthlyReport:
    report = make_report(reporting_users["liaison"])
    report_save_draft(
        report=report, user=reporting_users["liaison"], values={"activities_held": "2"}, difficulties="旧"
    )
    return MonthlyReport.objects.get(pk=report.pk)


def download(client, report) -> openpyxl.Workbook:
    response = client.get(f"/reports/{report.pk}/workbook/")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(client, report, book: openpyxl.Workbook, name="report.xlsx"):
    data = io.BytesIO()
    book.save(data)
    return client.post(
        f"/reports/{report.pk}/workbook/",
        {"workbook": SimpleUploadedFile(name, data.getvalue())},
        follow=True,
    )


def row_of(sheet, code: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == code)


def test_the_workbook_is_prefilled_with_units_bounds_and_validation(reporting_users, report):
    book = download(client_for(reporting_users["liaison"]), report)
    sheet = book["月报"]
    # The pairing named too: Yibin's university reports for ten counties a month.
    assert sheet["A1"].value == f"{report.school.name} · 第6对结对（长安） 2024年2月 进展情况月报"
    response = client_for(reporting_users["liaison"]).get(f"/reports/{report.pk}/workbook/")
    assert f'filename="report-{report.pk}-2024-02-pairing-6.xlsx"' in response["Content-Disposition"]
    assert [c.value for c in sheet[4]] == ["代码", "指标", "单位", "数值", "最小值", "最大值"]
    row = row_of(sheet, "activities_held")
    assert (sheet.cell(row, 2).value, sheet.cell(row, 3).value, sheet.cell(row, 4).value) == (
        "开展活动场次",
        "场",
        2,
    )
    assert sheet.cell(row_of(sheet, "residency_days"), 6).value == 29, "February 2024 has 29 days"
    assert len(sheet.data_validations.dataValidation) == 12
    assert {v.type for v in sheet.data_validations.dataValidation} == {"whole", "decimal"}
    assert book["文字"].cell(row_of(book["文字"], "difficulties"), 3).value == "旧"


def test_a_filled_workbook_becomes_the_draft(reporting_users, report):
    client = client_for(reporting_users["liaison"])
    book = download(client, report)
    sheet, text = book["月报"], book["文字"]
    sheet.cell(row_of(sheet, "activities_held"), 4).value = 6
    sheet.cell(row_of(sheet, "funds_invested"), 4).value = 1500.5
    talent = text.cell(row_of(text, "talent"), 3)
    talent.value = "=举办培训班"
    talent.data_type = "s"  # typed as text ('=...), not a formula
    text.cell(row_of(text, "difficulties"), 3).value = "资金缺口"
    response = upload(client, report, book)
    assert "工作簿已保存为草稿" in response.content.decode()
    report.refresh_from_db()
    values = {
        v.indicator.code: v.value
        for v in IndicatorValue.objects.filter(report=report).select_related("indicator")
    }
    assert values["activities_held"] == 6 and values["funds_invested"] == 1500.5
    assert report.difficulties == "资金缺口" and report.status == "draft"
    assert report.narratives["talent"] == "=举办培训班"


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda s: s.cell(row_of(s, "activities_held"), 4, "三"), "月报!D", "请输入数字。"),
        (lambda s: s.cell(row_of(s, "activities_held"), 4, -1), "月报!D", "数值不能为负数。"),
        (lambda s: s.cell(row_of(s, "activities_held"), 4, 2.5), "月报!D", "请输入整数。"),
        (lambda s: s.cell(row_of(s, "residency_days"), 4, 40), "月报!D", "数值不能大于29：2024-02共29天。"),
        (
            lambda s: s.cell(row_of(s, "activities_held"), 4, "=1+1"),
            "月报!D",
            "不允许使用公式，请直接填写数值。",
        ),
        (lambda s: s.cell(4, 7, "备注"), "月报!G4", "多出的列“备注”。"),
        (lambda s: setattr(s.cell(4, 3), "value", None), "月报!C4", "此处应为“单位”列，实际为“空”。"),
        (lambda s: s.merge_cells("B5:C5"), "月报!B5", "不允许合并单元格（B5:C5），请取消合并。"),
        (lambda s: s.cell(20, 1, "bogus"), "月报!A20", "未知指标代码“bogus”。"),
    ],
)
def test_each_bad_cell_is_named_and_nothing_is_written(reporting_users, report, change, where, message):
    client = client_for(reporting_users["liaison"])
    book = download(client, report)
    change(book["月报"])
    response = upload(client, report, book)
    html = response.content.decode()
    assert where in html and message in html
    assert IndicatorValue.objects.get(report=report, indicator__code="activities_held").value == 2
    assert MonthlyReport.objects.get(pk=report.pk).difficulties == "旧"


def test_a_formula_and_the_other_bad_cells_are_named_in_one_upload(reporting_users, report):
    """A formula does not hide the workbook's other problems until a second upload: each is named
    once, the formula's cell once (not also as "enter a number")."""
    client = client_for(reporting_users["liaison"])
    book = download(client, report)
    sheet = book["月报"]
    formula, letters = row_of(sheet, "activities_held"), row_of(sheet, "residency_days")
    sheet.cell(formula, 4, "=1+1")
    sheet.cell(letters, 4, "三")
    html = upload(client, report, book).content.decode()
    assert f"月报!D{formula}：不允许使用公式，请直接填写数值。" in html
    assert f"月报!D{letters}：驻点服务天数：请输入数字。" in html
    assert html.count(f"月报!D{formula}") == 1
    assert IndicatorValue.objects.get(report=report, indicator__code="activities_held").value == 2


def test_a_bad_value_names_its_indicator_as_well_as_its_cell(reporting_users, report):
    client = client_for(reporting_users["liaison"])
    book = download(client, report)
    row = row_of(book["月报"], "residency_days")
    book["月报"].cell(row, 4).value = 40
    html = upload(client, report, book).content.decode()
    assert f"月报!D{row}：驻点服务天数：数值不能大于29：2024-02共29天。" in html


def test_a_file_that_is_not_xlsx_is_refused(reporting_users, report):
    client = client_for(reporting_users["liaison"])
    response = client.post(
        f"/reports/{report.pk}/workbook/",
        {"workbook": SimpleUploadedFile("report.xlsx", b"not a zip")},
        follow=True,
    )
    html = response.content.decode()
    assert "请上传Excel工作簿（.xlsx）。" in html
    assert "请修改以下单元格" not in html, "no cells are named when the file itself is wrong"


def test_a_stale_workbook_is_refused(reporting_users, report):
    client = client_for(reporting_users["liaison"])
    book = download(client, report)
    report_save_draft(
        report=report, user=reporting_users["liaison"], values={"activities_held": "3"}, difficulties="新"
    )
    book["月报"].cell(row_of(book["月报"], "activities_held"), 4).value = 9
    response = upload(client, report, book)
    html = response.content.decode()
    assert "下载此工作簿后，月报已有改动，本次上传未保存。请重新下载工作簿" in html and "已在别处" not in html
    assert IndicatorValue.objects.get(report=report, indicator__code="activities_held").value == 3


def test_only_the_writer_uploads_and_outsiders_get_404(reporting_users, report):
    book = download(client_for(reporting_users["liaison"]), report)
    data = io.BytesIO()
    book.save(data)
    for role, status in [
        ("bureau", 403),
        ("commander", 403),
        ("town_liaison", 403),
        ("other_liaison", 404),
        ("assisting_liaison", 404),
    ]:
        response = client_for(reporting_users[role]).post(
            f"/reports/{report.pk}/workbook/", {"workbook": SimpleUploadedFile("r.xlsx", data.getvalue())}
        )
        assert response.status_code == status, role
    assert (
        client_for(reporting_users["other_liaison"]).get(f"/reports/{report.pk}/workbook/").status_code == 404
    )


def test_names_that_start_like_formulas_are_written_as_text(reporting_users, report):
    """A school or indicator name from the registry that begins with = + - @ (stored before names
    were checked, or by a script) must reach the workbook as text, never as a formula Excel runs."""
    School.objects.filter(pk=report.school_id).update(name='=HYPERLINK("http://evil.example","点此")')
    Indicator.objects.filter(code="activities_held").update(name_zh="+cmd|' /C calc'!A0", unit="@场")
    response = client_for(reporting_users["liaison"]).get(f"/reports/{report.pk}/workbook/")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["月报"]
    row = row_of(sheet, "activities_held")
    for cell in (sheet["A1"], sheet.cell(row, 2), sheet.cell(row, 3)):
        assert (cell.data_type, cell.quotePrefix) == ("s", True), cell.coordinate
    assert sheet["A1"].value.startswith('=HYPERLINK("http://evil.example"')
    assert sheet.cell(row, 2).value == "+cmd|' /C calc'!A0"


def test_a_demo_liaison_has_a_phone_number_of_a_real_shape(reporting_users):
    """Ruicheng's demo liaisons had Dongguan's area code and a nine-digit local number."""
    import re

    from pairing.models import School
    from reporting.demo import liaison_for

    school = School.objects.create(name="演示大学", kind=School.Kind.UNIVERSITY)
    assert re.fullmatch(r"1\d{10}", liaison_for(school).profile.phone)
