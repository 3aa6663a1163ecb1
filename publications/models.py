"""The database of papers: keywords, people and publications."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import names, search

MIN_YEAR = 1900
MAX_YEAR = 2100

# What a paper in a list shows (templates/includes/publication_item.html), and its year,
# which the lists' year headings group by. Abstracts, BibTeX and the search document
# stay in the database.
LIST_COLUMNS = (
    "slug", "title_ja", "title_en", "authors_truncated", "venue", "volume", "issue", "pages",
    "article_number", "year", "type", "status", "note_ja", "note_en", "doi",
)  # fmt: skip
# What an author list and a filter's choice show of a person: the name in either
# language, the link to the person's papers, the lab member's highlight.
PERSON_NAME_COLUMNS = (
    "slug", "family_name_ja", "given_name_ja", "family_name_en", "given_name_en", "is_lab_member",
)  # fmt: skip

_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+$")


def normalise_doi(doi):
    """Bare DOI: "https://doi.org/10.1/X" and "doi:10.1/X" become "10.1/X"."""
    return _DOI_PREFIX.sub("", doi or "").strip()


def normalise_arxiv(arxiv_id):
    """arXiv id without the "arXiv:" prefix and version: "arXiv:2101.00001v2" → "2101.00001"."""
    value = re.sub(r"^arxiv:\s*", "", (arxiv_id or "").strip(), flags=re.IGNORECASE)
    return _ARXIV_VERSION.sub("", value)


def unique_slug(model, text, fallback, exclude_pk=None, max_length=80):
    """An ASCII slug for `text` that no other row of `model` uses."""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, n = base, 2
    others = model._default_manager.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


class KeywordQuerySet(models.QuerySet):
    def by_name(self, language):
        """Keywords in the order of their names in `language`, with only what a link shows."""
        return self.only("slug", "name_ja", "name_en").order_by(Lower(f"name_{language}"), "slug")

    def matching(self, q):
        """Keywords whose name (either language, NFKC + casefold) equals the search query `q`."""
        return search.keywords_matching(self, q)


class Keyword(models.Model):
    """One concept with a Japanese and an English name; ties themes and papers together."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # The names as search compares them with a whole query (NFKC, casefold); set on save.
    name_key_ja = models.CharField(
        _("normalised Japanese name"), max_length=300, blank=True, editable=False, db_index=True
    )
    name_key_en = models.CharField(
        _("normalised English name"), max_length=300, blank=True, editable=False, db_index=True
    )

    objects = KeywordQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self):
        return self.name or self.slug

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Keyword, self.name_en or "", "keyword", self.pk, 100)
        self.name_key_ja = search.normalise_key(self.name_ja)
        self.name_key_en = search.normalise_key(self.name_en)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_key_ja", "name_key_en"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publications:keyword", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if not (self.name_ja or self.name_en):
            raise ValidationError(_("Give the keyword a name in at least one language."))
        for field in ("name_ja", "name_en"):
            value = names.normalise(getattr(self, field)).casefold()
            if not value:
                continue
            clash = (
                Keyword.objects.exclude(pk=self.pk)
                .filter(models.Q(name_ja__iexact=value) | models.Q(name_en__iexact=value))
                .first()
            )
            if clash is None:
                # iexact folds ASCII only on SQLite: compare normalised values too.
                clash = next(
                    (
                        k
                        for k in Keyword.objects.exclude(pk=self.pk)
                        if value
                        in {
                            names.normalise(k.name_ja).casefold(),
                            names.normalise(k.name_en).casefold(),
                        }
                    ),
                    None,
                )
            if clash is not None:
                raise ValidationError(
                    {field: _("The keyword “%(other)s” already has this name.") % {"other": clash}}
                )


