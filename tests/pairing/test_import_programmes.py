"""Registry import for programmes of every shape: each programme's table has its own columns, names are
found within the programme's root area (two towns of one name in two counties do not collide), and
a pairing of a kind its programme does not allow is refused with the reason, naming row and column."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pairing.imports import columns_for
from pairing.models import Area, LeadUnit, Pairing, Programme, School
from reporting.demo_programmes import load_fixture
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

SHEET = "签约结对关系安排表"


@pytest.fixture
def bureau(users) -> Client:
    client = client_for(users["bureau"])
    return client


CODES = {
    "yibin_2024": "yibin-2024",
    "whut_shiquan_2021": "whut-shiquan-2021",
    "uestc_cengong_2013": "uestc-cengong-2013",
    "ruicheng_2021": "ruicheng-2021",
}


def programme_loaded(fixture: str) -> Programme:
    """Dongguan's programme (loaded for every test), or another seed programme loaded from its fixture."""
    if fixture == "dongguan_2023":
        return Programme.objects.get(code="dongguan-bqw-2023")
    load_fixture(fixture)
    return Programme.objects.get(code=CODES[fixture])


def workbook(headers: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def registry_table(programme: Programme) -> tuple[list[str], list[list]]:
    """The programme's pairings as its own table would list them."""
    columns = columns_for(programme)
    rows = []
    for pairing in programme.pairings.select_related("town", "lead_university", "lead_unit").prefetch_related(
        "assisting_schools", "villages__parent"
    ):
        cells = {
            "number": pairing.number,
            "counterpart": pairing.town.name,
            "villages": "、".join(f"{v.name}({v.parent.name})" for v in pairing.villages.all()),
            "lead": pairing.lead_university.name,
            "assisting": "、".join(s.name for s in pairing.assisting_schools.all()),
            "lead_unit": pairing.lead_unit.name if pairing.lead_unit else None,
        }
        rows.append([cells[column.key] for column in columns])
    return [column.title for column in columns], rows


def shape(programme: Programme) -> dict:
    return {
        p.number: (
            p.town_id,
            p.lead_university_id,
            p.lead_unit.name if p.lead_unit else None,
            sorted(s.pk for s in p.assisting_schools.all()),
            sorted(v.pk for v in p.villages.all()),
        )
        for p in programme.pairings.select_related("lead_unit").prefetch_related(
            "assisting_schools", "villages"
        )
    }


def preview(client: Client, programme: Programme, content: bytes):
    return client.post(
        "/pairings/import/", {"programme": programme.pk, "file": SimpleUploadedFile("t.xlsx", content)}
    )


def import_file(client: Client, programme: Programme, content: bytes) -> dict[str, int]:
    """Preview and confirm; the outcomes the preview showed, counted."""
    response = preview(client, programme, content)
    assert response.status_code == 200, response.content.decode()[:800]
    rows = response.context["rows"]
    if response.context.get("nothing_to_import"):  # every row as the registry has it: no import offered
        assert "每一行都与登记信息一致，无需导入。" in response.content.decode()
        assert not response.context.get("token")
    else:
        assert response.context.get("token"), [str(p) for r in rows for p in r.problems]
        confirmed = client.post("/pairings/import/", {"confirm": "1", "token": response.context["token"]})
        assert confirmed.status_code == 302
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
    return outcomes


def problems_of(response) -> list[str]:
    if response.context.get("rows"):
        return [str(problem) for row in response.context["rows"] for problem in row.problems]
    return [str(problem) for problem in response.context["problems"]]


@pytest.mark.parametrize(
    ("fixture", "headers"),
    [
        ("dongguan_2023", ["序号", "镇(街道)", "村(社区)", "在莞高校", "中职学校"]),
        ("yibin_2024", ["序号", "县(区)", "牵头高校"]),
        ("whut_shiquan_2021", ["序号", "帮扶县", "村(社区)", "牵头高校"]),
        ("uestc_cengong_2013", ["序号", "帮扶县", "村(社区)", "牵头高校"]),
        ("ruicheng_2021", ["序号", "合作县", "牵头高校", "牵头单位"]),
    ],
)
def test_each_programmes_template_has_the_columns_of_its_shape(bureau, fixture, headers):
    programme = programme_loaded(fixture)
    response = bureau.get(f"/pairings/import/template/?programme={programme.pk}")
    assert response.status_code == 200
    assert programme.code in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in book[SHEET][1]] == headers
    assert "、".join(headers) in bureau.get("/pairings/import/").content.decode()


