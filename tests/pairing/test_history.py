"""Every change to the registry is in the history: who, when, what."""

import pytest
from django.test import Client

from pairing.models import Area, Pairing

pytestmark = pytest.mark.django_db


def test_a_change_in_the_admin_is_recorded_with_its_user(users):
    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = Client()
    client.force_login(bureau)
    pairing = Pairing.objects.get(number=6)
    form = client.get(f"/admin/pairing/pairing/{pairing.pk}/change/").context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"status": "adjusted", "assisting_schools": [s.pk for s in pairing.assisting_schools.all()]})
    for prefix in ["Pairing_villages-", "agreement-", "practice_bases-", "meetings-"]:
        data.update({f"{prefix}TOTAL_FORMS": 0, f"{prefix}INITIAL_FORMS": 0})
    data.update({"Pairing_villages-TOTAL_FORMS": 1, "Pairing_villages-INITIAL_FORMS": 0})
    data["Pairing_villages-0-area"] = Area.objects.get(name="石鼓").pk
    response = client.post(f"/admin/pairing/pairing/{pairing.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    latest = pairing.history.first()
    assert latest.history_user == bureau
    assert latest.status == "adjusted"
    assert {v.area.name for v in latest.villages.all()} == {"新民社区", "石鼓"}
    before = pairing.history.filter(history_user=None).first()  # the newest record before the admin's
    changes = {change.field for change in latest.diff_against(before).changes}
    assert changes == {"status", "villages"}


def test_a_model_change_outside_a_request_is_recorded_too(dongguan):
    village = Area.objects.get(name="石鼓")
    village.name = "石鼓社区"
    village.save()
    record = village.history.get()  # loading the fixture writes no history: this change is the first
    assert (record.history_type, record.name, record.history_user) == ("~", "石鼓社区", None)
    village.name = "石鼓"
    village.save()
    assert village.history.first().prev_record == record
