"""The lab's papers in researchmap's bulk import format (業績一括登録, CSV).

researchmap.V2 CSV 項目定義書 (docs/sources-researchmap-orcid.md): one file per kind
of achievement; its first line is the kind alone (`published_papers`), the second the
column names, then one row per achievement. A row to add is `insert` with an empty
ID; `similar_merge` with the priority `input_data` has researchmap merge it into an
achievement it finds similar (the file's values winning) instead of refusing or
adding a second copy. Several values in one cell (authors) are written `[a,b]`, a
comma inside a value `\\,`; dates `yyyy`, `yyyy-mm` or `yyyy-mm-dd`; yes/no `TRUE` or
`FALSE`; languages as ISO 639-2 codes (`jpn`, `eng`). UTF-8 without a byte-order
mark (a BOM would become part of the first line's kind).

Books are not papers in researchmap (they are `books_etc`, another file with other
columns) and are left out.
"""

import csv
import io

from .. import names
from ..bibtex.export import printed_names
from ..models import Publication

KIND = "published_papers"
HEADER = [
    "アクション名", "アクションタイプ", "類似業績マージ優先度", "ID",
    "タイトル(日本語)", "タイトル(英語)", "著者(日本語)", "著者(英語)", "担当区分",
    "概要(日本語)", "概要(英語)", "出版者・発行元(日本語)", "出版者・発行元(英語)",
    "出版年月", "誌名(日本語)", "誌名(英語)", "巻", "号", "開始ページ", "終了ページ",
    "記述言語", "査読の有無", "招待の有無", "掲載種別", "国際・国内誌", "国際共著",
    "DOI", "ISSN", "eISSN", "URL", "URL2", "主要な業績かどうか", "公開の有無",
]  # fmt: skip
T = Publication.Type
# Publication type → 掲載種別. Only kinds whose researchmap counterpart is certain get
# one of their own; a chapter, a thesis, a preprint or another work is "others".
PAPER_TYPES = {
    T.ARTICLE: "scientific_journal",
    T.REVIEW: "scientific_journal",
    T.INVITED_REVIEW: "scientific_journal",
    T.CONFERENCE: "international_conference_proceedings",
}
LEFT_OUT = (T.BOOK,)


def papers(member=None, year_from=None, year_to=None):
    """The published papers to export: of one member's author (if given), in a year range.

    Only what visitors see: a paper hidden on the site is not one to announce on
    researchmap either.
    """
    queryset = Publication.objects.published().exclude(type__in=LEFT_OUT)
    if member is not None:
        if member.person_id is None:
            return queryset.none()
        queryset = queryset.filter(authorships__person_id=member.person_id)
    if year_from is not None:
        queryset = queryset.filter(year__gte=year_from)
    if year_to is not None:
        queryset = queryset.filter(year__lte=year_to)
    return queryset.with_authors().newest_first().distinct()


def _escaped(value):
    return value.replace(",", "\\,")


def _listed(values):
    return "[" + ",".join(_escaped(v) for v in values) + "]" if values else ""


def _by_script(text):
    """(ja, en): the text in the column of its script."""
    return (text, "") if names.is_cjk(text) else ("", text)


def _authors(publication):
    """(著者(日本語), 著者(英語)): as printed in the column of their script; the other
    column from the people's names in that script, when every author has one."""
    printed = [p for p, _family, _given in printed_names(publication)]
    people = [a.person for a in publication.ordered_authorships]
    ja_printed = any(names.is_cjk(p) for p in printed)
    if ja_printed:
        other = [p.full_name("en") for p in people]
        complete = all(p.family_name_en for p in people)
        return _listed(printed), _listed(other) if complete else ""
    other = [p.full_name("ja") for p in people]
    complete = all(p.family_name_ja for p in people)
    return _listed(other) if complete else "", _listed(printed)


def _pages(publication):
    first, _dash, last = publication.pages.partition("-")
    if not first and publication.article_number:
        return publication.article_number, ""  # an article number stands for the pages
    return first.strip(), last.strip()


def _date(publication):
    if publication.year is None:
        return ""
    parts = [f"{publication.year:04d}"]
    if publication.month:
        parts.append(f"{publication.month:02d}")
        if publication.day:
            parts.append(f"{publication.day:02d}")
    return "-".join(parts)


def _yes_no(value):
    """TRUE / FALSE, or empty when nobody said (researchmap keeps what it has)."""
    return {True: "TRUE", False: "FALSE"}.get(value, "")


def row(publication):
    """The CSV row of one paper, as {column: value}."""
    title_ja, title_en = publication.title_ja or "", publication.title_en or ""
    abstract_ja, abstract_en = publication.abstract_ja or "", publication.abstract_en or ""
    venue_ja, venue_en = _by_script(publication.venue)
    authors_ja, authors_en = _authors(publication)
    first, last = _pages(publication)
    # The paper's language as the editors set it (or the model guessed), else: written in
    # Japanese when the venue is Japanese or there is no English title.
    language = {"ja": "jpn", "en": "eng"}.get(
        publication.language, "jpn" if venue_ja or not title_en else "eng"
    )
    return {
        "アクション名": "insert",
        "アクションタイプ": "similar_merge",
        "類似業績マージ優先度": "input_data",
        "ID": "",
        "タイトル(日本語)": title_ja,
        "タイトル(英語)": title_en,
        "著者(日本語)": authors_ja,
        "著者(英語)": authors_en,
        "概要(日本語)": abstract_ja,
        "概要(英語)": abstract_en,
        "出版年月": _date(publication),
        "誌名(日本語)": venue_ja,
        "誌名(英語)": venue_en,
        "巻": publication.volume,
        "号": publication.issue,
        "開始ページ": first,
        "終了ページ": last,
        "記述言語": language,
        "査読の有無": _yes_no(publication.peer_reviewed),
        "招待の有無": _yes_no(publication.invited),
        "掲載種別": PAPER_TYPES.get(publication.type, "others"),
        "国際共著": _yes_no(publication.international_coauthorship),
        "DOI": publication.doi,
        "URL": publication.url,
        "主要な業績かどうか": "FALSE",
        "公開の有無": "disclosed",
    }


def to_csv(publications):
    """The whole file, as text (UTF-8 when written, no BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([KIND])
    writer.writerow(HEADER)
    for publication in publications:
        values = row(publication)
        writer.writerow([" ".join(str(values.get(name) or "").split()) for name in HEADER])
    return out.getvalue()
