"""Which existing paper an entry is, and what updating that paper with it would change.

Matching follows PRODUCT.md's order: DOI (lower-cased, bare) → arXiv id (no
version) → normalised title (NFKC, case-folded, letters and digits only) + year
→ citation key. `index_publications` reads every existing paper's keys in one
query; `match_keys` gives an entry's keys in that order, so the first key found in
the index is the match.

An update only ever *adds or corrects* (`field_changes`): a field the entry leaves
empty keeps its value, keywords are added and never removed, and an entry type
that fits the paper's type (`@article` for a review) does not change it.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy

from ..models import Authorship, Person, Publication
from .mapping import entry_type_for

# The fields of a paper that an entry sets (an update compares them one by one).
CONTENT_FIELDS = (
    "title_ja", "title_en", "abstract_ja", "abstract_en", "note_ja", "note_en",
    "venue", "volume", "issue", "pages", "article_number", "numpages",
    "year", "month", "day", "doi", "url", "arxiv_id", "type", "status",
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
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def title_key(title):
    """NFKC, case-folded, letters and digits only: how two titles are compared."""
    return _NOT_ALPHANUMERIC.sub("", unicodedata.normalize("NFKC", title or "").casefold())


def index_publications(using):
    """{kind of match: {key: pk}} over every existing paper; the lowest pk wins a shared key."""
    index = {kind: {} for kind in MATCH_LABELS}
    rows = Publication.objects.using(using).values_list(
        "pk", "doi", "arxiv_id", "title_ja", "title_en", "year", "citation_key"
    )
    for pk, doi, arxiv_id, title_ja, title_en, year, citation_key in rows.order_by("pk").iterator():
        if doi:
            index["doi"].setdefault(doi.lower(), pk)
        if arxiv_id:
            index["arxiv"].setdefault(arxiv_id, pk)
        for title in (title_ja, title_en):
            if title_key(title):
                index["title"].setdefault((title_key(title), year), pk)
        if citation_key:
            index["key"].setdefault(citation_key, pk)
    return index


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
            keys.append(("title", (title_key(fields[name]), fields["year"])))
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


def field_changes(row, snapshot, keywords):
    """[(field name, old, new)] that applying this plan row to the paper it matched would make.

    Besides the content fields, "authors" and "keywords" compare the lists as the
    preview shows them. `snapshot` is the paper's (`snapshots`); `keywords` (the
    plan's `Keywords`) gives the names of the keywords shown.
    """
    incoming = row.record["fields"]
    existing = snapshot["fields"]
    changes = []
    for name in CONTENT_FIELDS:
        if name not in incoming or incoming[name] == existing[name]:
            continue
        if name.startswith("title_") and title_key(incoming[name]) == title_key(existing[name]):
            continue  # only case, width or punctuation differ: keep the curated spelling
        if (
            name == "type"
            and entry_type_for(existing["type"], existing["arxiv_id"]) == (row.record["entry_type"])
        ):
            continue  # @article for a review, @misc for "other": the type fits
        changes.append((name, existing[name], incoming[name]))
    if row.authors:
        old = snapshot["printed"]
        new = [printed for printed, _person_id in row.authors]
        truncated = row.record.get("truncated", False)
        if old != new or truncated != existing["authors_truncated"]:
            suffix = " …" if truncated else ""
            old_suffix = " …" if existing["authors_truncated"] else ""
            changes.append(("authors", "; ".join(old) + old_suffix, "; ".join(new) + suffix))
    added = [ref for ref in row.keyword_refs if ref not in snapshot["keywords"]]
    if added:
        old = [keywords.display(ref) for ref in snapshot["keywords"]]
        new = old + [keywords.display(ref) for ref in added]
        changes.append(("keywords", ", ".join(old), ", ".join(new)))
    return changes
