"""A town or county liaison reads every pairing at or below their area, and nothing beside it: the
same answer from the pairing list, the report list, the detail pages and the policy."""

import pytest
from django.core.exceptions import ValidationError

from core.policy import can
from pairing.models import Area, Pairing
from pairing.selectors import pairings_visible_to
from reporting.selectors import reports_visible_to
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_liaison(users):
    """东莞 has no counties; a district is put between the city and 长安 for the test."""
    changan = Area.objects.get(name="长安", kind__in=Area.TOWN_KINDS)
    district = Area.objects.create(name="测试片区", kind=Area.Kind.DISTRICT, parent=changan.parent)
    changan.parent = district
    changan.save()
    liaison = users["town_liaison"]  # 长安's own liaison, moved up to the district
    liaison.profile.town = district
    liaison.profile.full_clean()
    liaison.profile.save()
    return liaison, changan


def test_a_district_liaison_reads_the_pairings_of_the_towns_below(district_liaison, users, indicators):
    from tests.reporting.conftest import make_report

    liaison, changan = district_liaison
    below = set(Pairing.objects.filter(town=changan).values_list("pk", flat=True))
    assert below and set(pairings_visible_to(liaison).values_list("pk", flat=True)) == below

    report = make_report(users["liaison"])
    reports = set(reports_visible_to(liaison).values_list("pk", flat=True))
    assert (report.pk in reports) == (report.pairing.town_id == changan.pk)
    assert all(pk in below for pk in reports_visible_to(liaison).values_list("pairing_id", flat=True))

    client = client_for(liaison)
    for pairing in Pairing.objects.all():
        inside = pairing.pk in below
        assert can(liaison, "pairing.view", pairing) is inside
        assert client.get(f"/pairings/{pairing.pk}/").status_code == (200 if inside else 404)


def test_a_liaison_acts_for_a_town_or_a_county_not_a_city_or_a_village(users):
    profile = users["town_liaison"].profile
    for kind, allowed in [(Area.Kind.CITY, False), (Area.Kind.VILLAGE, False), (Area.Kind.COUNTY, True)]:
        profile.town = Area.objects.filter(kind=kind).first() or Area.objects.create(
            name=f"测试{kind}", kind=kind
        )
        if allowed:
            profile.full_clean()
        else:
            with pytest.raises(ValidationError):
                profile.full_clean()
