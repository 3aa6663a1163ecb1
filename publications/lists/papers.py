"""Papers as an achievement list: their columns, and a formatter per style."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..bibtex.export import csl_item, printed_names
from ..markup import math_plain
from ..models import Publication
from . import csl
from .base import Column, Entry, Kind, Run, register

# The Japanese style lists this many authors, then 「他」 (docs/achievement-lists.md).
JA_MAX_AUTHORS = 10
# What a CSL style reads of a paper; the rest of the CSL-JSON export (abstract,
# keywords, note) is not printed by a list's styles.
CSL_KEYS = (
    "id", "type", "genre", "title", "author", "issued", "container-title", "publisher", "volume",
    "issue", "page", "number", "DOI",
)  # fmt: skip


def fiscal_year(year, month):
    """The Japanese fiscal year (April–March) of a date; a paper with a year and no month
    counts in the fiscal year of that year (April to December, nine of its months)."""
    if year is None:
        return None
    return year - 1 if month is not None and month < 4 else year


def original_title(paper):
    """The title in the paper's own language, else the other one."""
    first, second = (
        (paper.title_ja, paper.title_en)
        if paper.language == "ja"
        else (paper.title_en, paper.title_ja)
    )
    return math_plain(first or second or "")


def authors(paper):
    """[(name as printed, is a lab member)] in author order."""
    printed = printed_names(paper)
    return [
        (name, authorship.person.is_lab_member)
        for (name, _family, _given), authorship in zip(
            printed, paper.ordered_authorships, strict=True
        )
    ]


COLUMNS = [
    Column(_("Title"), original_title),
    Column(_("Authors"), lambda p: ", ".join(name for name, _m in authors(p))),
    Column(_("Lab members"), lambda p: ", ".join(name for name, member in authors(p) if member)),
    Column(_("Journal / venue"), lambda p: p.venue),
    Column(_("Volume"), lambda p: p.volume),
    Column(_("Issue"), lambda p: p.issue),
    Column(_("Pages"), lambda p: p.pages.replace("-", "–")),
    Column(_("Article number"), lambda p: p.article_number),
    Column(_("Year"), lambda p: p.year),
    Column(_("Month"), lambda p: p.month),
    Column(_("Fiscal year"), lambda p: fiscal_year(p.year, p.month)),
    Column(_("Type"), lambda p: p.get_type_display()),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Peer-reviewed"), lambda p: p.peer_reviewed),
    Column(_("Invited"), lambda p: p.invited),
    Column(_("International co-authorship"), lambda p: p.international_coauthorship),
    Column(_("Open access"), lambda p: p.open_access),
    Column(_("Language"), lambda p: p.get_language_display()),
    Column(_("DOI"), lambda p: p.doi),
    Column(_("URL"), lambda p: p.url or (f"https://doi.org/{p.doi}" if p.doi else "")),
]


# ---------------------------------------------------------------- the Japanese style

T = Publication.Type
BOOKS = {T.BOOK}
PUBLISHED_BY = {T.BOOK, T.THESIS}
JA = {"names": "，", "after_names": "：", "parts": "，", "end": "．",
      "title": "「{}」", "book": "『{}』", "venue": "『{}』", "pages": "{}頁",
      "year": "（{}）", "in-press": "（印刷中）", "accepted": "（採録決定）"}  # fmt: skip
EN = {"names": ", ", "after_names": ": ", "parts": ", ", "end": ".",
      "title": "“{}”", "book": "{}", "venue": "{}", "pages": "{}",
      "year": " ({})", "in-press": " (in press)", "accepted": " (accepted)"}  # fmt: skip
FLAGS = (
    ("peer_reviewed", "［査読有］"),
    ("invited", "［招待］"),
    ("international_coauthorship", "［国際共著］"),
    ("open_access", "［OA］"),
)


def japanese_entry(paper):
    """One paper in the Japanese style (the rules: docs/achievement-lists.md)."""
    rules = JA if paper.language == "ja" else EN
    runs = []
    names = authors(paper)
    for index, (name, member) in enumerate(names[:JA_MAX_AUTHORS]):
        if index:
            runs.append(Run(rules["names"]))
        runs.append(Run(name, member=member))
    if paper.authors_truncated or len(names) > JA_MAX_AUTHORS:
        runs.append(Run(rules["names"] + "他"))
    if names:
        runs.append(Run(rules["after_names"]))
    title = original_title(paper)
    parts = [(rules["book"] if paper.type in BOOKS else rules["title"]).format(title)]
    if paper.venue:
        parts.append(paper.venue if paper.type in BOOKS else rules["venue"].format(paper.venue))
    volume = paper.volume + (f"({paper.issue})" if paper.issue else "")
    if volume:
        parts.append(volume)
    if paper.pages:
        parts.append(rules["pages"].format(paper.pages.replace("-", "–")))
    elif paper.article_number:
        parts.append(paper.article_number)
    text = rules["parts"].join(parts)
    if paper.year:
        text += rules["year"].format(paper.year)
    text += rules.get(paper.status, "") + rules["end"]
    text += "".join(flag for name, flag in FLAGS if getattr(paper, name))
    runs.append(Run(text))
    return Entry(_joined(runs))


def _joined(runs):
    """Neighbouring runs drawn alike as one."""
    merged = []
    for run in runs:
        if merged and not run.member and not merged[-1].member:
            merged[-1] = Run(merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


# ---------------------------------------------------------------- CSL styles


def csl_of(paper, style):
    """The paper as a CSL-JSON item for a list: the export's item, its lab members marked."""
    item = {key: value for key, value in csl_item(paper).items() if key in CSL_KEYS}
    item["title"] = original_title(paper)
    if paper.type in PUBLISHED_BY and "container-title" in item:
        # The venue of a book or a thesis is who published it (as BibTeX's publisher
        # and school): a style prints it as the publisher, not as "In Venue".
        item["publisher"] = item.pop("container-title")
    if style == "acs" and "number" in item and "page" not in item:
        # ACS prints an article number where the pages go (Zotero stores it as the
        # pages); the style reads no `number` of a journal article.
        item["page"] = item.pop("number")
    marked = []
    for name, (_printed, member) in zip(item.get("author", []), authors(paper), strict=True):
        marked.append(csl.mark(name) if member else name)
    if marked:
        item["author"] = marked
    return item


def csl_formatter(key):
    def format_papers(papers):
        return csl.entries(key, [csl_of(paper, key) for paper in papers])

    return format_papers


PAPERS = register(
    Kind(
        key="papers",
        label=pgettext_lazy("kind of achievement", "Papers"),
        columns=COLUMNS,
        formatters={
            "ja": lambda papers: [japanese_entry(paper) for paper in papers],
            "acs": csl_formatter("acs"),
            "apa": csl_formatter("apa"),
        },
    )
)
