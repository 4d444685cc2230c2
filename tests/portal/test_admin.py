"""Every model is in the Django admin, in Chinese, and its pages open for bureau staff; the pairings'
workspace is read-only there, and registry rows other records refer to are not deleted."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils.text import capfirst

from pairing.admin import PAIRING_NOTE, WORKSPACE_NOTE
from pairing.models import (
    Agreement,
    AnnualPlan,
    Area,
    JointMeeting,
    Membership,
    Milestone,
    Pairing,
    PairingReview,
    Person,
    PracticeBase,
    Programme,
    Residency,
    School,
    ServiceTeam,
)
from reporting.models import Indicator
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

APPS = ["core", "pairing", "reporting"]


def portal_models():
    return [
        m for m in apps.get_models() if m._meta.app_label in APPS and not m.__name__.startswith("Historical")
    ]


def test_every_model_is_registered():
    missing = [m.__name__ for m in portal_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", portal_models(), ids=lambda m: m.__name__)
def test_the_list_and_add_pages_open_in_chinese(users, model):
    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = client_for(bureau)
    info = (model._meta.app_label, model._meta.model_name)
    response = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "东莞"})
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    if admin.site._registry[model].has_add_permission(response.wsgi_request):
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200


# The admin is no back door: the pairings' workspace is only looked at there.

WORKSPACE = [
    Pairing,
    ServiceTeam,
    Membership,
    Person,
    Residency,
    JointMeeting,
    AnnualPlan,
    Agreement,
    PracticeBase,
    PairingReview,
]


@pytest.fixture
def staff(users) -> Client:
    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = client_for(bureau)
    return client


@pytest.fixture
def workspace(users, pairing_activity) -> dict:
    """One record of each kind of the workspace, on 长安's pairing (number 6): the shared demo
    activity (tests/conftest.py) and a plan and a review of its own."""
    pairing = Pairing.objects.get(number=6)
    AnnualPlan.objects.create(pairing=pairing, year=2024, content="三方年度合作计划")
    PairingReview.objects.create(
        pairing=pairing, subject="team", decision="accepted", reviewer=users["bureau"]
    )
    return {
        model: model.objects.filter(**LOOKUP.get(model, {"pairing__number": 6})).order_by("pk").first()
        for model in WORKSPACE
    }


LOOKUP = {
    Pairing: {"number": 6},
    ServiceTeam: {"pairing__number": 6},
    Membership: {"team__pairing__number": 6},
    Person: {"memberships__team__pairing__number": 6},
    Residency: {"team__pairing__number": 6},
}


def url(obj, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def stored(obj) -> dict:
    return model_to_dict(type(obj).objects.get(pk=obj.pk))


def changed_form_data(obj) -> dict:
    """What a full change form would post, with every text field changed."""
    data = {}
    for name, value in model_to_dict(obj).items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.FileField) or value is None:
            continue
        if isinstance(field, models.ManyToManyField):
            value = [related.pk for related in value]
        elif isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = f"{value}（改）"
        data[name] = value
    return data


@pytest.mark.parametrize("model", WORKSPACE, ids=lambda m: m.__name__)
def test_workspace_records_are_read_only_in_the_admin(staff, workspace, model):
    obj = workspace[model]
    before = stored(obj)
    page = staff.get(url(obj, "change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert page.context["adminform"].model_admin.portal_note in (WORKSPACE_NOTE, PAIRING_NOTE)
    if model is not Person:  # a person may serve on several teams: no one pairing to link to
        pairing_id = obj.pk if model is Pairing else Pairing.objects.get(number=6).pk
        assert f'href="{reverse("pairing:detail", args=[pairing_id])}"' in html
    assert staff.post(url(obj, "change"), changed_form_data(obj)).status_code == 403
    assert staff.get(url(obj, "delete")).status_code == 403
    assert staff.post(url(obj, "delete"), {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:pairing_{model._meta.model_name}_changelist")
    assert "delete_selected" not in staff.get(changelist).content.decode()
    staff.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert (
        reverse(f"admin:pairing_{model._meta.model_name}_add") not in staff.get(changelist).content.decode()
    )
    assert stored(obj) == before


def test_the_pairing_history_page_does_not_revert_a_pairing(staff, workspace):
    pairing = workspace[Pairing]
    pairing.save()  # a fixture row has no history yet
    record = pairing.history.first()
    history_url = reverse("admin:pairing_pairing_simple_history", args=[pairing.pk, record.history_id])
    assert staff.get(history_url).status_code == 200
    data = {**changed_form_data(pairing), "status": "ended", "end_reason": "后台改"}
    assert staff.post(history_url, data).status_code == 403
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == ("active", "")


def test_the_pairing_page_shows_its_villages_read_only(staff, workspace):
    pairing = workspace[Pairing]
    page = staff.get(url(pairing, "change"))
    villages = next(
        f for f in page.context["inline_admin_formsets"] if f.opts.model is Pairing.villages.through
    )
    assert not (
        villages.has_add_permission or villages.has_change_permission or villages.has_delete_permission
    )
    html = page.content.decode()
    assert "新民社区（长安）" in html
    assert "Pairing_villages object" not in html and ">Area<" not in html and ">AREA<" not in html


# The registry's configuration stays editable there, with the model's checks, and keeps what is referred to.


def test_a_programme_is_saved_through_its_checks(staff):
    programme = Programme.objects.get()
    form = staff.get(url(programme, "change")).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0})
    data.update({"end_date": "2020-01-01", "first_report_month": "2024-01-15"})
    response = staff.post(url(programme, "change"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"end_date", "first_report_month"} <= set(errors)
    assert Programme.objects.get().end_date == programme.end_date


# A village of pairing 6 and an assisting school: Django would silently drop them from the pairing;
# a pairing's town and the programme: PROTECT.
@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (Area, {"name": "新民社区"}),
        (School, {"name": "东莞市机电工程学校"}),
        (Area, {"name": "长安"}),
        (Programme, {}),
    ],
)
def test_a_registry_row_that_records_refer_to_is_not_deleted(staff, model, lookup):
    obj = model.objects.get(**lookup)
    pairings = {p.pk: (set(p.villages.all()), set(p.assisting_schools.all())) for p in Pairing.objects.all()}
    page = staff.get(url(obj, "delete"))
    assert page.status_code == 200
    named = f"{capfirst(Pairing._meta.verbose_name)}: "
    assert any(str(line).startswith(named) for line in page.context["protected"]), (
        "the page names the pairings"
    )
    assert staff.post(url(obj, "delete"), {"post": "yes"}).status_code == 200
    changelist = reverse(f"admin:pairing_{model._meta.model_name}_changelist")
    staff.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert model.objects.filter(pk=obj.pk).exists()
    assert {
        p.pk: (set(p.villages.all()), set(p.assisting_schools.all())) for p in Pairing.objects.all()
    } == pairings


def test_a_registry_row_nothing_refers_to_is_deleted(staff):
    milestone = Milestone.objects.order_by("pk").first()
    village = Area.objects.create(name="新村", kind=Area.Kind.VILLAGE, parent=Area.objects.get(name="长安"))
    for obj in [milestone, village]:
        assert staff.post(url(obj, "delete"), {"post": "yes"}).status_code == 302
        assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_no_changelist_filter_grows_with_the_registry(users):
    """A list filter on towns, schools or teams would list every one of them; at 8 and at 208 pairings
    each changelist's filters offer the same number of choices."""
    from pairing.models import Programme
    from tests.factories import bulk_pairings

    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = client_for(bureau)

    def filter_choices() -> dict[str, int]:
        found = {}
        for model in admin.site._registry:
            if model._meta.app_label not in APPS:
                continue
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            response = client.get(url)
            if response.status_code == 200 and response.context and response.context.get("cl"):
                found[model.__name__] = sum(
                    len(list(spec.choices(response.context["cl"])))
                    for spec in response.context["cl"].filter_specs
                )
        return found

    small = filter_choices()
    bulk_pairings(Programme.objects.get(), range(100, 300))
    assert filter_choices() == small