def test_the_template_of_an_unknown_programme_is_not_found(bureau):
    assert bureau.get("/pairings/import/template/?programme=999999").status_code == 404


def test_a_county_programme_round_trips_and_a_second_import_changes_nothing(bureau):
    """Yibin: one university paired with ten counties and districts, no assisting schools."""
    programme = programme_loaded("yibin_2024")
    before = shape(programme)
    headers, rows = registry_table(programme)
    assert headers == ["序号", "县(区)", "牵头高校"] and len(rows) == 10
    programme.pairings.all().delete()
    areas = Area.objects.count()
    assert import_file(bureau, programme, workbook(headers, rows)) == {"new": 10}
    assert shape(programme) == before
    assert Area.objects.count() == areas, "every county was found under 宜宾市"
    history = Pairing.history.count()
    assert import_file(bureau, programme, workbook(headers, rows)) == {"unchanged": 10}
    assert Pairing.history.count() == history


@pytest.mark.parametrize("fixture", [*CODES, "dongguan_2023"])
def test_each_seed_programmes_own_table_imports_unchanged(bureau, fixture):
    programme = programme_loaded(fixture)
    headers, rows = registry_table(programme)
    history = Pairing.history.count()
    assert import_file(bureau, programme, workbook(headers, rows)) == {"unchanged": len(rows)}
    assert Pairing.history.count() == history


def test_a_new_county_is_added_under_the_root_area_with_the_kind_its_name_ends_with(bureau):
    programme = programme_loaded("yibin_2024")
    Programme.objects.filter(pk=programme.pk).update(end_date=None)  # running: it takes new pairings
    programme.refresh_from_db()
    headers, rows = registry_table(programme)
    rows += [[11, "宜宾新县", "宜宾学院"], [12, "三江新区", "宜宾学院"]]
    response = preview(bureau, programme, workbook(headers, rows))
    notes = {row.number: row.notes for row in response.context["rows"]}
    assert "将新增县(区)：宜宾新县。" in notes[11]
    # 宜宾学院 leads every pairing: a new row says so once, and the rows as they stand say nothing.
    assert "宜宾学院已是第1、2、3、4、5、6、7、8、9、10对结对的一方。" in notes[11]
    assert all(notes[number] == [] for number in range(1, 11)), notes
    import_file(bureau, programme, workbook(headers, rows))
    added = {p.town.name: (p.town.kind, p.town.parent.name) for p in programme.pairings.filter(number__gt=10)}
    assert added == {"宜宾新县": ("county", "宜宾市"), "三江新区": ("district", "宜宾市")}


def test_ruicheng_round_trips_with_its_lead_units(bureau):
    programme = programme_loaded("ruicheng_2021")
    before = shape(programme)
    headers, rows = registry_table(programme)
    assert headers == ["序号", "合作县", "牵头高校", "牵头单位"] and len(rows) == 22
    programme.pairings.all().delete()
    assert import_file(bureau, programme, workbook(headers, rows)) == {"new": 22}
    assert shape(programme) == before
    assert LeadUnit.objects.filter(programme=programme).count() == 8, "no lead unit was added twice"
    assert import_file(bureau, programme, workbook(headers, rows)) == {"unchanged": 22}


def test_a_new_lead_unit_is_pointed_out_and_added_to_the_programme(bureau):
    programme = programme_loaded("ruicheng_2021")
    Programme.objects.filter(pk=programme.pk).update(end_date=None)  # running: it takes new pairings
    programme.refresh_from_db()
    headers, rows = registry_table(programme)
    rows.append([23, "芮城县", "清华大学", "芮城县科学技术协会"])
    response = preview(bureau, programme, workbook(headers, rows))
    row = next(r for r in response.context["rows"] if r.number == 23)
    assert row.outcome == "new" and "将新增县级牵头单位：芮城县科学技术协会。" in row.notes
    import_file(bureau, programme, workbook(headers, rows))
    assert programme.pairings.get(number=23).lead_unit.name == "芮城县科学技术协会"


