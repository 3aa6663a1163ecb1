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
from .translated import active_language

MAX_QUERY_LENGTH = 200


def year_field(label):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class PublicationFilterForm(forms.Form):
    """The search box and the filters: read from the query string (`parse_filters`) and
    drawn on the list page with their choices (`filter_form`)."""

    # A longer query is cut to MAX_QUERY_LENGTH (parse_filters), not refused.
    q = forms.CharField(
        label=_("Search titles, authors, journals, keywords (Japanese or English)"),
        required=False,
        max_length=10_000,
        strip=True,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. 欠陥, ELNES, Mizoguchi")}),
    )
    keyword = forms.SlugField(label=_("Keyword"), required=False, widget=forms.Select)
    theme = forms.SlugField(label=_("Research theme"), required=False, widget=forms.Select)
    year = year_field(_("Year"))
    year_from = year_field(_("From year"))
    year_to = year_field(_("To year"))
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Publication.Type.choices]
    )
    author = forms.SlugField(label=_("Author"), required=False, widget=forms.Select)
    # The order of a search's results: by relevance unless the visitor asks for the newest.
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("", _("Best match")), ("newest", _("Newest first"))],
    )
    lab = forms.BooleanField(
        label=_("Papers with lab members only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),  # lab=1 in the URL
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        # The box takes what a search uses (the field itself accepts more, to cut it).
        self.fields["q"].widget.attrs["maxlength"] = MAX_QUERY_LENGTH


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
    def sort(self):
        """How a search's results are ordered: "relevance" (the default) or "newest"."""
        return "newest" if self.values.get("sort") == "newest" else "relevance"

    @property
    def active(self):
        """Whether the search box or a filter selects papers (the sort selects none)."""
        return any(v not in (None, "", False) for k, v in self.values.items() if k != "sort")

    @property
    def narrowed(self):
        """Whether a filter besides the search box narrows the list (apply_filters)."""
        return any(
            v not in (None, "", False) for k, v in self.values.items() if k not in ("q", "sort")
        )


class ThemeProvider:
    """How the publications list learns about research themes without importing them.

    `publications` must not import `research`; the research app registers a
    provider in its AppConfig.ready() (see research/apps.py).
    """

    def choices(self):
        """[(slug, title in the page's language)] of the published themes, in display order."""
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
    first, last = state.values.get("year_from"), state.values.get("year_to")
    if first and last and first > last:
        # "From 2025 to 2020" means the years between: the list found nothing, and
        # said only "try fewer words". The form shows the range put right.
        state.values["year_from"], state.values["year_to"] = last, first
    if state.values.get("keyword"):
        # Only keywords offered to visitors (tagging a published paper) filter the list.
        keywords = Keyword.objects.with_published_papers()
        state.keyword = keywords.filter(slug=state.values["keyword"]).first()
        if state.keyword is None:
            state.ignored.append((_("Keyword"), state.values.pop("keyword")))
    if state.values.get("author"):
        # Only people with a published paper: a name known only from unpublished
        # papers (an import kept unpublished) is not shown to visitors.
        people = (
            Person.objects.all() if include_unpublished else Person.objects.with_published_papers()
        )
        state.author = people.filter(slug=state.values["author"]).first()
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


def filter_form(state: PublicationFilter) -> PublicationFilterForm:
    """The form the list page draws: the filters in force selected, and every choice.

    Unbound, with the understood values as its initial data, so it never shows an
    error: what was not understood is listed in the page's notice (`state.ignored`).
    The choices are read when the form is drawn (callables: three queries, the
    keywords, the themes and the lab members), so a page that takes the drawn
    filters from the fragment cache reads none of them.
    """
    form = PublicationFilterForm(initial=state.values)
    language = active_language()

    def keywords():
        by_name = Keyword.objects.with_published_papers().by_name(language)
        return [("", _("All keywords")), *((keyword.slug, str(keyword)) for keyword in by_name)]

    def themes():
        return [("", _("All themes")), *theme_provider.choices()]

    def authors():
        members = [(p.slug, str(p)) for p in Person.objects.lab_members().names_only()]
        if state.author is not None and not state.author.is_lab_member:
            # Another author's name links here from a paper's page: keep it selected.
            members.insert(0, (state.author.slug, str(state.author)))
        return [("", _("All authors")), *members]

    form.fields["keyword"].widget.choices = keywords
    form.fields["theme"].widget.choices = themes
    form.fields["author"].widget.choices = authors
    return form


def filters_key(form):
    """What the drawn filters depend on besides the language and the content: the
    values in force, the search box's aside (it is drawn apart)."""
    return tuple(
        sorted(
            (name, str(value)) for name, value in form.initial.items() if name not in ("q", "sort")
        )
    )