def change_form_data(client: Client, obj) -> dict:
    """What the change page would post unchanged: its form's values and its inlines' saved rows."""
    page = client.get(url(obj, "change"))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        for row in formset.initial_forms:
            data.update(
                {
                    row.add_prefix(name): row[name].value()
                    for name in row.fields
                    if row[name].value() is not None
                }
            )
    return data


@pytest.mark.parametrize(
    ("model", "lookup", "field"),
    [
        (School, {"name": "东莞理工学院"}, "name"),
        (Area, {"name": "长安"}, "name"),
        (Programme, {}, "name"),
        (Indicator, {"code": "activities_held"}, "name_zh"),
        (Indicator, {"code": "activities_held"}, "name_en"),
    ],
)
# The admin's forms strip leading whitespace, so a tab or CR before "=" leaves a name that begins with "=".
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t="])
def test_a_name_that_begins_like_a_formula_is_refused_in_the_admin(
    staff, indicators, model, lookup, field, start
):
    obj = model.objects.get(**lookup)
    data = change_form_data(staff, obj)
    data[field] = f'{start}HYPERLINK("http://evil.example","点此")'
    response = staff.post(url(obj, "change"), data)
    assert response.status_code == 200, "the form is shown again, not saved"
    errors = response.context["adminform"].form.errors
    assert "名称不能以 = + - @、制表符或换行符开头" in " ".join(errors.get(field, [])), errors
    assert getattr(model.objects.get(pk=obj.pk), field) == getattr(obj, field)