def test_an_ended_pairing_is_not_changed_by_an_import(bureau):
    programme = programme_loaded("ruicheng_2021")
    headers, rows = registry_table(programme)
    rows[0][3] = "芮城县商务局"
    response = preview(bureau, programme, workbook(headers, rows))
    assert problems_of(response) == [
        f"{SHEET}第2行：该结对已结束，不能再调整。（牵头单位：芮城县农业农村局 → 芮城县商务局）"
    ]
    assert response.context.get("token") is None


def test_two_towns_of_one_name_in_two_counties_do_not_collide(bureau):
    """A prefecture with two counties, each with its 城关镇 and, in it, its 新村: a village written
    with its town is found in the row's own county."""
    prefecture = Area.objects.create(name="某地级市", kind=Area.Kind.PREFECTURE)
    places = {}
    for county_name in ["甲县", "乙县"]:
        county = Area.objects.create(name=county_name, kind=Area.Kind.COUNTY, parent=prefecture)
        town = Area.objects.create(name="城关镇", kind=Area.Kind.TOWN, parent=county)
        places[county_name] = Area.objects.create(name="新村", kind=Area.Kind.VILLAGE, parent=town)
    School.objects.create(name="某大学", kind=School.Kind.UNIVERSITY)
    programme = Programme.objects.create(
        code="two-counties",
        name="两县结对",
        city="某地级市",
        start_date="2024-01-01",
        root_area=prefecture,
        counterpart_kinds=["county"],
        counterpart_label="县",
        assisting_school_kinds=[],
        rules=["school_paired"],
    )
    headers = ["序号", "县", "村(社区)", "牵头高校"]
    rows = [[1, "甲县", "新村(城关镇)", "某大学"], [2, "乙县", "新村(城关镇)", "某大学"]]
    assert import_file(bureau, programme, workbook(headers, rows)) == {"new": 2}
    for number, county in [(1, "甲县"), (2, "乙县")]:
        pairing = programme.pairings.get(number=number)
        assert pairing.town.name == county
        assert list(pairing.villages.all()) == [places[county]]
    assert import_file(bureau, programme, workbook(headers, rows)) == {"unchanged": 2}


def test_a_town_named_like_another_programmes_town_is_the_programmes_own(bureau):
    """Dongguan has a 凤岗; so does another city. Each programme's import finds its own, and adds
    new villages under it, not under the other city's."""
    dongguan = Programme.objects.get()
    dongguan_fenggang = Area.objects.get(name="凤岗", parent=dongguan.root_area)
    city = Area.objects.create(name="另一市", kind=Area.Kind.CITY)
    fenggang = Area.objects.create(name="凤岗", kind=Area.Kind.TOWN, parent=city)
    other = Programme.objects.create(
        code="other-city", name="另一市百千万", city="另一市", start_date="2024-01-01", root_area=city
    )
    headers = ["序号", "镇(街道)", "村(社区)", "牵头高校", "中职学校"]
    rows = [[1, "凤岗", "雁田村", "东莞理工学院", "东莞市机电工程学校"]]
    response = preview(bureau, other, workbook(headers, rows))
    assert response.context["rows"][0].notes[-1] == "将新增村(社区)：雁田村（凤岗）。", (
        "not Dongguan's 雁田村"
    )
    import_file(bureau, other, workbook(headers, rows))
    pairing = other.pairings.get()
    assert pairing.town == fenggang
    assert [(v.name, v.parent) for v in pairing.villages.all()] == [("雁田村", fenggang)]
    assert Pairing.objects.get(programme=dongguan, number=1).town == dongguan_fenggang


