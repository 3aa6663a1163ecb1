"""Publications and their ordered authors."""

import hashlib
import re
import unicodedata
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import search
from ..charts import by_year
from .keywords import Keyword
from .people import PERSON_NAME_COLUMNS, Person
from .slugs import RESERVED_PUBLICATION_SLUGS, unique_slug

MIN_YEAR = 1600
MAX_YEAR = 2100

# What a paper in a list shows (templates/includes/publication_item.html), and its year,
# which the lists' year headings group by. Abstracts, BibTeX and the search document
# stay in the database.
LIST_COLUMNS = (
    "slug", "title_ja", "title_en", "authors_truncated", "venue", "volume", "issue", "pages",
    "article_number", "year", "type", "status", "note_ja", "note_en", "doi",
)  # fmt: skip


# What people paste around a DOI: resolver URLs (any scheme, dx., www.), "doi:",
# "DOI: ", "info:doi/", "urn:doi:". The DOI itself starts at "10.".
_DOI_PREFIX = re.compile(
    r"^\s*(?:(?:https?://)?(?:www\.|dx\.)?doi\.org/|(?:urn:|info:)?doi\s*[:/]\s*|doi\s+)",
    re.IGNORECASE,
)
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# arXiv ids: new style 2101.00001 (4 or 5 digits after the dot), old style
# cond-mat/0211159 or math.GT/0309136; an optional version; in an "arXiv:" prefix,
# an abs / pdf / html URL (".pdf" ending), or arXiv's own DOI 10.48550/arXiv.<id>.
_ARXIV_FORMS = re.compile(
    r"^\s*(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/"
    r"|(?:(?:https?://)?(?:dx\.)?doi\.org/)?10\.48550/arxiv\.|arxiv\s*:\s*|arxiv\s+)?"
    r"(?P<id>\d{4}\.\d{4,5}|[A-Za-z\-]+(?:\.[A-Za-z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?/?(?:\s*\[[\w.\-]+\])?\s*$",
    re.IGNORECASE,
)
_ARXIV_VERSION = re.compile(r"v\d+$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
# Kinds of work that one identity key covers: a review is a journal article (@article).
_KIND_OF_TYPE = {"review": "article", "invited-review": "article"}


def normalise_doi(doi):
    """The bare DOI of any form people paste.

    "https://doi.org/10.1/X", "http://dx.doi.org/10.1/X", "doi:10.1/X", "DOI: 10.1/X"
    and URL-encoded forms ("10.1%2FX") all become "10.1/X". Case is kept (DOIs are
    compared case-insensitively). Anything else comes back trimmed, for the
    validator to refuse.
    """
    value = _DOI_PREFIX.sub("", (doi or "").strip()).strip()
    if _PERCENT_ESCAPE.search(value):
        value = unquote(value)
    # A DOI copied from the end of a sentence: the full stop is not part of it.
    return value.rstrip(".,;").strip()


# Between two pages: a hyphen, BibTeX's "--", or any dash or wave people paste from a
# journal's page or a Japanese citation (1–10, 1—10, 1−10, 1－10, 1〜10, 1～10).
_PAGE_RANGE_DASH = re.compile(r"\s*(?:-{1,3}|[\u2010-\u2015\u2212\uff0d~\u301c\uff5e])\s*")


def normalise_pages(pages):
    """A page range as stored: full-width digits made ASCII and the dash a hyphen
    ("１２－１５", "12–15", "12 -- 15" → "12-15"). The site prints it with an en dash
    (pages_or_number); the exports split it at the hyphen (BibTeX "12--15", RIS SP/EP).
    """
    value = unicodedata.normalize("NFKC", pages or "").strip()
    return _PAGE_RANGE_DASH.sub("-", value)


def normalise_arxiv(arxiv_id):
    """The arXiv id of any form people paste, without its version.

    "arXiv:2101.00001v2", "https://arxiv.org/abs/2101.00001v2",
    "arxiv.org/pdf/2101.00001v2.pdf", "10.48550/arXiv.2101.00001",
    "arXiv:cond-mat/0211159v1 [cond-mat.mtrl-sci]" → "2101.00001", "cond-mat/0211159".
    The version is dropped: every version is the same paper, and duplicates are
    found by id. Anything else comes back trimmed, for the validator to refuse.
    """
    value = (arxiv_id or "").strip()
    match = _ARXIV_FORMS.match(value)
    if match:
        found = match.group("id")
        archive, _slash, number = found.rpartition("/")
        if archive:  # old style: the archive is lower case, its subject class upper case
            name, _dot, subject = archive.partition(".")
            found = f"{name.lower()}{'.' + subject.upper() if subject else ''}/{number}"
        return found
    value = re.sub(r"^arxiv:\s*", "", value, flags=re.IGNORECASE)
    return _ARXIV_VERSION.sub("", value).strip()


def title_key(title):
    """NFKC, case-folded, letters and digits only: how two titles are compared."""
    return _NOT_ALPHANUMERIC.sub("", unicodedata.normalize("NFKC", title or "").casefold())


def _value_key(value):
    return _NOT_ALPHANUMERIC.sub("", unicodedata.normalize("NFKC", str(value or "")).casefold())


def identity_key(fields):
    """The identity key of a paper without DOI and arXiv id (its fields as a mapping), or "".

    A digest of the normalised title (English, else Japanese), the year, the kind of
    work and where in its venue it is (volume, issue, first page, article number):
    what the import's identity rules compare, besides the authors
    (publications/bibtex/matching.py). Two entries of one paper give one key, so the
    unique constraint on `Publication.identity_key` stops a second copy that two
    imports racing each other would both insert. Two papers that share title and year
    but not the issue or pages (a journal's recurring "Chairman's report") have
    different keys. The authors are left out on purpose: they live in another table,
    and a key every writer can compute from the paper's own row never goes stale.
    A paper with a DOI or an arXiv id has no key: those columns have their own
    constraints.
    """
    if fields.get("doi") or fields.get("arxiv_id"):
        return ""
    title = title_key(fields.get("title_en")) or title_key(fields.get("title_ja"))
    if not title:
        return ""
    kind = fields.get("type") or ""
    pages = re.split(r"\s*[-–—]\s*", str(fields.get("pages") or "").strip())[0]
    parts = [
        title,
        str(fields.get("year") or ""),
        _KIND_OF_TYPE.get(kind, kind),
        *(_value_key(fields.get(name)) for name in ("volume", "issue", "article_number")),
        _value_key(pages),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# The columns identity_key() reads.
IDENTITY_FIELDS = (
    "title_en", "title_ja", "year", "type", "volume", "issue", "pages", "article_number",
    "doi", "arxiv_id",
)  # fmt: skip


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_authors(self):
        """Papers with their authors in order (`ordered_authorships`), in one extra query."""
        return self.prefetch_related(authors_in_order(Authorship.objects.select_related("person")))

    def for_list(self, authors=True):
        """What a list item shows: its columns (`LIST_COLUMNS`) and its authors in order.

        Two queries whatever the number of papers and authors. With `authors=False`, one:
        the caller prefetches the authors, e.g. once for the two lists of a theme's page
        (`prefetch_related_objects(papers, authors_in_order())`).
        """
        listed = self.only(*LIST_COLUMNS)
        return listed.prefetch_related(authors_in_order()) if authors else listed

    def for_export(self):
        """What the BibTeX, RIS and CSL-JSON exports read: authors and keywords prefetched."""
        return self.with_authors().prefetch_related("keywords")

    def newest_first(self):
        # Undated papers last (PostgreSQL would put NULL years first in a DESC order).
        return self.order_by(
            models.F("year").desc(nulls_last=True), models.F("month").desc(nulls_last=True), "-pk"
        )

    def with_lab_members(self):
        """Papers with at least one lab member among their authors."""
        return self.filter(
            models.Exists(
                Authorship.objects.filter(
                    publication=models.OuterRef("pk"), person__is_lab_member=True
                )
            )
        )

    def sharing_keywords(self, keywords):
        """Papers that share at least one of these keywords (a queryset or list of Keyword).

        A queryset goes in as a subquery; keywords already read (a list) as their ids.
        """
        if not isinstance(keywords, models.QuerySet):
            keywords = [keyword.pk for keyword in keywords]
        through = Publication.keywords.through
        return self.filter(
            models.Exists(
                through.objects.filter(publication=models.OuterRef("pk"), keyword__in=keywords)
            )
        )

    def year_counts(self):
        """[(year, number of papers)] in ascending year, for the per-year chart.

        Undated papers count as (None, n), last (`by_year`): the chart leaves them
        out, but their sum is the number of papers. A filter through a join (a keyword, an
        author) matches a paper at most once — the links are unique — so rows are
        counted as they are; DISTINCT is kept for a queryset that is itself distinct.
        """
        distinct = self.query.distinct
        rows = self.order_by().values("year").annotate(n=models.Count("pk", distinct=distinct))
        return by_year((row["year"], row["n"]) for row in rows)

    def search(self, q):
        """Publications matching the search box's query `q` (see publications/search/).

        Matches titles, abstracts, authors (any name variant), venue, DOI, arXiv id and
        keyword names, NFKC- and case-insensitively; words are ANDed, "quoted words"
        are a phrase. Annotates `keyword_match` and orders keyword matches first, then
        newest first. A blank query returns the queryset unchanged.
        """
        return search.search(self, q)


def guess_language(title_ja, title_en):
    """The language a paper is written in, guessed from its titles: Japanese when it has
    a Japanese title and no English one, else English. Imports put a title in Japanese
    script in `title_ja` and anything else in `title_en`; Japanese papers with an English
    title too are rare here, and an editor corrects them in the admin."""
    return "ja" if title_ja and not title_en else "en"


class Publication(models.Model):
    class Type(models.TextChoices):
        ARTICLE = "article", _("Journal article")
        REVIEW = "review", _("Review")
        INVITED_REVIEW = "invited-review", _("Invited review")
        CONFERENCE = "conference", _("Conference paper")
        BOOK = "book", _("Book")
        CHAPTER = "chapter", _("Book chapter")
        PREPRINT = "preprint", _("Preprint")
        THESIS = "thesis", _("Thesis")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        IN_PRESS = "in-press", _("In press")
        ACCEPTED = "accepted", _("Accepted")

    class Language(models.TextChoices):
        # A context: the bare words are the language switcher's, each in its own language.
        JAPANESE = "ja", pgettext_lazy("language of a paper", "Japanese")
        ENGLISH = "en", pgettext_lazy("language of a paper", "English")

    title = models.CharField(_("title"), max_length=500, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    authors = models.ManyToManyField(
        Person, through="Authorship", related_name="publications", verbose_name=_("authors")
    )
    authors_truncated = models.BooleanField(
        _("author list truncated"),
        default=False,
        help_text=_("The source lists only the first authors (“et al.”)."),
    )
    venue = models.CharField(
        _("venue"), max_length=300, blank=True, help_text=_("Journal, conference or publisher.")
    )
    # 100 characters: real files write "third series, volume viii; no. 18" or
    # "xiii + 457, with 230 illustrations", and the import keeps every character.
    volume = models.CharField(_("volume"), max_length=100, blank=True)
    issue = models.CharField(_("issue"), max_length=100, blank=True)
    pages = models.CharField(
        _("pages"), max_length=100, blank=True, help_text=_("A range such as 4858-4865.")
    )
    article_number = models.CharField(_("article number"), max_length=100, blank=True)
    numpages = models.PositiveSmallIntegerField(_("number of pages"), null=True, blank=True)
    # Blank: an undated paper (a manual, a dataset, a booklet — types BibTeX's styles
    # print without a year). Lists show it last, in an "Undated" group.
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    doi = models.CharField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(r"^10\.\d{4,9}/\S+$", _("A DOI looks like 10.1093/jmicro/dfaf038."))
        ],
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    license = models.URLField(
        _("licence"),
        max_length=500,
        blank=True,
        help_text=_(
            "The licence the paper is published under, e.g. https://creativecommons.org/licenses/by/4.0/."
        ),
    )
    arxiv_id = models.CharField(
        _("arXiv id"),
        max_length=50,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$",
                _("An arXiv id looks like 2101.00001 (without version)."),
            )
        ],
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.ARTICLE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED
    )
    # What achievement lists (業績リスト) ask of each paper. Blank (NULL) is "not
    # recorded": a list shows it empty rather than claiming "no" (docs/achievement-lists.md).
    peer_reviewed = models.BooleanField(_("peer-reviewed"), null=True, blank=True)
    invited = models.BooleanField(
        _("invited"), null=True, blank=True, help_text=_("Written on invitation (招待論文).")
    )
    international_coauthorship = models.BooleanField(
        _("international co-authorship"),
        null=True,
        blank=True,
        help_text=_("With a co-author at an institution abroad (国際共著)."),
    )
    open_access = models.BooleanField(_("open access"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_(
            "The language the paper is written in. Left blank, it is guessed from the"
            " titles: Japanese when there is a Japanese title and no English one."
        ),
    )
    # A TextField: BibTeX notes and addenda run to paragraphs, and an import keeps them whole.
    note = models.TextField(_("note"), blank=True, help_text=_("E.g. an award."))
    keywords = models.ManyToManyField(
        Keyword, blank=True, related_name="publications", verbose_name=_("keywords")
    )
    is_published = models.BooleanField(
        _("published on the site"),
        default=True,
        help_text=_("Unpublished papers are hidden from visitors."),
    )
    citation_key = models.CharField(_("BibTeX key"), max_length=200, blank=True)
    bibtex = models.TextField(
        _("BibTeX source"), blank=True, help_text=_("The raw entry this paper came from.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The search document (publications/search/document.py), kept fresh by its signals.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    search_tokens = models.TextField(_("search tokens"), blank=True, default="", editable=False)
    # identity_key() of the paper, unique: a race of two imports cannot store one paper
    # twice. Empty when the paper has a DOI or an arXiv id (their own constraints guard
    # it), or when another paper already has the key and an editor kept both (two
    # "Editorial"s in one issue by different people): that paper is not guarded.
    identity_key = models.CharField(
        _("identity key"), max_length=64, blank=True, default="", editable=False
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = [models.F("year").desc(nulls_last=True), "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                Lower("doi"),
                condition=~models.Q(doi=""),
                name="publication_doi_unique",
                violation_error_message=_("Another publication already has this DOI."),
            ),
            models.UniqueConstraint(
                fields=["arxiv_id"],
                condition=~models.Q(arxiv_id=""),
                name="publication_arxiv_unique",
                violation_error_message=_("Another publication already has this arXiv id."),
            ),
            models.UniqueConstraint(
                fields=["identity_key"],
                condition=~models.Q(identity_key=""),
                name="publication_identity_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(year__isnull=True)
                | models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="publication_year_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                name="publication_month_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True) | models.Q(day__gte=1, day__lte=31),
                name="publication_day_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-year"], name="publication_year_idx"),
            # Counts and per-year counts of published papers (every list's result count
            # and chart, a theme's related papers) read this narrow index, not the table.
            models.Index(
                fields=["year", "id"],
                condition=models.Q(is_published=True),
                name="publication_published_year",
            ),
            # Migration 0007 adds `publication_newest_first` (the lists' exact order)
            # in SQL: SQLite indexes cannot say NULLS LAST.
        ]

    def __str__(self):
        return f"{self.title} ({self.year or _('undated')})"

    def save(self, *args, **kwargs):
        filled = self.fill_list_defaults()
        if filled and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *filled}
        self.doi = normalise_doi(self.doi)
        self.arxiv_id = normalise_arxiv(self.arxiv_id)
        self.pages = normalise_pages(self.pages)
        if not self.slug:
            title = self.title_en or self.title_ja or ""
            text = " ".join(title.split()[:8])
            year = self.year or ""
            fallback = f"paper-{year}" if year else "paper"
            self.slug = unique_slug(
                Publication,
                # A title without Latin letters (Japanese) slugged to the bare year:
                # /publications/2026/ read as a page of that year's papers.
                f"{text} {year}" if slugify(text) else fallback,
                fallback,
                self.pk,
                reserved=RESERVED_PUBLICATION_SLUGS,
            )
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & set(IDENTITY_FIELDS):
            self.identity_key = self.free_identity_key(self._state.db or kwargs.get("using"))
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "identity_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publications:detail", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None):
        # Before the validators: a DOI pasted as https://doi.org/… in the admin is
        # accepted and stored bare (Model.clean would run after the validators).
        self.doi = normalise_doi(self.doi)
        self.arxiv_id = normalise_arxiv(self.arxiv_id)
        self.pages = normalise_pages(self.pages)
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        self.doi = normalise_doi(self.doi)
        self.arxiv_id = normalise_arxiv(self.arxiv_id)
        if not (self.title_ja or self.title_en):
            raise ValidationError(_("Give the publication a title in at least one language."))
        if self.slug in RESERVED_PUBLICATION_SLUGS:
            raise ValidationError(
                {
                    "slug": _("“%(slug)s” is the address of another page; choose another slug.")
                    % {"slug": self.slug}
                }
            )

    def fill_list_defaults(self):
        """Fill what the record implies and nobody set: the language, guessed from the
        titles, and "invited" for an invited review. Returns the names of the fields set.
        (bulk_create calls no save(): the import calls this itself.)"""
        filled = []
        if not self.language:
            self.language = guess_language(self.title_ja, self.title_en)
            filled.append("language")
        if self.invited is None and self.type == self.Type.INVITED_REVIEW:
            self.invited = True
            filled.append("invited")
        return filled

    def free_identity_key(self, using=None):
        """identity_key() of this paper, or "" when another paper already has it.

        An editor may keep two papers the import would call one (the identity rules
        leave that choice to people); the second is then not guarded by the key.
        """
        key = identity_key({name: getattr(self, name) for name in IDENTITY_FIELDS})
        if not key:
            return ""
        others = Publication.objects.using(using or "default").exclude(pk=self.pk)
        return "" if others.filter(identity_key=key).exists() else key

    @cached_property
    def ordered_authorships(self):
        """Authorships in author order, each with its person.

        `with_authors()` and `for_list()` fill it for a whole list at once
        (`authors_in_order`); otherwise it is read here, once per instance.
        """
        return list(self.authorships.select_related("person").order_by("position"))

    def set_authors(self, printed_names):
        """Replace the author list with these printed names, in order, each resolved to a Person."""
        people = []
        for printed in printed_names:
            person = Person.objects.resolve_or_create(printed)
            if any(person == seen for seen, _ in people):
                raise ValidationError(
                    _("%(name)s appears twice in the author list.") % {"name": printed}
                )
            people.append((person, printed))
        with search.deferred_refresh():
            self.authorships.all().delete()
            Authorship.objects.bulk_create(
                Authorship(publication=self, person=person, position=n, as_printed=printed)
                for n, (person, printed) in enumerate(people, start=1)
            )
            search.schedule([self.pk], self._state.db or "default")
        # What was read with the paper is no longer its author list.
        vars(self).pop("ordered_authorships", None)

    def citation_text(self):
        """A one-line citation in the active language: authors. venue, volume, pages (year)."""
        authors = ", ".join(str(a.person) for a in self.ordered_authorships)
        source = ", ".join(part for part in [self.venue, self.volume, self.pages_or_number] if part)
        return f"{authors}. {source}" + (f" ({self.year})." if self.year else ".")

    @property
    def pages_or_number(self):
        return self.pages.replace("-", "–") if self.pages else self.article_number