def test_an_ordinary_name_is_still_saved_in_the_admin(staff):
    school = School.objects.get(name="东莞理工学院")
    data = change_form_data(staff, school)
    data["name"] = "东莞理工学院（松山湖校区）"
    assert staff.post(url(school, "change"), data).status_code == 302
    assert School.objects.get(pk=school.pk).name == "东莞理工学院（松山湖校区）"


def test_the_admin_keeps_a_school_fit_for_its_pairings_and_a_reported_indicator_as_it_is(
    staff, users, indicators
):
    """The admin saves what the portal would: a university that leads a Dongguan pairing does not
    become a vocational school, and an indicator with reported values keeps its code (the API, the
    exports and downloaded workbooks name values by it) and its kind."""
    from reporting.models import IndicatorValue
    from tests.reporting.conftest import make_report

    school = School.objects.get(name="东莞理工学院")
    data = change_form_data(staff, school)
    data["kind"] = "vocational"
    response = staff.post(url(school, "change"), data)
    assert response.status_code == 200 and "kind" in response.context["adminform"].form.errors
    assert School.objects.get(pk=school.pk).kind == "university"

    indicator = Indicator.objects.get(code="activities_held")
    IndicatorValue.objects.create(report=make_report(users["liaison"]), indicator=indicator, value=3)
    data = change_form_data(staff, indicator)
    data.update({"code": "activities", "kind": "decimal"})
    response = staff.post(url(indicator, "change"), data)
    errors = response.context["adminform"].form.errors
    assert response.status_code == 200 and {"code", "kind"} <= set(errors), errors
    assert "该指标已有填报数值，其代码不能再修改。" in " ".join(errors["code"])
    assert Indicator.objects.get(pk=indicator.pk).code == "activities_held"
    data = change_form_data(staff, indicator)
    data["name_zh"] = "开展活动场次（含线上）"
    assert staff.post(url(indicator, "change"), data).status_code == 302, "other fields still change"