class PersonQuerySet(models.QuerySet):
    def lab_members(self):
        return self.filter(is_lab_member=True)

    def names_only(self):
        """People with only what their name and a link to their papers need."""
        return self.only(*PERSON_NAME_COLUMNS)

    def resolve(self, printed):
        """The person a printed name refers to, or None.

        Looks first for a recorded name variant with the same key ("PY. Chen" =
        "P. Y. Chen"), then for exactly one person with the same family name and
        compatible initials ("T. Mizoguchi" = "Teruyasu Mizoguchi"), preferring
        lab members when several match.
        """
        key = names.name_key(printed)
        if not key:
            return None
        variant = NameVariant.objects.filter(key=key).select_related("person").first()
        if variant is not None:
            return variant.person
        family, given = names.split_name(printed)
        if names.is_cjk(family):
            return None  # kanji names match by their full key only, never by initials
        wanted = names.initials(given)
        fkey = names.family_key(family)
        candidates = [
            person
            for person in self.filter(
                models.Q(family_name_en__iexact=family) | models.Q(family_name_ja__iexact=family)
            ).order_by("-is_lab_member", "pk")
            if fkey
            in {names.family_key(person.family_name_en), names.family_key(person.family_name_ja)}
            and names.initials_compatible(wanted, person.initials)
        ]
        if not candidates:
            return None
        lab = [p for p in candidates if p.is_lab_member]
        if len(lab) == 1 or len(candidates) == 1:
            return (lab or candidates)[0]
        return None  # ambiguous: better a new person than the wrong one

    def resolve_or_create(self, printed):
        """Resolve a printed name, creating the person when nobody matches; records the variant."""
        person = self.resolve(printed)
        if person is None:
            family, given = names.split_name(printed)
            lang = "ja" if names.is_cjk(printed) else "en"
            person = self.create(**{f"family_name_{lang}": family, f"given_name_{lang}": given})
        person.add_variant(printed)
        return person


class Person(models.Model):
    """An author. Lab members are highlighted in every author list."""

    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_lab_member = models.BooleanField(
        _("lab member"), default=False, help_text=_("Lab members are highlighted in author lists.")
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", _("An ORCID iD looks like 0000-0002-1825-0097.")
            )
        ],
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name_en", "given_name_en", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~models.Q(orcid=""), name="person_orcid_unique"
            ),
        ]

    def __str__(self):
        return self.full_name()

    def save(self, *args, **kwargs):
        if not self.slug:
            text = f"{self.given_name_en} {self.family_name_en}"
            self.slug = unique_slug(Person, text, "person", self.pk, 100)
        super().save(*args, **kwargs)
        # Every spelling of the name the record itself carries resolves to it.
        for printed in {self.full_name("en"), self.full_name("ja")}:
            if printed and names.name_key(printed):
                NameVariant.objects.get_or_create(
                    key=names.name_key(printed), defaults={"person": self, "name": printed}
                )

    def clean(self):
        super().clean()
        if not (self.family_name_ja or self.family_name_en):
            raise ValidationError(_("Give the family name in at least one script."))

    def full_name(self, language=None):
        """Japanese: 姓 名 (family first) when a Japanese-script name is known.

        English and Western names: "Given Family". Never reduced to initials.
        """
        language = (language or get_language() or "ja")[:2]
        if language == "ja" and self.family_name_ja:
            return f"{self.family_name_ja} {self.given_name_ja}".strip()
        family = self.family_name_en or self.family_name_ja
        given = self.given_name_en if self.family_name_en else self.given_name_ja
        if names.is_cjk(family):
            return f"{family} {given}".strip()
        return f"{given} {family}".strip()

    @property
    def initials(self):
        return names.initials(self.given_name_en or self.given_name_ja)

    def add_variant(self, printed):
        key = names.name_key(printed)
        if key:
            NameVariant.objects.get_or_create(key=key, defaults={"person": self, "name": printed})


