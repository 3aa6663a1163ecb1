"""researchmap (researchmap.jp) ⇄ the publications database.

In: a researcher's published papers ("論文", `published_papers`) through researchmap's
public read API, `GET https://api.researchmap.jp/{permalink}/published_papers`
(researchmap.V2 API 設計書, docs/sources-researchmap-orcid.md), each written as a
BibTeX entry (`entries`) and imported through the BibTeX import's preview → choice →
confirm → undo. Out: `researchmap_export.py` beside this module writes researchmap's
own bulk import CSV.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from ..bibtex.mapping import language_of
from . import entries, http

PAGE_SIZE = 100  # the API's default page; it allows up to 1,000
_NAMED = re.compile(r"[^\W_]")
# A permalink as researchmap.jp/{permalink} shows it (research.models.RESEARCHMAP_PATTERN).
PERMALINK = re.compile(
    r"^(?:https?://(?:www\.|api\.)?researchmap\.jp/)?([A-Za-z0-9][A-Za-z0-9_.-]{1,62})/?$"
)

# published_paper_type (掲載種別) → BibTeX entry type; the import maps that to ours.
ENTRY_TYPES = {
    "scientific_journal": "article",  # 学術雑誌
    "international_conference_proceedings": "inproceedings",  # 国際会議プロシーディングス
    "research_institution": "article",  # 研究機関紀要: a bulletin is a journal
    "symposium": "inproceedings",  # 研究発表ペーパー・要旨(全国大会、その他学術会議)
    "research_society": "inproceedings",  # 研究会、シンポジウム資料等
    "in_book": "incollection",  # 書籍等出版物の一部
    "master_thesis": "mastersthesis",
    "doctoral_thesis": "phdthesis",
    "others": "misc",
}
VENUE_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "mastersthesis": "school",
    "phdthesis": "school",
    "misc": "howpublished",
}
# ISO 639-2 codes of `languages` → what biblatex's langid says (kept in the source).
LANGIDS = {"jpn": "japanese", "eng": "english"}


def permalink_of(value):
    """The permalink in a pasted permalink or address, or "" when there is none."""
    match = PERMALINK.match((value or "").strip())
    return match.group(1) if match else ""


def _malformed(detail):
    return http.SourceUnavailable("researchmap", "malformed", detail=detail)


def page_items(payload):
    """(items, total) of one page of the list, checked against the documented shape."""
    items = payload.get("items", [])
    total = payload.get("total_items", len(items))
    if not isinstance(items, list) or not isinstance(total, int) or isinstance(total, bool):
        raise _malformed(_("no list of items"))
    if any(not isinstance(item, dict) for item in items):
        raise _malformed(_("an item of the list is not an achievement"))
    return items, total


def fetch_papers(permalink, progress=None):
    """Every published paper of a researcher's page (`fetch`)."""
    return fetch(permalink, "published_papers", progress)


def fetch(permalink, achievement_type, progress=None):
    """Every achievement of one type (`published_papers`, `presentations`, `awards`…) of a
    researcher's page, one request per page of the list.

    Raises http.NotFound for a permalink researchmap does not know, and
    http.SourceUnavailable when it cannot be read (offline, down, an unreadable answer).
    `progress(done, total)` hears each page.
    """
    items, start = [], 1
    while True:
        payload = http.get_json(
            "researchmap",
            f"/{permalink}/{achievement_type}",
            {"limit": PAGE_SIZE, "start": start},
            what=f"researchmap.jp/{permalink}",
        )
        page, total = page_items(payload)
        items += page
        if progress:
            progress(len(items), total)
        # The last page; or more than one import takes (the import refuses it, with
        # the count: no need to read the rest of a list that would not end).
        if not page or len(items) >= total or len(items) > settings.LABSITE_IMPORT_MAX_ENTRIES:
            return items
        start += len(page)


def _text(value, language):
    """A {"ja": …, "en": …} value in `language`, else in the other; "" when neither."""
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, dict):
        return ""
    other = "en" if language == "ja" else "ja"
    for lang in (language, other):
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            return " ".join(text.split())
    return ""


def _translated(fields, name, value, language):
    """`name` (and name_ja / name_en when the two languages differ) of a {ja, en} value.

    researchmap's "ja" field is often the English title typed twice, or an English title
    alone: each text goes to the column of its script, as the BibTeX import does.
    """
    if not isinstance(value, dict):
        value = {"ja": value} if isinstance(value, str) else {}
    texts = {}
    for lang in ("ja", "en"):
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            texts.setdefault(language_of(text), " ".join(text.split()))
    if not texts:
        return
    primary = texts.get(language) or next(iter(texts.values()))
    fields[name] = primary
    if len(texts) == 2:
        fields[f"{name}_ja"], fields[f"{name}_en"] = texts["ja"], texts["en"]