def test_the_rules_that_decide_reported_months_are_fixed_once_reports_are_on_record(staff, users):
    """A due day, first report month or reporters changed in the admin rewrote every month already
    reported (28 → 5 made every report late); an end moved back dropped reported months; a work
    category renamed or deleted hid the reports' text under it. Once reports exist: shown without
    a field, refused, or kept."""
    from pairing.models import WorkCategory
    from tests.reporting.conftest import make_report

    programme = Programme.objects.get()
    before = (programme.report_due_day, programme.first_report_month, programme.reporters)
    editable = set(change_form_data(staff, programme))
    assert {"report_due_day", "first_report_month", "reporters"} <= editable, "no reports yet: editable"
    category = WorkCategory.objects.create(
        programme=programme, code="culture", name_zh="文化", name_en="Culture"
    )
    report = make_report(users["liaison"])
    report.narratives = {"culture": "开展文化活动"}
    report.save()

    data = change_form_data(staff, programme)
    assert not {"report_due_day", "first_report_month", "reporters"} & set(data)
    page = staff.get(url(programme, "change")).content.decode()
    assert "已有月报后，报送截止日、首个报送月份和报送学校范围即固定" in page
    data.update({"report_due_day": 5, "first_report_month": "2026-06-01", "reporters": "lead"})
    data["end_date"] = "2024-01-31"
    response = staff.post(url(programme, "change"), data)
    assert response.status_code == 200
    assert "项目最早可于" in " ".join(response.context["adminform"].form.errors["end_date"])
    del data["end_date"]
    assert staff.post(url(programme, "change"), data).status_code == 302, "the rest still saves"
    programme.refresh_from_db()
    assert (programme.report_due_day, programme.first_report_month, programme.reporters) == before

    # A category added on the programme's page still gets a code; a saved one keeps its own.
    data = change_form_data(staff, programme)
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS") and "categor" in key).rsplit("-", 1)[0]
    saved = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update({f"{prefix}-TOTAL_FORMS": saved + 1, f"{prefix}-{saved}-code": "sports"})
    data.update({f"{prefix}-{saved}-name_zh": "体育", f"{prefix}-{saved}-name_en": "Sports"})
    data.update({f"{prefix}-{saved}-order": 9, f"{prefix}-{saved}-programme": programme.pk})
    data.update({f"{prefix}-{index}-code": "renamed" for index in range(saved)})
    assert staff.post(url(programme, "change"), data).status_code == 302
    assert WorkCategory.objects.filter(programme=programme, code="sports").exists()
    assert WorkCategory.objects.filter(pk=category.pk, code="culture").exists(), "a saved code is kept"
    assert "code" not in change_form_data(staff, category)
    page = staff.get(url(category, "delete"))
    assert "有1份月报在“文化”下填写了工作进展。" in [str(line) for line in page.context["protected"]]
    staff.post(url(category, "delete"), {"post": "yes"})
    assert WorkCategory.objects.filter(pk=category.pk).exists()


def test_an_area_that_pairings_refer_to_stays_where_it_is_and_a_town_has_a_parent(staff):
    """长安 moved under 宜宾市 in the admin was saved, and the next import of Dongguan's table would
    have added a second 长安; a town or village with no parent was saved too."""
    changan = Area.objects.get(name="长安")
    elsewhere = Area.objects.create(name="翠屏区", kind=Area.Kind.DISTRICT)
    data = change_form_data(staff, changan)
    data["parent"] = elsewhere.pk
    response = staff.post(url(changan, "change"), data)
    assert response.status_code == 200
    message = "第6对结对位于长安：它须留在项目覆盖区域东莞市之内。"
    assert message in " ".join(response.context["adminform"].form.errors["parent"])
    assert Area.objects.get(pk=changan.pk).parent.name == "东莞市"
    # Within the programme's area it moves; an area holding it does not move out either.
    district = Area.objects.create(name="测试片区", kind=Area.Kind.DISTRICT, parent=changan.parent)
    data = change_form_data(staff, changan)
    data["parent"] = district.pk
    assert staff.post(url(changan, "change"), data).status_code == 302
    data = change_form_data(staff, district)
    data["parent"] = Area.objects.create(name="宜宾市", kind=Area.Kind.CITY).pk
    response = staff.post(url(district, "change"), data)
    assert response.status_code == 200 and "第6对结对位于测试片区" in str(
        response.context["adminform"].form.errors
    )
    assert Area.objects.get(pk=district.pk).parent.name == "东莞市"
    add = reverse("admin:pairing_area_add")
    response = staff.post(
        add, {"name": "测试镇", "kind": Area.Kind.TOWN, "parent": "", **inline_management()}
    )
    assert response.status_code == 200 and "须属于上级区域" in str(response.context["adminform"].form.errors)
    assert not Area.objects.filter(name="测试镇").exists()


