"""Every change to the registry is in the history: who, when, what."""

import pytest

from pairing.models import Area, School
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_a_change_in_the_admin_is_recorded_with_its_user(users):
    """Registry configuration is changed in the admin (pairings only in the portal): the history says who."""
    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = client_for(bureau)
    school = School.objects.get(name="东莞理工学院")
    form = client.get(f"/admin/pairing/school/{school.pk}/change/").context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["short_name"] = "莞工"
    response = client.post(f"/admin/pairing/school/{school.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    latest = school.history.first()
    assert (latest.history_user, latest.history_type, latest.short_name) == (bureau, "~", "莞工")


def test_a_model_change_outside_a_request_is_recorded_too(dongguan):
    village = Area.objects.get(name="石鼓")
    village.name = "石鼓社区"
    village.save()
    record = village.history.get()  # loading the fixture writes no history: this change is the first
    assert (record.history_type, record.name, record.history_user) == ("~", "石鼓社区", None)
    village.name = "石鼓"
    village.save()
    assert village.history.first().prev_record == record
