"""The achievement list's filters: years or a fiscal year, a lab member, the type, the
list flags and the language. Read from the query string, so a list is a URL staff can
keep and open again next year with another year."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import MAX_YEAR, MIN_YEAR, Person, Publication
from .base import STYLES

FLAG_CHOICES = [
    ("", _("Any")),
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unknown", _("Not recorded")),
]


def _year(label, help_text=""):
    # A text box: a number box cannot show back a refused value such as "abc" (the page
    # redraws what was typed, with its error, and <input type=number value=abc> is invalid).
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
    )


class AchievementFilterForm(forms.Form):
    year_from = _year(_("From year"))
    year_to = _year(_("To year"))
    fiscal_year = _year(
        _("Fiscal year"),
        _(
            "April to March: fiscal year 2025 is 1 April 2025 to 31 March 2026. A paper with"
            " a year and no month counts in the fiscal year of its year."
        ),
    )
    member = forms.ChoiceField(label=_("Lab member"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Publication.Type.choices]
    )
    peer_reviewed = forms.ChoiceField(
        label=_("Peer-reviewed"), required=False, choices=FLAG_CHOICES
    )
    invited = forms.ChoiceField(label=_("Invited"), required=False, choices=FLAG_CHOICES)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any")), *Publication.Language.choices],
    )
    hidden = forms.BooleanField(
        label=_("Include papers hidden from the site"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    style = forms.ChoiceField(
        label=_("Citation style"), required=False, choices=list(STYLES.items())
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = Person.objects.lab_members().names_only()
        self.fields["member"].choices = [
            ("", _("All")),
            *((person.slug, str(person)) for person in members),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first year comes after the last."))
        return cleaned

    @property
    def chosen_style(self):
        return (self.is_valid() and self.cleaned_data.get("style")) or next(iter(STYLES))


def fiscal_year_q(year):
    """Papers of the Japanese fiscal year `year`: April `year` to March `year + 1`; a
    paper with only a year counts in the fiscal year of that year."""
    return (
        Q(year=year, month__gte=4)
        | Q(year=year, month__isnull=True)
        | Q(year=year + 1, month__lte=3)
    )


def _flag(queryset, name, value):
    if value == "yes":
        return queryset.filter(**{name: True})
    if value == "no":
        return queryset.filter(**{name: False})
    if value == "unknown":
        return queryset.filter(**{f"{name}__isnull": True})
    return queryset


def papers(data):
    """The papers the valid form's `cleaned_data` selects, newest first."""
    queryset = Publication.objects.all()
    if not data.get("hidden"):
        queryset = queryset.published()
    if data.get("year_from"):
        queryset = queryset.filter(year__gte=data["year_from"])
    if data.get("year_to"):
        queryset = queryset.filter(year__lte=data["year_to"])
    if data.get("fiscal_year"):
        queryset = queryset.filter(fiscal_year_q(data["fiscal_year"]))
    if data.get("member"):
        queryset = queryset.filter(
            authorships__person__slug=data["member"], authorships__person__is_lab_member=True
        )
    if data.get("type"):
        queryset = queryset.filter(type=data["type"])
    queryset = _flag(queryset, "peer_reviewed", data.get("peer_reviewed"))
    queryset = _flag(queryset, "invited", data.get("invited"))
    if data.get("language"):
        queryset = queryset.filter(language=data["language"])
    return queryset.newest_first()
