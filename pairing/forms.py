"""Forms of the liaison workspace. They only collect and type-check input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Membership, Person
from .services import pairing_schools, residency_places


class MembershipForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    school = forms.TypedChoiceField(label=_("School"), coerce=int)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    is_school_leader = forms.BooleanField(label=_("School-level leader"), required=False)
    title_grade = forms.ChoiceField(label=_("Title grade"), choices=Person.TitleGrade.choices)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {school.pk: school for school in pairing_schools(pairing)}
        self.fields["school"].choices = [(pk, school.name) for pk, school in self.schools.items()]

    def clean_school(self):
        return self.schools[self.cleaned_data["school"]]


class ResidencyForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day of residency"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Last day of residency"), widget=forms.DateInput(attrs={"type": "date"})
    )
    people = forms.ModelMultipleChoiceField(
        label=_("Team members"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    place = forms.TypedChoiceField(label=_("Town or village"), coerce=int)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.filter(memberships__team__pairing=pairing).order_by(
            "name"
        )
        self.places = {area.pk: area for area in residency_places(pairing)}
        self.fields["place"].choices = [(pk, area.name) for pk, area in self.places.items()]

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]
