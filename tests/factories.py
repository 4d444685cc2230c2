"""factory_boy factories for the registry."""

import datetime

import factory

from pairing.apps import expectations_changed
from pairing.models import Area, Membership, Pairing, Person, Programme, School, ServiceTeam


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    city = "东莞市"
    start_date = datetime.date(2023, 12, 29)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"测试镇{n}")
    kind = Area.Kind.TOWN


class VillageFactory(AreaFactory):
    name = factory.Sequence(lambda n: f"测试村{n}")
    kind = Area.Kind.VILLAGE
    parent = factory.SubFactory(AreaFactory)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"测试学校{n}")
    kind = School.Kind.VOCATIONAL


class UniversityFactory(SchoolFactory):
    name = factory.Sequence(lambda n: f"测试大学{n}")
    kind = School.Kind.UNIVERSITY


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    lead_university = factory.SubFactory(UniversityFactory)
    town = factory.SubFactory(AreaFactory)
    start_date = datetime.date(2024, 1, 1)

    @factory.post_generation
    def with_parties(self, create, extracted, **kwargs):
        """Every pairing gets one assisting school and one village of its town, as in the table."""
        if create:
            self.assisting_schools.add(SchoolFactory())
            self.villages.add(VillageFactory(parent=self.town))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"队员{n}")
    school = factory.SubFactory(SchoolFactory)
    title_grade = Person.TitleGrade.INTERMEDIATE


class ServiceTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTeam

    pairing = factory.SubFactory(PairingFactory)
    name = factory.Sequence(lambda n: f"服务工作队{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(ServiceTeamFactory)
    person = factory.SubFactory(PersonFactory)
    role = Membership.Role.MEMBER


def bulk_pairings(programme: Programme, numbers, *, start_date=datetime.date(2024, 1, 1)) -> list[Pairing]:
    """PairingFactory's pairings (a new university and town, one new assisting school, one new
    village of the town), made in six queries instead of ~20 each: for tests that need hundreds
    only to count a page's queries. Like any bulk_create, it writes no history records."""
    numbers = list(numbers)
    universities = School.objects.bulk_create(UniversityFactory.build() for _ in numbers)
    assisting = School.objects.bulk_create(SchoolFactory.build() for _ in numbers)
    towns = Area.objects.bulk_create(AreaFactory.build() for _ in numbers)
    villages = Area.objects.bulk_create(VillageFactory.build(parent=town) for town in towns)
    pairings = Pairing.objects.bulk_create(
        Pairing(
            programme=programme, number=number, lead_university=university, town=town, start_date=start_date
        )
        for number, university, town in zip(numbers, universities, towns, strict=True)
    )
    Pairing.assisting_schools.through.objects.bulk_create(
        Pairing.assisting_schools.through(pairing=pairing, school=school)
        for pairing, school in zip(pairings, assisting, strict=True)
    )
    Pairing.villages.through.objects.bulk_create(
        Pairing.villages.through(pairing=pairing, area=village)
        for pairing, village in zip(pairings, villages, strict=True)
    )
    expectations_changed()  # bulk_create sends no signals: say the pairings changed, as a save would
    return pairings
