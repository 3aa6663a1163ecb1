"""Finding the DOI of a paper that has none: Crossref's bibliographic search, scored.

`search(paper)` asks Crossref's `/works` search for the five works closest to the
paper's title, venue and year by its first author, within a year either side of its
year, and returns them as `Candidate`s, best first. `score()` is a plain function of
the paper and one Crossref work (docs/data-health.md explains the weights):

- title, 60 points: the similarity of the two titles (difflib's ratio) after both
  are reduced to words (NFKC, case-folded, math and markup as plain text);
- first author, 20 points: the paper's first author's family name is Crossref's first
  author's (10 when it is only further down Crossref's list);
- year, 10 points: the same year (5 for a year apart: online first, printed later);
- venue, 10 points: the journal's name, full or abbreviated ("J. Phys. Chem. Lett." and
  "The Journal of Physical Chemistry Letters" are one): the share of words that agree;
- minus 15 for each contradiction the import's identity rules also count: a different
  volume, or a different first page or article number (both known).

`accept()` records the DOIs an editor (or `find_dois --accept-above`) chose as one
applied ImportBatch of origin "crossref-match", with each paper's state before and
after, so that the import's undo (bibtex/undo.py) takes them back.
"""

import difflib
import html
import logging
import re
import unicodedata
from dataclasses import dataclass, field

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import names
from ..bibtex import locking
from ..bibtex.matching import comparison, snapshots
from ..markup import math_plain
from ..models import ImportBatch, ImportItem, Publication, normalise_doi
from . import http, jats

logger = logging.getLogger(__name__)

