"""Forms of the liaison workspace. They only collect and type-check input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.ids import plain_digits

from .models import Agreement, Membership, PairingReview, Person, PracticeBase, Residency
from .services import pairing_schools, residency_places

PHONE = RegexValidator(
    r"^\+?[0-9][0-9 ()（）-]{4,24}$",
    _("Enter a phone number: digits, with spaces, brackets, “-” or a leading “+” if you like."),
)


class PortalForm(forms.Form):
    """Bootstrap classes on every widget, so templates render fields with `as_widget`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.DateInput):
                # A date input shows only ISO dates; the locale's format (2024/01/23 in Chinese)
                # would leave it empty, and saving the form would then clear the date.
                widget.format = "%Y-%m-%d"
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
                continue
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class MemberDetailsForm(PortalForm):
    """What is kept about a team member, whether added or edited."""

    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    is_school_leader = forms.BooleanField(label=_("School-level leader"), required=False)
    title_grade = forms.ChoiceField(
        label=_("Title grade"), choices=[("", _("Choose…")), *Person.TitleGrade.choices]
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    joined_on = forms.DateField(
        label=_("On the team since"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MembershipForm(MemberDetailsForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    school = forms.TypedChoiceField(label=_("School"), coerce=int)
    field_order = ["name", "school", "role"]

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Membership.Role.MEMBER
        self.schools = {school.pk: school for school in pairing_schools(pairing)}
        self.fields["school"].choices = [(pk, school.name) for pk, school in self.schools.items()]

    def clean_school(self):
        return self.schools[self.cleaned_data["school"]]


class ResidencyForm(PortalForm):
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

    def clean(self):
        """The dates' order is said with the fields' own errors (a member not ticked), not on the
        next submit: the residency's own check (Residency.clean)."""
        data = super().clean()
        try:
            Residency(start_date=data.get("start_date"), end_date=data.get("end_date")).clean()
        except ValidationError as error:
            self.add_error(None, error)
        return data


class MeetingForm(PortalForm):
    held_on = forms.DateField(label=_("Date held"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)


class AnnualPlanForm(PortalForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    content = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 8}))
    decided_at = forms.TypedChoiceField(
        label=_("Decided at joint meeting"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {meeting.pk: meeting for meeting in pairing.meetings.all()}
        self.fields["decided_at"].choices = [("", "—")] + [
            (pk, str(m.held_on)) for pk, m in self.meetings.items()
        ]
        year = timezone.localdate().year
        self.fields["year"].initial = year
        # This year's plan, if saved, is the form's text: saving is then a correction of it, not a
        # blank form that silently replaces it.
        saved = next((plan for plan in pairing.annual_plans.all() if plan.year == year), None)
        if saved is not None and not self.is_bound:
            self.initial.update(content=saved.content, decided_at=saved.decided_at_id)

    def clean_decided_at(self):
        value = self.cleaned_data["decided_at"]
        return self.meetings.get(value) if value else None

    def clean(self):
        data = super().clean()
        year, meeting = data.get("year"), data.get("decided_at")
        if year and meeting and meeting.held_on.year not in (year - 1, year):
            self.add_error(
                "decided_at",
                _("The %(year)s plan is decided at a meeting held in %(before)s or %(year)s.")
                % {"year": year, "before": year - 1},
            )
        return data


class AgreementForm(PortalForm):
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    university_signatory = forms.CharField(
        label=_("Signatory for the university"), max_length=100, required=False
    )
    vocational_signatory = forms.CharField(
        label=_("Signatory for the vocational school"), max_length=100, required=False
    )
    town_signatory = forms.CharField(label=_("Signatory for the town"), max_length=100, required=False)
    scanned_file = forms.FileField(
        label=_("Scanned agreement (PDF, JPG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, pairing, **kwargs):
        agreement = Agreement.objects.filter(pairing=pairing).first()
        if agreement and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(agreement, name)
                for name in [
                    "signed_on",
                    "university_signatory",
                    "vocational_signatory",
                    "town_signatory",
                    "note",
                ]
            }
        super().__init__(*args, **kwargs)
        # The counterpart by the programme's own name for it (a town, a county, ...).
        self.fields["town_signatory"].label = _("Signatory for the %(counterpart)s") % {
            "counterpart": pairing.programme.counterpart_name.lower()
        }


class PracticeBaseForm(PortalForm):
    name = forms.CharField(label=_("Name of the base"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of base"),
        choices=PracticeBase.Kind.choices,
        initial=PracticeBase.Kind.PRACTICE,
        required=False,
    )
    place = forms.TypedChoiceField(label=_("Place"), coerce=int, required=False, empty_value=None)
    established_on = forms.DateField(
        label=_("Established on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {area.pk: area for area in residency_places(pairing)}
        self.fields["place"].choices = [("", "—")] + [(pk, area.name) for pk, area in self.places.items()]

    def clean_place(self):
        value = self.cleaned_data["place"]
        return self.places.get(value) if value else None

    def clean_kind(self):
        return self.cleaned_data["kind"] or PracticeBase.Kind.PRACTICE


class ReviewForm(PortalForm):
    subject = forms.ChoiceField(label=_("What is reviewed"), choices=PairingReview.Subject.choices)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("Choose…")), *PairingReview.Decision.choices]
    )
    comment = forms.CharField(
        label=_("Comment for the liaison"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)


class SuggestInput(forms.Widget):
    """A record picked by typing its name (static/portal/suggest.js fills a datalist from `url` and
    puts the chosen one's id in the hidden field): never the whole registry in a <select>. Without
    the script the name alone is sent, and the field looks it up."""

    def __init__(self, url: str, name_of, attrs=None):
        super().__init__(attrs)
        self.url, self.name_of = url, name_of

    def value_from_datadict(self, data, files, name):
        return {"id": data.get(name, ""), "text": data.get(f"{name}_q", "")}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and f"{name}_q" not in data

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if isinstance(value, dict):
            pk, text = value.get("id", ""), value.get("text", "")
        else:
            pk, text = value or "", self.name_of(value) if value else ""
        return format_html(
            '<input type="search" name="{}_q" id="{}" class="{}" value="{}" autocomplete="off" list="{}-list"'
            ' data-suggest="{}" data-suggest-id="{}-id" placeholder="{}"{}>'
            '<datalist id="{}-list"></datalist><input type="hidden" name="{}" id="{}-id" value="{}">',
            name,
            attrs.get("id", f"id_{name}"),
            attrs.get("class", "form-control"),
            text,
            attrs.get("id", f"id_{name}"),
            self.url,
            attrs.get("id", f"id_{name}"),
            _("Type to search"),
            format_html(' data-for-action="{}"', attrs["data-for-action"])
            if "data-for-action" in attrs
            else "",
            attrs.get("id", f"id_{name}"),
            name,
            attrs.get("id", f"id_{name}"),
            pk,
        )


class SuggestField(forms.Field):
    """The field of a SuggestInput: the record chosen, found among `queryset` by its id, or by its
    exact name when only the name came (no script); anything else is refused with `invalid`."""

    def __init__(self, *, queryset, url: str, invalid: str, **kwargs):
        self.queryset, self.invalid = queryset, invalid
        super().__init__(widget=SuggestInput(url, self.name_of), **kwargs)

    def name_of(self, pk) -> str:
        found = (
            self.queryset.filter(pk=pk).values_list("name", flat=True).first()
            if plain_digits(str(pk)) and len(str(pk)) < 19
            else None
        )
        return found or ""

    def to_python(self, value):
        value = value or {}
        pk, text = str(value.get("id", "")).strip(), str(value.get("text", "")).strip()
        if not pk and not text:
            return None
        found = (
            list(self.queryset.filter(pk=int(pk))[:1])
            if plain_digits(pk) and len(pk) < 19
            else list(self.queryset.filter(name=text)[:2])
        )
        if len(found) != 1:
            raise ValidationError(self.invalid)
        return found[0]


class AdjustmentForm(PortalForm):
    ACTIONS = [
        ("end", _("End the pairing")),
        ("replace_school", _("Replace a school")),
        ("add_village", _("Add a village")),
        ("remove_village", _("Remove a village")),
    ]
    # Nothing chosen first: ending the pairing, the first of them, is the one that cannot be undone.
    action = forms.ChoiceField(label=_("Adjustment"), choices=[("", _("Choose…")), *ACTIONS])
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    old = forms.TypedChoiceField(label=_("School to replace"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(
        label=_("Reason (kept in the history)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, pairing, **kwargs):
        from .selectors import programme_schools, programme_villages
        from .services import earliest_end

        super().__init__(*args, **kwargs)
        programme = pairing.programme
        earliest, month = earliest_end(pairing)
        self.fields["end_date"].widget.attrs["min"] = earliest.isoformat()
        if month is not None:
            self.fields["end_date"].help_text = _(
                "%(date)s at the earliest: %(month)s is due or reported already, and the months "
                "reported stay as they were."
            ) % {"date": earliest, "month": month}
        # The schools and villages of the pairing's programme, found by typing (at province scale a
        # programme has thousands of each).
        self.fields["new"] = SuggestField(
            label=_("Replaced by"),
            required=False,
            queryset=programme_schools(programme),
            url=f"{reverse('pairing:school_choices')}?programme={programme.pk}",
            invalid=_("Choose a school of this programme from the list."),
            help_text=_(
                "The school replaced still reports for this month and every month before; the new "
                "school reports from next month."
            ),
        )
        self.fields["village"] = SuggestField(
            label=_("Village or community"),
            required=False,
            queryset=programme_villages(programme),
            url=f"{reverse('pairing:village_choices')}?programme={programme.pk}",
            invalid=_("Choose a village or community of this programme's area from the list."),
        )
        self.order_fields(["action", "end_date", "old", "new", "village", "reason"])
        self.current = {s.pk: s for s in pairing_schools(pairing)}
        self.fields["old"].choices = [("", "—"), *[(pk, s.name) for pk, s in self.current.items()]]
        # Which adjustment each field belongs to: the page shows only the chosen one's fields.
        for name, actions in {
            "end_date": "end",
            "old": "replace_school",
            "new": "replace_school",
            "village": "add_village remove_village",
        }.items():
            self.fields[name].widget.attrs["data-for-action"] = actions

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {"end": ["end_date"], "replace_school": ["old", "new"]}.get(action, ["village"])
        for name in required:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required for this adjustment."))
        if data.get("old"):
            data["old"] = self.current[data["old"]]
        return data


class MembershipEditForm(MemberDetailsForm):
    def __init__(self, *args, pairing, membership, **kwargs):
        person = membership.person
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "position": person.position,
                "is_school_leader": person.is_school_leader,
                "title_grade": person.title_grade,
                "phone": person.phone,
                "email": person.email,
                "joined_on": membership.joined_on,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["joined_on"].help_text = ""