class Authorship(models.Model):
    """A person's place in a publication's author list (1 = first author)."""

    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="authorships",
        verbose_name=_("publication"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="authorships", verbose_name=_("person")
    )
    position = models.PositiveSmallIntegerField(_("position"), validators=[MinValueValidator(1)])
    as_printed = models.CharField(
        _("name as printed"),
        max_length=200,
        blank=True,
        help_text=_("The name as the source spelled it."),
    )

    class Meta:
        ordering = ["publication", "position"]
        verbose_name = _("authorship")
        verbose_name_plural = _("authorships")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "position"], name="authorship_position_unique"
            ),
            models.UniqueConstraint(
                fields=["publication", "person"], name="authorship_person_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="authorship_position_positive"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.person}"


def authors_in_order(authorships=None):
    """A prefetch of papers' authorships in author order into `ordered_authorships`.

    `authorships`: the queryset to read them with; by default, what an author list
    shows (`PERSON_NAME_COLUMNS`, the person joined).
    """
    if authorships is None:
        columns = [f"person__{name}" for name in PERSON_NAME_COLUMNS]
        authorships = Authorship.objects.select_related("person").only(
            "publication", "position", *columns
        )
    return models.Prefetch(
        "authorships", queryset=authorships.order_by("position"), to_attr="ordered_authorships"
    )