ROWS = 5
# Only what scoring and the comparison read (Crossref's `select`, a smaller answer).
SELECT = (
    "DOI,title,subtitle,author,container-title,short-container-title,issued,volume,issue,"
    "page,article-number,type"
)
WEIGHTS = {"title": 60, "author": 20, "year": 10, "venue": 10}
CONTRADICTION = 15
# Words a journal's abbreviation leaves out (ISO 4).
_VENUE_STOPWORDS = {"the", "of", "and", "for", "in", "on", "a", "an", "&", "und", "de"}
_WORD = re.compile(r"[^\W_]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


class NoDOIToFind(Exception):
    """The paper has a DOI already, or nothing to search by (no title)."""


@dataclass
class Candidate:
    doi: str
    score: int
    work: dict  # the Crossref work as it came
    fields: dict  # the work as a paper's fields (title_en, venue, volume, …, year)
    authors: list  # printed names, in Crossref's order
    parts: dict = field(default_factory=dict)  # points per criterion, and contradictions
    differences: list = field(default_factory=list)  # matching.comparison() rows
    taken_by: object = None  # the stored paper that has this DOI already

    @property
    def url(self):
        return f"https://doi.org/{self.doi}"

    def to_json(self):
        """What a background search stores of it (DoiSearchResult.candidates): what the
        page shows and what choosing reads, not Crossref's whole work."""
        return {
            "doi": self.doi,
            "score": self.score,
            "parts": self.parts,
            "differences": [list(row) for row in self.differences],
            "taken_by": self.taken_by.pk if self.taken_by is not None else None,
        }

    @classmethod
    def from_json(cls, data):
        """A stored candidate again (`taken_by`: the pk stored, or the paper if given)."""
        return cls(
            data["doi"],
            data["score"],
            work={},
            fields={},
            authors=[],
            parts=data.get("parts") or {},
            differences=[tuple(row) for row in data.get("differences") or []],
            taken_by=data.get("taken_by"),
        )


# What `verdict` says of a paper's candidates against a threshold.
NONE, BELOW, RIVAL, TAKEN, CHOSEN, ACCEPTED = (
    "none",
    "below",
    "rival",
    "taken",
    "chosen",
    "accepted",
)


def verdict(candidates, threshold, chosen_dois):
    """Whether the best candidate is certain enough to record without a look: (verdict,
    the candidate it is about). ACCEPTED when it scores at least `threshold`, no other
    candidate does too (RIVAL), no other paper has its DOI (TAKEN) and it is not among
    `chosen_dois` (lower-cased DOIs chosen for other papers: CHOSEN); else why not.
    The rule of `find_dois --accept-above` and of the admin's "accept every candidate
    scoring at least".
    """
    if not candidates:
        return NONE, None
    best = candidates[0]
    if best.score < threshold:
        return BELOW, best
    if len(candidates) > 1 and candidates[1].score >= threshold:
        return RIVAL, candidates[1]
    if best.taken_by is not None:
        return TAKEN, best
    if best.doi.lower() in chosen_dois:
        return CHOSEN, best
    return ACCEPTED, best


def paper_title(paper):
    return paper.title_en or paper.title_ja or ""


def plain(text):
    """Text without its markup (Crossref's <sub>, <i>, <jats:…>) and entities."""
    return html.unescape(nh3.clean(text or "", tags=set()))


def words(text):
    """The words of a title or venue: math and markup as plain text, NFKC, case-folded."""
    text = plain(math_plain(text or ""))
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(names.fold(text))


def title_similarity(a, b):
    """0–1: how alike two titles are as sequences of characters of their words."""
    x, y = " ".join(words(a)), " ".join(words(b))
    if not x or not y:
        return 0.0
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def _abbreviates(short, long):
    """Whether one venue word abbreviates the other: "phys" physical, "jpn" japan, "j" journal."""
    if len(short) > len(long):
        short, long = long, short
    if short == long:
        return True
    if short[0] != long[0] or short.isdigit() or long.isdigit():
        return False
    rest = iter(long[1:])
    return all(letter in rest for letter in short[1:])


def venue_similarity(a, b):
    """0–1: the share of venue words that agree in order, abbreviations included.

    The longest run of words that agree in order (a longest common subsequence), over
    the number of words of the longer name, both without ISO 4's omitted words and a
    parenthesised acronym: "Phys. Rev. B" = "Physical Review B" (1.0), "Microscopy" and
    "Microscopy and Microanalysis" share half.
    """
    x = [w for w in words(_PARENTHESES.sub(" ", a or "")) if w not in _VENUE_STOPWORDS]
    y = [w for w in words(_PARENTHESES.sub(" ", b or "")) if w not in _VENUE_STOPWORDS]
    if not x or not y:
        return 0.0
    lengths = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i, u in enumerate(x):
        for j, v in enumerate(y):
            lengths[i + 1][j + 1] = (
                lengths[i][j] + 1
                if _abbreviates(u, v)
                else max(lengths[i][j + 1], lengths[i + 1][j])
            )
    return lengths[-1][-1] / max(len(x), len(y))


def _first(values):
    return (values or [""])[0] if isinstance(values, list) else (values or "")


def work_year(work):
    """The year Crossref gives the work: `issued` (the earlier of print and online)."""
    for name in ("issued", "published", "published-print", "published-online"):
        parts = (work.get(name) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def work_authors(work):
    """[(family name, printed name)] of a Crossref work's authors, in its order."""
    found = []
    for author in work.get("author") or []:
        family = author.get("family") or author.get("name") or ""
        printed = " ".join(filter(None, [author.get("given"), family]))
        if family:
            found.append((family, printed))
    return found


def work_fields(work):
    """A Crossref work as a paper's fields, for the side-by-side comparison."""
    # As the site would store them (h2's JATS reader: sub- and superscripts as math).
    title = jats.to_text(_first(work.get("title")))
    subtitle = jats.to_text(_first(work.get("subtitle")))
    if subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    page = str(work.get("page") or "")
    return {
        "title_en": title,
        "venue": jats.to_text(_first(work.get("container-title"))),
        "volume": str(work.get("volume") or ""),
        "issue": str(work.get("issue") or ""),
        "pages": page if not work.get("article-number") or "-" in page else "",
        "article_number": str(work.get("article-number") or ""),
        "year": work_year(work),
        "doi": normalise_doi(work.get("DOI") or ""),
    }


def paper_facts(paper):
    """What scoring reads of a stored paper: its fields and its authors' family names."""
    authors = []
    for authorship in paper.ordered_authorships:
        person = authorship.person
        families = {person.family_name_en, person.family_name_ja}
        if authorship.as_printed:
            families.add(names.split_name(authorship.as_printed).family)
        printed = authorship.as_printed or person.full_name("en")
        authors.append(({names.family_key(f) for f in families if f}, printed))
    return {
        "title": paper.title_en or paper.title_ja,
        "venue": paper.venue,
        "year": paper.year,
        "volume": paper.volume,
        "first_page": _first_page(paper.pages),
        "article_number": paper.article_number,
        "authors": authors,
    }


def _first_page(pages):
    return re.split(r"\s*[-–—]\s*", str(pages or "").strip())[0]


def score(facts, work):
    """(points out of 100, {criterion: points, "contradictions": [names]}) of one work."""
    fields = work_fields(work)
    titles = [fields["title_en"], _first(work.get("title"))]
    parts = {
        "title": WEIGHTS["title"] * max(title_similarity(facts["title"], t) for t in titles),
    }
    theirs = [names.family_key(family) for family, _printed in work_authors(work)]
    first = facts["authors"][0][0] if facts["authors"] else set()
    if theirs and first & {theirs[0]}:
        parts["author"] = WEIGHTS["author"]
    elif first & set(theirs):
        parts["author"] = WEIGHTS["author"] / 2
    else:
        parts["author"] = 0
    year = fields["year"]
    if facts["year"] and year:
        gap = abs(facts["year"] - year)
        parts["year"] = WEIGHTS["year"] if gap == 0 else WEIGHTS["year"] / 2 if gap == 1 else 0
    else:
        parts["year"] = 0
    venues = [_first(work.get("container-title")), *(work.get("short-container-title") or [])]
    parts["venue"] = WEIGHTS["venue"] * max(venue_similarity(facts["venue"], v) for v in venues)
    contradictions = []
    if facts["volume"] and fields["volume"] and _key(facts["volume"]) != _key(fields["volume"]):
        contradictions.append("volume")
    ours = {_key(v) for v in (facts["first_page"], facts["article_number"]) if v}
    page = str(work.get("page") or "")
    theirs_place = {_key(v) for v in (_first_page(page), work.get("article-number")) if v}
    if ours and theirs_place and not ours & theirs_place:
        contradictions.append("pages")
    parts["contradictions"] = contradictions
    total = sum(parts[name] for name in WEIGHTS) - CONTRADICTION * len(contradictions)
    return max(0, round(total)), parts


def _key(value):
    return "".join(_WORD.findall(str(value or "").casefold()))


def query_params(paper, facts=None):
    """The `/works` search for a paper: bibliographic text, first author, years, rows."""
    facts = facts or paper_facts(paper)
    text = " ".join(
        str(part) for part in (math_plain(facts["title"]), facts["venue"], facts["year"]) if part
    )
    params = {"query.bibliographic": text, "rows": str(ROWS), "select": SELECT}
    if facts["authors"]:
        params["query.author"] = names.split_name(facts["authors"][0][1]).family
    if facts["year"]:
        params["filter"] = f"from-pub-date:{facts['year'] - 1},until-pub-date:{facts['year'] + 1}"
    return params


def search(paper):
    """The Crossref works that could be this paper, as Candidates, best first.

    Raises NoDOIToFind for a paper that has a DOI or no title, and the HTTP client's
    SourceUnavailable when Crossref cannot be asked or answers nonsense.
    """
    if paper.doi:
        raise NoDOIToFind(_("This paper has a DOI already."))
    facts = paper_facts(paper)
    if not facts["title"]:
        raise NoDOIToFind(_("This paper has no title to search by."))
    answer = http.get_json(
        "crossref", "/works", query_params(paper, facts), what=_("a bibliographic search")
    )
    message = answer.get("message")
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise http.SourceUnavailable("crossref", "malformed", detail="no list of works")
    candidates = []
    stored = {
        "title_en": paper.title_en or paper.title_ja,
        "venue": paper.venue,
        "volume": paper.volume,
        "issue": paper.issue,
        "pages": paper.pages,
        "article_number": paper.article_number,
        "year": paper.year,
    }
    stored_authors = [printed for _families, printed in facts["authors"]]
    unreadable = 0
    for work in items:
        try:
            candidate = _candidate(facts, work, stored, stored_authors)
        except (TypeError, AttributeError, ValueError, IndexError) as error:
            # A work whose fields are not of Crossref's types (a title that is a number,
            # an author that is a string): skipped, the others still shown.
            logger.warning("unreadable Crossref work %r: %s", str(work)[:200], error)
            unreadable += 1
            continue
        if candidate is not None:
            candidates.append(candidate)
    if items and unreadable == len(items):
        raise http.SourceUnavailable("crossref", "malformed", detail="no readable work")
    # Best first; Crossref's own order (its relevance) breaks ties.
    candidates.sort(key=lambda c: -c.score)
    _mark_taken(candidates)
    return candidates


def _candidate(facts, work, stored, stored_authors):
    """One Crossref work as a Candidate (None without a DOI)."""
    fields = work_fields(work)
    if not fields["doi"]:
        return None
    points, parts = score(facts, work)
    authors = [printed for _family, printed in work_authors(work)]
    differences = [
        (name, ours, theirs, differs and not _same_in_effect(name, ours, theirs))
        for name, ours, theirs, differs in comparison(fields, authors, stored, stored_authors)
        if name not in ("doi", "type", "status", "arxiv_id")
    ]
    return Candidate(fields["doi"], points, work, fields, authors, parts, differences)


def _same_in_effect(name, ours, theirs):
    """Spellings that the comparison marks but that say the same: a journal's abbreviation
    ("Phys. Rev. B" / "Physical Review B"), authors given with initials or in full
    ("T. Mizoguchi" / "Teruyasu Mizoguchi": the same family names in the same order)."""
    if name == "venue":
        return venue_similarity(ours, theirs) == 1
    if name == "authors":
        families = [
            [names.family_key(names.split_name(n).family) for n in side.split("; ")]
            for side in (ours, theirs)
        ]
        return families[0] == families[1]
    return False


def _mark_taken(candidates):
    """Note on each candidate the stored paper that already has its DOI (one query)."""
    dois = {c.doi.lower() for c in candidates}
    taken = {
        paper.doi_lower: paper
        for paper in Publication.objects.annotate(doi_lower=Lower("doi"))
        .filter(doi_lower__in=dois)
        .only("pk", "slug", "title_ja", "title_en", "year", "doi")
    }
    for candidate in candidates:
        candidate.taken_by = taken.get(candidate.doi.lower())


class AcceptError(Exception):
    pass


def accept(choices, user=None, source=ImportBatch.Source.ADMIN, using="default"):
    """Give each paper its chosen DOI, as one undoable batch: {paper pk: DOI} → batch.

    All or nothing, under the import lock: a paper that has a DOI by now, or a DOI
    another paper has, refuses the whole batch with AcceptError (nothing written).
    """
    choices = {pk: normalise_doi(doi) for pk, doi in choices.items()}
    if not choices:
        raise AcceptError(_("No DOI was chosen."))
    with transaction.atomic(using=using):
        batch = ImportBatch.objects.using(using).create(
            status=ImportBatch.Status.PENDING,
            source=source,
            origin=ImportBatch.Origin.CROSSREF_MATCH,
            filename="Crossref",
            created_by=user if user is not None and user.is_authenticated else None,
        )
        locking.lock_imports(batch, using)
        papers = Publication.objects.using(using).in_bulk(list(choices))
        _check_choices(choices, papers, using)
        before = snapshots(list(choices), using)
        for pk, doi in choices.items():
            paper = papers[pk]
            paper.doi = doi
            paper.save(using=using, update_fields=["doi", "updated_at"])
        after = snapshots(list(choices), using)
        ImportItem.objects.using(using).bulk_create(
            ImportItem(
                batch=batch,
                kind=ImportItem.Kind.PUBLICATION_UPDATED,
                object_id=pk,
                label=str(papers[pk].title_en or papers[pk].title_ja)[:500],
                before=before[pk],
                after=after[pk],
            )
            for pk in choices
        )
        batch.status = ImportBatch.Status.APPLIED
        batch.updated_count = len(choices)
        batch.applied_at = timezone.now()
        batch.save(using=using)
    return batch


def _check_choices(choices, papers, using):
    missing = [pk for pk in choices if pk not in papers]
    if missing:
        raise AcceptError(_("The paper #%(pk)s no longer exists.") % {"pk": missing[0]})
    for pk in choices:
        if papers[pk].doi:
            raise AcceptError(
                _("“%(paper)s” has the DOI %(doi)s already; nothing was changed.")
                % {"paper": papers[pk].title_en or papers[pk].title_ja, "doi": papers[pk].doi}
            )
    for doi in choices.values():
        try:
            if not doi:
                raise ValidationError(_("A DOI looks like 10.1093/jmicro/dfaf038."))
            Publication._meta.get_field("doi").run_validators(doi)
        except ValidationError as error:
            raise AcceptError(f"{doi} {' '.join(error.messages)}".strip()) from error
    lowered = [doi.lower() for doi in choices.values()]
    if len(set(lowered)) < len(lowered):
        raise AcceptError(_("Two papers would get the same DOI; nothing was changed."))
    other = (
        Publication.objects.using(using)
        .annotate(doi_lower=Lower("doi"))
        .filter(doi_lower__in=lowered)
        .first()
    )
    if other is not None:
        raise AcceptError(
            _("Another paper, “%(paper)s”, has the DOI %(doi)s; nothing was changed.")
            % {"paper": other.title_en or other.title_ja, "doi": other.doi}
        )