def test_a_name_of_two_areas_within_the_root_is_refused_naming_both(bureau):
    province = Area.objects.create(name="某省", kind=Area.Kind.PROVINCE)
    for county_name in ["甲县", "乙县"]:
        county = Area.objects.create(name=county_name, kind=Area.Kind.COUNTY, parent=province)
        Area.objects.create(name="城关镇", kind=Area.Kind.TOWN, parent=county)
    programme = Programme.objects.create(
        code="province-towns", name="某省镇校结对", city="某省", start_date="2024-01-01", root_area=province
    )
    rows = [[1, "城关镇", "", "东莞理工学院", "东莞市机电工程学校"]]
    response = preview(
        bureau, programme, workbook(["序号", "镇(街道)", "村(社区)", "牵头高校", "中职学校"], rows)
    )
    assert problems_of(response) == [
        f"{SHEET}!B2：某省内有2个区域名为城关镇：城关镇（甲县）、城关镇（乙县）；请先在名录中更改其中一个的名称。"
    ]


@pytest.mark.parametrize(
    ("fixture", "row", "where", "message"),
    [
        ("yibin_2024", [1, "宜宾市", "宜宾学院"], "B2", "宜宾市是地级市（州），不是县(区)。"),
        ("yibin_2024", [1, "翠屏区", "东莞市机电工程学校"], "C2", "东莞市机电工程学校是中职学校，不是高校。"),
        ("yibin_2024", [1, "李庄镇", "宜宾学院"], "B2", "李庄镇是镇，不是县(区)。"),
        (
            "yibin_2024",
            [1, "临港", "宜宾学院"],
            "B2",
            "宜宾市内没有临港；请填写以县、旗、区结尾的全称以便确定其类型，或先在名录中添加。",
        ),
        (
            "ruicheng_2021",
            [1, "永济县", "清华大学", "芮城县商务局"],
            "B2",
            "名录中没有永济县，也不能在芮城县之下新增：县不能隶属于县。",
        ),
        (
            "dongguan_2023",
            [1, "雁田村", "", "东莞理工学院", "东莞市机电工程学校"],
            "B2",
            "雁田村是村，不是镇(街道)。",
        ),
    ],
    ids=[
        "prefecture",
        "vocational lead",
        "town in a county programme",
        "kind unknown",
        "county in a county",
        "village",
    ],
)
def test_a_pairing_of_a_kind_the_programme_does_not_allow_is_refused_with_the_reason(
    bureau, fixture, row, where, message
):
    programme = programme_loaded(fixture)
    headers = [column.title for column in columns_for(programme)]
    pairings = shape(programme)
    response = preview(bureau, programme, workbook(headers, [row]))
    assert f"{SHEET}!{where}：{message}" in problems_of(response)
    assert response.context.get("token") is None
    assert shape(programme) == pairings


def test_another_programmes_table_is_refused_naming_the_expected_columns(bureau):
    programme = programme_loaded("yibin_2024")
    dongguan_table = workbook(
        ["序号", "镇(街道)", "村(社区)", "在莞高校", "中职学校"],
        [[1, "翠屏区", "", "宜宾学院", "东莞市机电工程学校"]],
    )
    response = preview(bureau, programme, dongguan_table)
    assert response.status_code == 400
    problems = problems_of(response)
    assert (
        f"{SHEET}第1行：{programme.name}的表格列为：序号、县(区)、牵头高校；请下载该项目的模板。" in problems
    )
    assert f"{SHEET}!E1：{programme.name}的结对没有协助学校，请删除“中职学校”列。" in problems


def test_a_lead_unit_that_begins_like_a_formula_is_refused(bureau):
    programme = programme_loaded("ruicheng_2021")
    book = openpyxl.load_workbook(
        io.BytesIO(workbook(["序号", "合作县", "牵头高校", "牵头单位"], [[1, "芮城县", "清华大学", "=1+1"]]))
    )
    book.active["D2"].data_type = "s"  # typed as text, not a formula
    data = io.BytesIO()
    book.save(data)
    response = preview(bureau, programme, data.getvalue())
    assert any(p.startswith(f"{SHEET}!D2：“=1+1”以 = + - @") for p in problems_of(response))