def _names(item, language):
    """The authors as printed, in the paper's language (else the other one's list)."""
    authors = item.get("authors")
    if not isinstance(authors, dict):
        return []
    other = "en" if language == "ja" else "ja"
    for lang in (language, other):
        people = authors.get(lang)
        if isinstance(people, list):
            names = [p.get("name", "") for p in people if isinstance(p, dict)]
            # A name is a name when it has a letter or digit: real lists carry stray
            # punctuation as an "author" (": " after a consortium's name).
            names = [n for n in names if isinstance(n, str) and _NAMED.search(n)]
            if names:
                return names
    return []


def _first(identifiers, name):
    values = identifiers.get(name) if isinstance(identifiers, dict) else None
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0].strip()
    return values.strip() if isinstance(values, str) else ""


def _url(item):
    for link in item.get("see_also") or []:
        if isinstance(link, dict) and link.get("label") == "url" and link.get("@id"):
            return str(link["@id"])
    return ""


def _flag(value):
    return {True: "true", False: "false"}.get(value, "")


def bibtex_entry(item, number=1):
    """One achievement of the list → a BibTeX entry, keyed by its researchmap id (else
    its place in the list)."""
    codes = item.get("languages") if isinstance(item.get("languages"), list) else []
    title = item.get("paper_title") if isinstance(item.get("paper_title"), dict) else {}
    english = title.get("en") if isinstance(title.get("en"), str) else ""
    # Written in Japanese: researchmap says so, or the paper has no English title.
    language = "ja" if ("jpn" in codes and "eng" not in codes) or not english.strip() else "en"
    entry_type = ENTRY_TYPES.get(str(item.get("published_paper_type") or ""), "article")
    fields = {}
    _translated(fields, "title", item.get("paper_title"), language)
    fields[VENUE_FIELD[entry_type]] = _text(item.get("publication_name"), language)
    fields["publisher"] = _text(item.get("publisher"), language)
    fields["volume"] = str(item.get("volume") or "")
    fields["number"] = str(item.get("number") or "")
    first, last = str(item.get("starting_page") or ""), str(item.get("ending_page") or "")
    fields["pages"] = f"{first}-{last}" if first and last and first != last else first or last
    fields["date"] = str(item.get("publication_date") or "")
    identifiers = item.get("identifiers")
    fields["doi"] = _first(identifiers, "doi")
    arxiv = _first(identifiers, "arxiv_id")
    if arxiv:
        fields["eprint"], fields["archiveprefix"] = arxiv, "arXiv"
    fields["url"] = _url(item)
    _translated(fields, "abstract", item.get("description"), language)
    # One language: the import reads it (the paper's language); several stay unsaid.
    fields["langid"] = LANGIDS.get(codes[0], "") if len(codes) == 1 else ""
    # Kept in the stored source too (BibTeX has no field for them; `list_fields`).
    fields["refereed"] = _flag(item.get("referee"))
    fields["invited"] = _flag(item.get("invited"))
    fields["researchmap"] = str(item.get("@id") or "")
    return entries.entry(entry_type, key_of(item, number), fields, _names(item, language))


# researchmap's yes/no fields → the paper's fields for achievement lists (issue 21). BibTeX
# has no field for them: they go into the import's record beside the entry (`list_fields`).
# The names are the API's (recorded answers, tests/publications/data/recorded/researchmap/):
# international co-authorship is `is_international_collaboration`.
LIST_FIELDS = {
    "referee": "peer_reviewed",
    "invited": "invited",
    "is_international_collaboration": "international_coauthorship",
}


def key_of(item, number):
    return f"researchmap-{re.sub(r'[^A-Za-z0-9_.-]', '', str(item.get('rm:id') or '')) or number}"


def list_fields(items):
    """{entry key: {field: True/False}} of what researchmap says (unsaid: left out)."""
    return {
        key_of(item, n): {
            field: item[name]
            for name, field in LIST_FIELDS.items()
            if isinstance(item.get(name), bool)
        }
        for n, item in enumerate(items, 1)
    }


def bibtex(items):
    """The BibTeX text of a list of achievements."""
    return "\n\n".join(bibtex_entry(item, n) for n, item in enumerate(items, 1)) + "\n"
