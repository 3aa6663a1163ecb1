"""The filters of the achievements page: kind, year or fiscal year, member."""

from django import forms
from django.utils.translation import gettext_lazy as _

from publications.models import MAX_YEAR, MIN_YEAR
from research.models import Member


class AchievementFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[
            ("", _("All")),
            ("presentation", _("Presentations")),
            ("award", _("Awards")),
            ("patent", _("Patents")),
        ],
    )
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (April–March)"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    member = forms.ChoiceField(label=_("Member"), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.members = members
        else:
            self.members = self._members()
        self.fields["member"].choices = [("", _("All members"))] + [
            (slug, member.full_name()) for slug, member in self.members.items()
        ]

    @staticmethod
    def _members():
        members = (
            Member.objects.published()
            .filter(person__isnull=False)
            .only(
                "slug",
                "person_id",
                "family_name_ja",
                "given_name_ja",
                "family_name_en",
                "given_name_en",
            )
            .order_by("position", "pk")
        )
        return {member.slug: member for member in members}

    def values(self):
        """The valid filters ({} for none), and the labels of those not understood."""
        if not self.is_bound:
            return {}, []
        self.is_valid()
        ignored = [(self.fields[name].label, self.data.get(name, "")) for name in self.errors]
        values = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        if "member" in values:
            values["member"] = self.members[values["member"]]
        return values, ignored

    def shown(self, values):
        """The form to draw: the filters understood, without the values that were not
        (a page never shows back a value it ignored, nor errors it does not list)."""
        initial = {**values}
        if "member" in initial:
            initial["member"] = initial["member"].slug
        return AchievementFilterForm(initial=initial, members=self.members)
