"""Which paper an entry is, and what updating that paper with it would change.

**Identity.** An entry is the same paper as another (a stored paper, or an
earlier entry of the same file) when their DOIs agree, or their arXiv ids (no
version) agree, or when their titles (NFKC, case-folded, letters and digits only)
and years agree *and nothing contradicts it* (`contradictions`):

- the DOIs or the arXiv ids differ (both given);
- the volumes, the issues, the first pages or the article numbers differ (both given);
- the kinds of work differ (a conference paper and a journal article; "other"
  and preprints contradict nothing);
- both have authors and no family name in common (accents, case, hyphens and
  spaces ignored; a stored person counts under both scripts).

A venue spelled differently ("Phys. Rev. B" / "Physical Review B") contradicts
nothing. Same title and year with a contradiction is a *possible duplicate*: the
preview shows the two side by side (`comparison`) and the editor decides. So
is a paper whose BibTeX key is the entry's key while title or year differ.

**Updates never erase or downgrade** (`field_changes`):

- a field the entry leaves empty is not a change; an empty value never
  overwrites a stored one;
- a DOI or arXiv id is only ever filled in, never replaced;
- the status only moves forward (accepted → in press → published), and to
  "published" only when the file says so: an explicit `pubstate`, or a volume with
  pages or an article number (the marks of a published issue). A file with no
  `pubstate` leaves "in press" as it is;
- an entry *less final* than the paper (a preprint or "other" for a journal
  paper, an earlier status) only fills empty fields;
- the type changes only to a more specific kind (`@misc` never replaces
  "journal article"; `@article` for a review fits and changes nothing);
- the author list is replaced by a longer one, or by one naming other people at
  the same length; never by a shorter or truncated one, nor for spelling alone
  ("T. Mizoguchi" for "Teruyasu Mizoguchi");
- keywords are added, never removed; a title differing only in case, width or
  punctuation keeps the curated spelling.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from .. import names
from ..models import Authorship, Person, Publication, title_key
from .mapping import entry_type_for

# The fields of a paper that an entry sets (an update compares them one by one).
CONTENT_FIELDS = (
    "title_ja", "title_en", "abstract_ja", "abstract_en", "note_ja", "note_en",
    "venue", "volume", "issue", "pages", "article_number", "numpages",
    "year", "month", "day", "doi", "url", "arxiv_id", "type", "status", "license",
)  # fmt: skip
# The fields an import may change, kept before and after an update so that undo can restore them.
SNAPSHOT_FIELDS = (*CONTENT_FIELDS, "authors_truncated", "is_published", "citation_key", "bibtex")

# The kinds of match, in matching order, as the preview names them.
MATCH_LABELS = {
    "doi": gettext_lazy("DOI"),
    "arxiv": gettext_lazy("arXiv id"),
    "title": gettext_lazy("title and year"),
    "key": gettext_lazy("BibTeX key"),
}
# Identifiers are filled in, never replaced (an arXiv DOI must not replace the journal's).
FILL_ONLY = {"doi", "arxiv_id", "license"}
# Kinds of work that say little: they contradict no other kind and never replace one.
VAGUE_TYPES = {Publication.Type.OTHER.value, Publication.Type.PREPRINT.value}
STATUS_RANK = {"accepted": 0, "in-press": 1, "published": 2}
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def _same_text(a, b):
    return _NOT_ALPHANUMERIC.sub("", names.fold(str(a))) == _NOT_ALPHANUMERIC.sub(
        "", names.fold(str(b))
    )


@dataclass(slots=True)
class Facts:
    """What identity compares: identifiers, where in the venue, the kind, the authors.

    The family names and people are tuples (compared as sets), and the class has slots:
    a plan holds one per entry, and a 100,000-entry file's plan is held whole.
    """

    doi: str = ""
    arxiv_id: str = ""
    volume: str = ""
    issue: str = ""
    first_page: str = ""
    article_number: str = ""
    type: str = ""
    families: tuple = ()
    people: tuple = ()

    @classmethod
    def of(cls, fields, families=(), people=()):
        pages = str(fields.get("pages") or "")
        return cls(
            doi=(fields.get("doi") or "").lower(),
            arxiv_id=fields.get("arxiv_id") or "",
            volume=str(fields.get("volume") or ""),
            issue=str(fields.get("issue") or ""),
            first_page=re.split(r"\s*[-–—]\s*", pages.strip())[0],
            article_number=str(fields.get("article_number") or ""),
            type=fields.get("type") or "",
            families=tuple({f for f in families if f}),
            people=tuple(set(people)),
        )


def contradictions(a, b):
    """The names of what two papers with one title and year disagree on (see the docstring)."""
    found = []
    for name in ("doi", "arxiv_id", "volume", "issue", "first_page", "article_number"):
        x, y = getattr(a, name), getattr(b, name)
        if x and y and not _same_text(x, y):
            found.append("pages" if name == "first_page" else name)
    if (
        a.type
        and b.type
        and a.type not in VAGUE_TYPES
        and b.type not in VAGUE_TYPES
        and entry_type_for(a.type) != entry_type_for(b.type)
    ):
        found.append("type")
    if (
        a.families
        and b.families
        and set(a.families).isdisjoint(b.families)
        and set(a.people).isdisjoint(b.people)
    ):
        found.append("authors")
    return found


class Existing:
    """Every stored paper's match keys and the facts identity compares, read in one query.

    `keys` is {kind of match: {key: pk}} (the lowest pk wins a shared DOI, arXiv id
    or BibTeX key) except "title", {(title key, year): [pks]}. The authors' family
    names are read later (`load_authors`) for the papers an entry's title names.

    With `wanted` ({kind: set of keys}, the file's: `match_keys`), only the papers
    that have one of those keys are kept: every row is still read (a title key is
    computed in Python), but memory is the file's, not the database's (keeping every
    stored paper grew with the database: docs/bibtex.md).
    """

    def __init__(self, using, wanted=None):
        self.using = using
        self.keys = {kind: {} for kind in MATCH_LABELS}
        self.keys["title"] = defaultdict(list)
        self.facts = {}
        columns = ("doi", "arxiv_id", "volume", "issue", "pages", "article_number", "type")
        rows = Publication.objects.using(using).values_list(
            "pk", "title_ja", "title_en", "year", "citation_key", *columns
        )
        for pk, title_ja, title_en, year, citation_key, *values in rows.order_by("pk").iterator():
            fields = dict(zip(columns, values, strict=True))
            doi = (fields["doi"] or "").lower()
            titles = dict.fromkeys(
                (title_key(t), year) for t in (title_ja, title_en) if title_key(t)
            )
            if wanted is not None and not (
                doi in wanted["doi"]
                or fields["arxiv_id"] in wanted["arxiv"]
                or citation_key in wanted["key"]
                or any(title in wanted["title"] for title in titles)
            ):
                continue
            self.facts[pk] = Facts.of(fields)
            if doi:
                self.keys["doi"].setdefault(doi, pk)
            if fields["arxiv_id"]:
                self.keys["arxiv"].setdefault(fields["arxiv_id"], pk)
            for title in titles:
                self.keys["title"][title].append(pk)
            if citation_key:
                self.keys["key"].setdefault(citation_key, pk)

    def load_authors(self, pks):
        """Add the family names and people of these papers' authors to their facts (one query)."""
        families, people = defaultdict(set), defaultdict(set)
        for pk, person_id, printed, family_en, family_ja in (
            Authorship.objects.using(self.using)
            .filter(publication_id__in=pks)
            .values_list(
                "publication_id", "person_id", "as_printed",
                "person__family_name_en", "person__family_name_ja",
            )
        ):  # fmt: skip
            people[pk].add(person_id)
            printed_family = names.split_name(printed).family if printed else ""
            families[pk].update(names.family_key(f) for f in (family_en, family_ja, printed_family))
        for pk in pks:
            facts = self.facts[pk]
            facts.families = tuple(f for f in families[pk] if f)
            facts.people = tuple(people[pk])


def match_keys(record):
    """[(kind of match, key)] of a parsed record, in matching order."""
    fields = record["fields"]
    keys = []
    if fields.get("doi"):
        keys.append(("doi", fields["doi"].lower()))
    if fields.get("arxiv_id"):
        keys.append(("arxiv", fields["arxiv_id"]))
    for name in ("title_en", "title_ja"):
        if title_key(fields.get(name)):
            keys.append(("title", (title_key(fields[name]), fields.get("year"))))
    if record.get("key"):
        keys.append(("key", record["key"]))
    return keys


def snapshots(pks, using):
    """{pk: the state of a paper that an import may change}, in three queries.

    A snapshot is JSON (it is stored in ImportItem.before / .after): the fields,
    the author list as [[person id, as printed]], the author names as the preview
    shows them, and the keyword ids.
    """
    result = {
        row.pop("pk"): {"fields": row, "authors": [], "printed": [], "keywords": []}
        for row in Publication.objects.using(using)
        .filter(pk__in=pks)
        .values("pk", *SNAPSHOT_FIELDS)
    }
    person_fields = ("family_name_en", "given_name_en", "family_name_ja", "given_name_ja")
    for publication_id, person_id, printed, *person in (
        Authorship.objects.using(using)
        .filter(publication_id__in=result)
        .order_by("publication_id", "position")
        .values_list(
            "publication_id", "person_id", "as_printed", *(f"person__{f}" for f in person_fields)
        )
    ):
        result[publication_id]["authors"].append([person_id, printed])
        shown = printed or Person(**dict(zip(person_fields, person, strict=True))).full_name("en")
        result[publication_id]["printed"].append(shown)
    through = Publication.keywords.through
    for publication_id, keyword_id in (
        through.objects.using(using)
        .filter(publication_id__in=result)
        .order_by("publication_id", "keyword_id")
        .values_list("publication_id", "keyword_id")
    ):
        result[publication_id]["keywords"].append(keyword_id)
    return result


def said_status(fields):
    """The status the entry states, or None when it says nothing.

    Mapping gives "published" to an entry without `pubstate`; that only counts as
    saying "published" when the entry has a volume with pages or an article number.
    """
    status = fields.get("status")
    if status and status != Publication.Status.PUBLISHED:
        return status
    if fields.get("volume") and (fields.get("pages") or fields.get("article_number")):
        return Publication.Status.PUBLISHED.value
    return None


def _less_final(incoming, existing):
    """Whether the entry describes an earlier stage than the paper (it then only fills gaps)."""
    status = said_status(incoming)
    if status and STATUS_RANK[status] < STATUS_RANK.get(existing["status"], 2):
        return True
    return incoming.get("type") in VAGUE_TYPES and existing["type"] not in VAGUE_TYPES


def _field_change(name, old, new, record, fills_only):
    """Whether the entry's value `new` of this field replaces the paper's `old`."""
    if new in (None, "") or new == old:
        return False
    if name == "status":
        said = said_status(record["fields"])
        return said is not None and STATUS_RANK[said] > STATUS_RANK.get(old, 2)
    if name == "type":
        if entry_type_for(old) == record["entry_type"]:
            return False  # @article for a review, @misc for "other": the type fits
        return new not in VAGUE_TYPES or old in VAGUE_TYPES
    if old not in (None, "") and (fills_only or name in FILL_ONLY):
        return False
    # A title differing only in case, width or punctuation keeps the curated spelling.
    return not (name.startswith("title_") and title_key(new) == title_key(old))


def _authors_change(row, snapshot, fills_only):
    """Whether the entry's author list replaces the paper's (see the module docstring)."""
    old = snapshot["authors"]
    old_truncated = snapshot["fields"]["authors_truncated"]
    new = row.authors
    if not new:
        return False
    if not old or len(new) > len(old):
        return True
    if len(new) < len(old) or fills_only:
        return False
    other_people = any(
        old_id != new_id and names.name_key(old_printed or shown) != names.name_key(new_printed)
        for (old_id, old_printed), shown, (new_printed, new_id) in zip(
            old, snapshot["printed"], new, strict=True
        )
    )
    return other_people or (old_truncated and not row.record.get("truncated", False))


def field_changes(row, snapshot, keywords):
    """[(field name, old, new)] that applying this plan row to the paper it matched would make.

    Besides the content fields, "authors" and "keywords" compare the lists as the
    preview shows them. `snapshot` is the paper's (`snapshots`); `keywords` (the
    plan's `Keywords`) gives the names of the keywords shown.
    """
    incoming = row.record["fields"]
    existing = snapshot["fields"]
    fills_only = _less_final(incoming, existing)
    changes = [
        (name, existing[name], incoming[name])
        for name in CONTENT_FIELDS
        if name in incoming
        and _field_change(name, existing[name], incoming[name], row.record, fills_only)
    ]
    if _authors_change(row, snapshot, fills_only):
        truncated = row.record.get("truncated", False)
        suffix = " …" if truncated else ""
        old_suffix = " …" if existing["authors_truncated"] else ""
        new = [printed for printed, _person_id in row.authors]
        changes.append(
            ("authors", "; ".join(snapshot["printed"]) + old_suffix, "; ".join(new) + suffix)
        )
    added = [ref for ref in row.keyword_refs if ref not in snapshot["keywords"]]
    if added:
        old = [keywords.display(ref) for ref in snapshot["keywords"]]
        new = old + [keywords.display(ref) for ref in added]
        changes.append(("keywords", ", ".join(old), ", ".join(new)))
    return changes


# What the preview shows side by side for a possible duplicate, in this order.
COMPARED_FIELDS = (
    "title", "authors", "venue", "volume", "issue", "pages", "article_number",
    "year", "type", "status", "doi", "arxiv_id",
)  # fmt: skip


def comparison(entry_fields, entry_authors, stored_fields, stored_authors):
    """[(field name, stored value, entry value, whether they differ)] for the side-by-side view.

    `*_fields` are a paper's or a record's fields, `*_authors` lists of names as
    printed. Values that differ only in case, accents or punctuation do not differ.
    """

    def value(fields, authors, name):
        if name == "title":
            return fields.get("title_en") or fields.get("title_ja") or ""
        if name == "authors":
            return "; ".join(authors)
        if name == "type" and fields.get("type"):
            return str(Publication.Type(fields["type"]).label)
        if name == "status" and fields.get("status"):
            return str(Publication.Status(fields["status"]).label)
        return str(fields.get(name) or "")

    rows = []
    for name in COMPARED_FIELDS:
        stored = value(stored_fields, stored_authors, name)
        entry = value(entry_fields, entry_authors, name)
        if stored or entry:
            rows.append((name, stored, entry, not _same_text(stored, entry)))
    return rows
