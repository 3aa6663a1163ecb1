"""The publications list's search box and filters, read from the query string.

Every filter lives in the URL, so any view of the list can be shared. Filters
combine and never reset each other. A value that does not parse or names
nothing (an unknown keyword, a year of 99999, a page of "abc") is ignored and
reported to the visitor, never an error page.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import MAX_YEAR, MIN_YEAR, Keyword, Person, Publication
from .search import SearchQuery

MAX_QUERY_LENGTH = 200


class PublicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=10_000, strip=True)
    keyword = forms.SlugField(label=_("Keyword"), required=False)
    theme = forms.SlugField(label=_("Research theme"), required=False)
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    year_to = forms.IntegerField(
        label=_("To year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Publication.Type.choices]
    )
    author = forms.SlugField(label=_("Author"), required=False)
    lab = forms.BooleanField(label=_("Lab members only"), required=False)


@dataclass
class PublicationFilter:
    """The parsed state of the list: what to show, and what was ignored."""

    values: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)
    keyword: Keyword | None = None
    author: Person | None = None
    theme: object | None = None

    @property
    def q(self):
        return self.values.get("q", "")

    @cached_property
    def search_query(self):
        """`q` parsed, once: every search of one request shares its prefix expansion."""
        return SearchQuery.parse(self.q)

    @property
    def active(self):
        return any(v not in (None, "", False) for v in self.values.values())

    @property
    def narrowed(self):
        """Whether a filter besides the search box narrows the list (apply_filters)."""
        return any(v not in (None, "", False) for k, v in self.values.items() if k != "q")


class ThemeProvider:
    """How the publications list learns about research themes without importing them.

    `publications` must not import `research`; the research app registers a
    provider in its AppConfig.ready() (see research/apps.py).
    """

    def choices(self):
        """[(slug, title)] of the published themes, in display order."""
        return []

    def lookup(self, slug, include_unpublished=False):
        """The theme with this slug, or None."""
        return None

    def publication_ids(self, theme):
        """A queryset of the ids of the theme's publications (representative or by keyword)."""
        return Publication.objects.none().values("pk")

    def themes_for_publication(self, publication):
        """The published themes a paper belongs to."""
        return []

    def themes_for_keyword(self, keyword):
        """The published themes that use a keyword."""
        return []


theme_provider = ThemeProvider()


def register_theme_provider(provider):
    global theme_provider
    theme_provider = provider


def parse_filters(params: QueryDict, include_unpublished=False) -> PublicationFilter:
    """Read the query string into a PublicationFilter; never raises on bad input."""
    data = {name: params.get(name, "") for name in PublicationFilterForm.base_fields}
    form = PublicationFilterForm(data)
    form.is_valid()
    state = PublicationFilter()
    for name, bound in form.fields.items():
        if name in form.errors:
            state.ignored.append((bound.label, data[name][:50]))
            continue
        state.values[name] = form.cleaned_data.get(name)
    state.values["q"] = (state.values.get("q") or "")[:MAX_QUERY_LENGTH].replace("\x00", "")
    if state.values.get("keyword"):
        state.keyword = Keyword.objects.filter(slug=state.values["keyword"]).first()
        if state.keyword is None:
            state.ignored.append((_("Keyword"), state.values.pop("keyword")))
    if state.values.get("author"):
        state.author = Person.objects.filter(slug=state.values["author"]).first()
        if state.author is None:
            state.ignored.append((_("Author"), state.values.pop("author")))
    if state.values.get("theme"):
        state.theme = theme_provider.lookup(state.values["theme"], include_unpublished)
        if state.theme is None:
            state.ignored.append((_("Research theme"), state.values.pop("theme")))
    return state


def apply_filters(queryset, state: PublicationFilter, search=True):
    """Narrow a Publication queryset by the parsed filters (the search last, unless
    `search` is False: the list pages a search itself, as a PublicationSearch)."""
    values = state.values
    if state.keyword is not None:
        queryset = queryset.filter(keywords=state.keyword)
    if state.theme is not None:
        queryset = queryset.filter(pk__in=theme_provider.publication_ids(state.theme))
    if values.get("year"):
        queryset = queryset.filter(year=values["year"])
    if values.get("year_from"):
        queryset = queryset.filter(year__gte=values["year_from"])
    if values.get("year_to"):
        queryset = queryset.filter(year__lte=values["year_to"])
    if values.get("type"):
        queryset = queryset.filter(type=values["type"])
    if state.author is not None:
        queryset = queryset.filter(authorships__person=state.author)
    if values.get("lab"):
        queryset = queryset.with_lab_members()
    if search and state.q:
        queryset = queryset.search(state.search_query)
    return queryset
