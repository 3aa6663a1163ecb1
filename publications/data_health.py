"""What is missing or suspicious in the database: the admin's data-health page.

Each check is a `Check`: a title, a short explanation, how many objects it finds,
the first of them (`LIMIT` rows, linked to their change pages) and, for papers, the
publications changelist filtered to all of them (`MissingFilter` in admin.py).

Most checks are one COUNT and one LIMITed query. Two compare rows with each other
and so read one table's few columns in full, in one query each: duplicate titles
(titles compared as the import compares them, `title_key`) and people who are
probably one person (the import's own rule: same family name and compatible given
names, `names.given_compatible`). Either way the page runs the same number of
queries whatever the size of the database (tests/publications/test_data_health.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import names
from .models import Keyword, Person, Publication, title_key

# Rows shown per check; the count says how many there are, the link shows them all.
LIMIT = 100

# Kinds of work that have pages or an article number once published.
PAGED_TYPES = (
    Publication.Type.ARTICLE,
    Publication.Type.REVIEW,
    Publication.Type.INVITED_REVIEW,
    Publication.Type.CONFERENCE,
    Publication.Type.CHAPTER,
)


def _empty(name):
    """A translated column (modeltranslation's are nullable) without text."""
    return Q(**{name: ""}) | Q(**{f"{name}__isnull": True})


# The publication filters of the changelist (admin.MissingFilter): name → condition.
MISSING = {
    "doi": Q(doi=""),
    "pages": Q(pages="", article_number="", type__in=PAGED_TYPES),
    "abstract": _empty("abstract_ja") & _empty("abstract_en"),
    "year": Q(year__isnull=True),
    "authors": Q(authorships__isnull=True),
}
MISSING_LABELS = {
    "doi": _("no DOI"),
    "pages": _("no pages or article number"),
    "abstract": _("no abstract"),
    "year": _("no year"),
    "authors": _("no authors"),
}


@dataclass
class Row:
    """One object a check found: what to call it, where to edit it, what else to say."""

    label: str
    admin: str  # the admin URL name of its change page
    pk: int
    detail: str = ""
    others: list = field(default_factory=list)  # [(label, pk)]: the objects it resembles


@dataclass
class Check:
    name: str
    title: str
    explanation: str
    count: int
    rows: list
    missing: str = ""  # the changelist filter that lists them all (papers only)
    action: str = ""  # "find-doi": each row offers to look its DOI up

    @property
    def truncated(self):
        return self.count > len(self.rows)


def paper_label(paper):
    title = paper.title_en or paper.title_ja or "—"
    return f"{title} ({paper.year})" if paper.year else title


def missing_papers(name, using="default"):
    """The papers a `MISSING` condition finds, newest first."""
    return Publication.objects.using(using).filter(MISSING[name]).distinct().newest_first()


def _paper_check(name, title, explanation, action="", using="default"):
    papers = missing_papers(name, using)
    rows = [
        Row(paper_label(p), "admin:publications_publication_change", p.pk)
        for p in papers.only("pk", "title_ja", "title_en", "year")[:LIMIT]
    ]
    return Check(name, title, explanation, papers.count(), rows, missing=name, action=action)


def duplicate_titles(using="default"):
    """Groups of papers whose titles are one (NFKC, case and punctuation ignored), in one
    query: [[(label, pk), …]], each group in pk order.

    Not an error by itself — journals repeat titles ("Editorial", "Chairman's report") —
    but the first thing to check when a paper appears twice.
    """
    groups = defaultdict(list)
    rows = Publication.objects.using(using).values_list("pk", "title_ja", "title_en", "year")
    for pk, title_ja, title_en, year in rows.order_by("pk").iterator():
        paper = Publication(pk=pk, title_ja=title_ja, title_en=title_en, year=year)
        for key in dict.fromkeys(filter(None, (title_key(title_en), title_key(title_ja)))):
            groups[key].append((paper_label(paper), pk))
    return [group for group in groups.values() if len(group) > 1]


def probably_same_people(using="default"):
    """Pairs of people the import would take for one person but who are two records.

    The import's rule (`bibtex/people.py`): the same family name (accents, case, width,
    hyphens and spaces ignored) and compatible given names ("T." and "Teruyasu",
    "P. Y." and "Pei-Yu"; "Takashi" and "Teruyasu" are not). Kanji names match by their
    full key only, so two records of one kanji name are a pair too. [(person, person)]
    in pk order; one query.
    """
    by_family = defaultdict(list)
    columns = ("pk", "family_name_en", "given_name_en", "family_name_ja", "given_name_ja")
    for values in Person.objects.using(using).values_list(*columns).order_by("pk").iterator():
        person = Person(**dict(zip(columns, values, strict=True)))
        for family in {person.family_name_en, person.family_name_ja}:
            if family:
                by_family[names.family_key(family)].append(person)
    pairs = {}
    for people in by_family.values():
        for a, b in combinations(dict.fromkeys(people), 2):
            if _compatible(a, b):
                pairs[(a.pk, b.pk)] = (a, b)
    return [pairs[key] for key in sorted(pairs)]


def _compatible(a, b):
    if names.is_cjk(a.family_name_ja) and a.family_name_ja == b.family_name_ja:
        return names.name_key(a.full_name("ja")) == names.name_key(b.full_name("ja"))
    given_a = a.given_name_en or a.given_name_ja
    given_b = b.given_name_en or b.given_name_ja
    return names.given_compatible(given_a, given_b)


def unused_keywords(using="default"):
    """Keywords that nothing uses: no paper, no research theme, and no part of the search
    vocabulary (no other spellings, no broader or narrower term, a name in one language only).

    Vocabulary terms tag no paper on purpose — they widen search (docs/vocabulary.md),
    if only from one language to the other — so they are left out; what remains is a
    keyword typed or imported and then left.
    """
    keywords = Keyword.objects.using(using).exclude(Keyword.objects.has_papers())
    keywords = keywords.filter(_empty("aliases_ja") & _empty("aliases_en"))
    # A term named in both languages bridges them in search (水素 finds "hydrogen");
    # an import's new keyword has the one name its file gave.
    keywords = keywords.filter(_empty("name_ja") | _empty("name_en"))
    for relation in Keyword._meta.related_objects:
        if not relation.hidden and relation.get_accessor_name() != "publications":
            keywords = keywords.filter(**{f"{relation.name}__isnull": True})
    return keywords.filter(broader__isnull=True).distinct().order_by("slug")


def checks(using="default"):
    """Every check, in the order the page shows them."""
    found = [
        _paper_check(
            "doi",
            _("Papers without a DOI"),
            _(
                "Without a DOI a visitor cannot reach the paper itself and Google Scholar "
                "cannot tie the page to it. “Find the DOI” asks Crossref."
            ),
            action="find-doi",
            using=using,
        ),
        _paper_check(
            "pages",
            _("Papers without pages or an article number"),
            _("Journal articles, reviews, conference papers and chapters only."),
            using=using,
        ),
        _paper_check(
            "abstract",
            _("Papers without an abstract"),
            _("Neither a Japanese nor an English abstract."),
            using=using,
        ),
        _paper_check(
            "year",
            _("Papers without a year"),
            _("Lists show them last, under “Undated”."),
            using=using,
        ),
        _paper_check(
            "authors",
            _("Papers without authors"),
            _("Every list shows them without an author line."),
            using=using,
        ),
    ]
    groups = duplicate_titles(using)
    found.append(
        Check(
            "titles",
            _("Papers with the same title"),
            _(
                "Titles that are one when case, width and punctuation are ignored. Journals "
                "repeat some titles (“Editorial”): check the venue and the year."
            ),
            len(groups),
            [
                Row(label, "admin:publications_publication_change", pk, others=group[1:])
                for group in groups[:LIMIT]
                for label, pk in group[:1]
            ],
        )
    )
    pairs = probably_same_people(using)
    found.append(
        Check(
            "people",
            _("People who are probably one person"),
            _(
                "Two records with the same family name and compatible given names "
                "(“T. Yamamoto” and “Takafumi Yamamoto”). Imports credit neither with the "
                "other’s papers; if they are one person, move the papers of one to the other "
                "and record the spelling as a name variant."
            ),
            len(pairs),
            [
                Row(str(a), "admin:publications_person_change", a.pk, others=[(str(b), b.pk)])
                for a, b in pairs[:LIMIT]
            ],
        )
    )
    people = Person.objects.using(using).filter(authorships__isnull=True).distinct()
    found.append(
        Check(
            "unused-people",
            _("People without papers"),
            _("Left behind when papers were deleted or their authors corrected."),
            people.count(),
            [
                Row(str(p), "admin:publications_person_change", p.pk)
                for p in people.order_by("family_name_en", "pk")[:LIMIT]
            ],
        )
    )
    keywords = unused_keywords(using)
    found.append(
        Check(
            "keywords",
            _("Keywords that nothing uses"),
            _(
                "No paper, no research theme, and no part of the search vocabulary (no other "
                "spellings, no broader or narrower terms, a name in one language only)."
            ),
            keywords.count(),
            [
                Row(str(k), "admin:publications_keyword_change", k.pk)
                for k in keywords.only("pk", "slug", "name_ja", "name_en")[:LIMIT]
            ],
        )
    )
    return found