class NameVariant(models.Model):
    """A spelling of a person's name as it appears in citations ("PY. Chen")."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="variants", verbose_name=_("person")
    )
    name = models.CharField(_("name as printed"), max_length=200)
    key = models.CharField(
        _("matching key"),
        max_length=200,
        unique=True,
        editable=False,
        help_text=_("Case-, width- and punctuation-insensitive form of the name."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("name variant")
        verbose_name_plural = _("name variants")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = names.name_key(self.name)
        super().save(*args, **kwargs)


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
        return self.order_by("-year", models.F("month").desc(nulls_last=True), "-pk")

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

        Their sum is the number of papers. A filter through a join (a keyword, an
        author) matches a paper at most once — the links are unique — so rows are
        counted as they are; DISTINCT is kept for a queryset that is itself distinct.
        """
        distinct = self.query.distinct
        rows = self.order_by().values("year").annotate(n=models.Count("pk", distinct=distinct))
        return sorted((row["year"], row["n"]) for row in rows)

    def search(self, q):
        """Publications matching the search box's query `q` (see publications/search/).

        Matches titles, abstracts, authors (any name variant), venue, DOI, arXiv id and
        keyword names, NFKC- and case-insensitively; words are ANDed, "quoted words"
        are a phrase. Annotates `keyword_match` and orders keyword matches first, then
        newest first. A blank query returns the queryset unchanged.
        """
        return search.search(self, q)


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
    volume = models.CharField(_("volume"), max_length=30, blank=True)
    issue = models.CharField(_("issue"), max_length=30, blank=True)
    pages = models.CharField(
        _("pages"), max_length=30, blank=True, help_text=_("A range such as 4858-4865.")
    )
    article_number = models.CharField(_("article number"), max_length=30, blank=True)
    numpages = models.PositiveSmallIntegerField(_("number of pages"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
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
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("E.g. an award."))
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

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                Lower("doi"), condition=~models.Q(doi=""), name="publication_doi_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
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
        return f"{self.title} ({self.year})"

    def save(self, *args, **kwargs):
        self.doi = normalise_doi(self.doi)
        self.arxiv_id = normalise_arxiv(self.arxiv_id)
        if not self.slug:
            title = self.title_en or self.title_ja or ""
            text = " ".join(title.split()[:8])
            self.slug = unique_slug(
                Publication, f"{text} {self.year}", f"paper-{self.year}", self.pk
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publications:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        self.doi = normalise_doi(self.doi)
        self.arxiv_id = normalise_arxiv(self.arxiv_id)
        if not (self.title_ja or self.title_en):
            raise ValidationError(_("Give the publication a title in at least one language."))

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
        return f"{authors}. {source} ({self.year})."

    @property
    def pages_or_number(self):
        return self.pages.replace("-", "–") if self.pages else self.article_number


class SearchEntry(models.Model):
    """A publication's row in the search index: what a search matches, filters and sorts on.

    A narrow copy kept by publications/search/ (never edited by hand), so that
    counting and ordering thousands of matches reads small rows, not publications.
    """

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    is_published = models.BooleanField()
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True)
    text = models.TextField()
    vector = search.VectorField()
    # On PostgreSQL, migration 0004 indexes `vector` (GIN) and the newest-first order.

    def __str__(self):
        return f"search entry of publication {self.pk}"


class SearchWord(models.Model):
    """A word some search document holds (not Japanese, not a pair), kept by
    publications/search/: a query's word prefix becomes the words it starts.

    Words are added, never removed: a word no paper has any more finds nothing.
    """

    word = models.CharField(max_length=64, primary_key=True)

    def __str__(self):
        return self.word


class SearchPairs(models.Model):
    """A publication's pair lexemes: every two adjacent words (``~lattice~defects``).

    Kept apart from SearchEntry (by publications/search/) so that the entries stay
    narrow: a quoted phrase looks its pairs up here, GIN-indexed on PostgreSQL
    (migration 0006).
    """

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="search_pairs"
    )
    vector = search.VectorField()

    class Meta:
        verbose_name_plural = "search pairs"

    def __str__(self):
        return f"word pairs of publication {self.pk}"


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


class ImportBatchQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ImportBatch.Status.PENDING)

    def applied(self):
        return self.filter(status=ImportBatch.Status.APPLIED)


class ImportBatch(models.Model):
    """One BibTeX import: pending while previewed, then applied (undoable) or undone.

    A pending batch holds the parsed entries (`records`) so that the preview can be
    confirmed without uploading the file again; applying it records what it created
    and what it changed as ImportItems, which is what undo restores.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Previewed, not imported")
        APPLIED = "applied", _("Imported")
        UNDONE = "undone", _("Undone")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command line")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_published = models.BooleanField(
        _("new papers published"),
        default=True,
        help_text=_("Whether the papers this import creates are shown to visitors."),
    )
    keywords = models.ManyToManyField(
        Keyword,
        blank=True,
        related_name="+",
        verbose_name=_("keywords added"),
        help_text=_("Added to every imported paper."),
    )
    records = models.JSONField(_("parsed entries"), default=list, blank=True, editable=False)
    # The digest of the plan the preview last showed: confirming refuses another plan.
    plan_digest = models.CharField(max_length=64, blank=True, editable=False)
    skipped = models.JSONField(_("skipped entries"), default=list, blank=True, editable=False)
    created_count = models.PositiveIntegerField(_("new papers"), default=0)
    updated_count = models.PositiveIntegerField(_("updated papers"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("entries with errors"), default=0)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("BibTeX import")
        verbose_name_plural = _("BibTeX imports")

    def __str__(self):
        name = self.filename or _("pasted text")
        return f"{name} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"


class ImportItem(models.Model):
    """What an applied import did to one object, with the object's state before and after."""

    class Kind(models.TextChoices):
        PUBLICATION_CREATED = "publication-created", _("Publication created")
        PUBLICATION_UPDATED = "publication-updated", _("Publication updated")
        PERSON_CREATED = "person-created", _("Person created")
        KEYWORD_CREATED = "keyword-created", _("Keyword created")
        VARIANT_CREATED = "variant-created", _("Name variant added")

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("import")
    )
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    label = models.CharField(_("object"), max_length=500, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("import item")
        verbose_name_plural = _("import items")
        indexes = [models.Index(fields=["batch", "kind"], name="importitem_batch_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"