def inline_management() -> dict:
    return {f"children-{name}": value for name, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()}


def test_a_programmes_team_minimum_is_at_least_one(staff):
    programme = Programme.objects.get()
    data = change_form_data(staff, programme)
    data["min_team_size"] = 0
    response = staff.post(url(programme, "change"), data)
    assert response.status_code == 200 and "min_team_size" in response.context["adminform"].form.errors
    assert Programme.objects.get().min_team_size == programme.min_team_size


def test_the_search_of_indicator_values_finds_what_djangos_own_search_finds(staff, users, indicators):
    """The values' search looks the words up in the schools and the indicators first (1.19 M values at
    province scale took seconds joined): it finds the same values as Django's own search."""
    from django.contrib import admin as django_admin
    from django.contrib.admin import ModelAdmin
    from django.test import RequestFactory

    from reporting.models import IndicatorValue
    from reporting.services import report_save_draft
    from tests.reporting.conftest import make_report

    for role, school in (("liaison", "东莞理工学院"), ("assisting_liaison", "东莞市机电工程学校")):
        report = make_report(users[role], school=school)
        report_save_draft(
            report=report, user=users[role], values={"activities_held": "2", "residency_days": "3"}
        )
    model_admin = django_admin.site._registry[IndicatorValue]
    request = RequestFactory().get("/")
    for term in ("东莞理工", "机电 驻点", '"理工学院"', "没有这所学校", "开展"):
        ours, _ = model_admin.get_search_results(request, IndicatorValue.objects.all(), term)
        theirs, _ = ModelAdmin.get_search_results(model_admin, request, IndicatorValue.objects.all(), term)
        assert sorted(ours.values_list("pk", flat=True)) == sorted(theirs.values_list("pk", flat=True)), term
    found, _ = model_admin.get_search_results(request, IndicatorValue.objects.all(), "机电 驻点")
    assert [(v.report.school.name, v.indicator.code) for v in found] == [
        ("东莞市机电工程学校", "residency_days")
    ]
    assert staff.get("/admin/reporting/indicatorvalue/", {"q": "东莞理工"}).status_code == 200


def test_a_report_reads_in_the_admin_as_on_its_page(staff, users, indicators):
    """The admin's read-only report: each kind of cooperation by its name (not the stored JSON with
    its English codes), values as the portal writes them, and each version's action in words."""
    import datetime
    from zoneinfo import ZoneInfo

    from pairing.models import WorkCategory
    from reporting.models import ReportVersion
    from reporting.services import report_save_draft, report_submit
    from tests.reporting.conftest import make_report

    programme = Programme.objects.get()
    WorkCategory.objects.create(programme=programme, code="culture", name_zh="文化振兴", name_en="Culture")
    report = make_report(users["liaison"])
    report_save_draft(
        report=report,
        user=users["liaison"],
        values={"activities_held": "20", "residency_days": "9"},
        narratives={"culture": "开展文化活动"},
    )
    report_submit(
        report=report,
        user=users["liaison"],
        now=datetime.datetime(2024, 2, 20, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    page = staff.get(url(report, "change")).content.decode()
    assert "<strong>文化振兴</strong>：开展文化活动" in page and '"culture"' not in page
    assert ">20<" in page and "20.00" not in page
    versions = staff.get(reverse("admin:reporting_reportversion_changelist")).content.decode()
    assert ">已报送<" in versions and ">report.submitted<" not in versions
    version = ReportVersion.objects.filter(report=report, action="report.submitted").get()
    assert ">report.submitted<" not in staff.get(url(version, "change")).content.decode()


def test_the_admin_index_reads_in_chinese_to_a_screen_reader_too(staff):
    """The index's table headers are hidden but read out; Django's own catalog leaves them in English."""
    page = staff.get(reverse("admin:index")).content.decode()
    assert "模型名称" in page and "修改或查看列表链接" in page
    assert "Model name" not in page and "Change or view list link" not in page
