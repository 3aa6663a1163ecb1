"""Publications → BibTeX, RIS, CSL-JSON and plain text.

BibTeX is lossless: importing what it writes changes nothing (tests prove it over
the lab's content and a file of hard cases).

- A paper imported from BibTeX is written as its **raw entry** when that entry
  still says exactly what the paper says now (it is parsed and compared: an edit
  in the admin since the import, or an `@string` macro the entry needs, makes it
  stale). Otherwise the entry is **generated** from the fields.
- Generated text is escaped for LaTeX: `\\ { } $ % & # _ ~ ^` become commands,
  `--` and quote ligatures are broken up, words with capitals inside (ELNES, MoS)
  are brace-protected from BibTeX styles, and `$…$` math is written as it is.
  Letters outside ASCII (ö, 溝口) stay UTF-8, as BibLaTeX/Biber and modern
  BibTeX expect.

Every function takes publications from `Publication.objects.for_export()`
(authors and keywords prefetched), so exporting any number of papers costs a
constant number of queries.
"""

import json
import re

from django.utils.text import slugify

from .. import names, search
from ..markup import math_plain
from ..models import Publication
from . import latex, mapping, parsing
from .matching import CONTENT_FIELDS

FORMATS = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csljson": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}
T = Publication.Type
VENUE_FIELD = {
    T.CONFERENCE: "booktitle",
    T.CHAPTER: "booktitle",
    T.BOOK: "publisher",
    T.THESIS: "school",
    T.OTHER: "howpublished",
}
RIS_TYPES = {
    T.ARTICLE: "JOUR", T.REVIEW: "JOUR", T.INVITED_REVIEW: "JOUR", T.CONFERENCE: "CPAPER",
    T.BOOK: "BOOK", T.CHAPTER: "CHAP", T.PREPRINT: "UNPB", T.THESIS: "THES", T.OTHER: "GEN",
}  # fmt: skip
# CSL 1.0.2, Appendix III: a review *article* is a journal article (`review` is a review
# *of* another work), a preprint is `article` ("preprints, working papers … posted on a
# platform where some level of persistence … is expected"), a paper in proceedings
# `paper-conference`.
CSL_TYPES = {
    T.ARTICLE: "article-journal", T.REVIEW: "article-journal", T.INVITED_REVIEW: "article-journal",
    T.CONFERENCE: "paper-conference", T.BOOK: "book", T.CHAPTER: "chapter",
    T.PREPRINT: "article", T.THESIS: "thesis", T.OTHER: "document",
}  # fmt: skip
PUBSTATE = {"in-press": "inpress", "accepted": "accepted"}
MONTH_MACROS = parsing.MONTHS

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# BibTeX (and bibtexparser) count every brace, escaped or not, to find a value's end:
# a lone brace in the text is written as a macro when `\{` would unbalance the value.
_LONE_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_SPECIAL = re.compile(r"[\\{}$%&#_~^]")
_LIGATURES = re.compile(r"-(?=-)|`(?=`)|'(?=')|[?!](?=`)")
_WORD = re.compile(r"[^\W_]+")
_INNER_CAPITAL = re.compile(r"[^\W_][A-Z]")
# The stored text's own markup, read left to right like the decoder does: `\$` is a
# literal dollar, `$…$` inline math (LaTeX, written as it is); everything else is text.
_ESCAPED_DOLLAR_OR_MATH = re.compile(r"(\\\$|\$(?:[^$\\]|\\.)+\$)")


# ---------------------------------------------------------------- LaTeX escaping


def _balanced(text):
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def _escape_text(text, protect_capitals, specials):
    def escape(segment):
        segment = _SPECIAL.sub(lambda m: specials[m.group()], segment)
        return _LIGATURES.sub(lambda m: m.group() + "{}", segment)

    parts, last = [], 0
    for word in _WORD.finditer(text):
        parts.append(escape(text[last : word.start()]))
        if protect_capitals and _INNER_CAPITAL.search(word.group()):
            parts.append("{" + word.group() + "}")
        else:
            parts.append(word.group())
        last = word.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def latex_escape(text, protect_capitals=False):
    """Stored text as a LaTeX field value that decodes back to the same text.

    The value is always valid BibTeX (its braces balance), `$…$` math is written as
    it is when its braces balance, a literal dollar (`\\$` in the stored text) stays
    `\\$`, and runs of white space are one space (NFC), as the import stores them.
    """
    pieces = _ESCAPED_DOLLAR_OR_MATH.split(latex.clean_space(text or ""))
    math = [n for n in range(1, len(pieces), 2) if pieces[n] != "\\$" and _balanced(pieces[n])]
    texts = "".join(piece for n, piece in enumerate(pieces) if n not in math)
    specials = _SPECIALS if _balanced(texts) else {**_SPECIALS, **_LONE_BRACES}
    result = []
    for n, piece in enumerate(pieces):
        if n in math or piece == "\\$":
            result.append(piece)
        elif n % 2:  # math with unbalanced braces: its dollars and text escaped
            result.append("\\$" + _escape_text(piece[1:-1], protect_capitals, specials) + "\\$")
        else:
            result.append(_escape_text(piece, protect_capitals, specials))
    return "".join(result)


# ---------------------------------------------------------------- names


def printed_names(publication):
    """[(printed, family, given)] of a paper's authors, in order."""
    result = []
    for authorship in publication.ordered_authorships:
        person = authorship.person
        printed = authorship.as_printed or person.full_name("en")
        for family in (person.family_name_en, person.family_name_ja):
            if family and family in printed:
                given = printed.replace(family, "", 1).strip(" ,")
                break
        else:
            family, given = names.split_name(printed)
        result.append((printed, family, given))
    return result


def _bibtex_name(printed, family, given):
    escaped = latex_escape(printed)
    if not given and " " in family:
        return "{" + escaped + "}"  # a corporate or brace-protected name stays whole
    parsed, truncated = parsing.split_names(escaped)
    if len(parsed) == 1 and not truncated and parsed[0].printed == printed:
        return escaped
    return "{" + latex_escape(family) + "}, " + latex_escape(given)


# ---------------------------------------------------------------- BibTeX


def citation_key(publication):
    """The paper's key, or one made of the first author's family name, year and title."""
    if publication.citation_key:
        return publication.citation_key
    authors = printed_names(publication)
    family = slugify(authors[0][1]).replace("-", "") if authors else ""
    title = publication.title_en or publication.title_ja or ""
    word = next((slugify(w) for w in title.split() if len(slugify(w)) > 3), "")
    year = publication.year or ""  # undated: no year in the key
    return f"{family or 'paper'}{year}{word}".lower() or f"paper{publication.pk}"


def _record_of(publication):
    """What importing this paper's generated or raw entry must reproduce."""
    fields = {name: getattr(publication, name) for name in CONTENT_FIELDS}
    return {key: value for key, value in fields.items() if value not in ("", None)}


def _raw_is_current(publication):
    """Whether the stored raw entry, imported again, says exactly what the paper says."""
    raw = publication.bibtex.strip()
    if not raw:
        return False
    try:
        result = parsing.parse(raw)
    except parsing.LimitExceeded:  # a source edited into something no import would take
        return False
    if len(result.entries) != 1 or result.problems:
        return False
    entry = result.entries[0]
    record = mapping.to_record(entry)
    if "error" in record or entry.key != (publication.citation_key or entry.key):
        return False
    expected = _record_of(publication)
    got = dict(record["fields"])
    # The language an entry states is read only into a new paper (not a content field
    # an update compares): the raw entry is current while it states the paper's.
    if got.pop("language", publication.language) != publication.language:
        return False
    if got.get("type") != expected.get("type"):
        if (
            mapping.entry_type_for(expected["type"], expected.get("arxiv_id"))
            != (record["entry_type"])
        ):
            return False
        got["type"] = expected["type"]
    if got != expected:
        return False
    if [a[0] for a in record["authors"]] != [p for p, _f, _g in printed_names(publication)]:
        return False
    if record["truncated"] != publication.authors_truncated:
        return False
    keywords = {k.pk for k in publication.keywords.all()}
    incoming = {search.normalise_key(k) for k in record["keywords"]}
    mine = {
        key
        for k in publication.keywords.all()
        for key in (k.name_key_ja, k.name_key_en, k.slug)
        if key
    }
    return incoming <= mine and len(incoming) == len(keywords)


def _keyword_name(keyword):
    name = keyword.name_en or keyword.name_ja
    return keyword.slug if not name or re.search(r"[,;{}\\]", name) else name


def _translated_fields(publication, name):
    """[(bibtex field, value)] for a ja/en field, so that importing puts each column back.

    `name` holds one language (English when there is one); import puts it in the
    column of its script, so `name_ja` / `name_en` are added (possibly empty) for
    each column that would otherwise come back different.
    """
    values = {lang: getattr(publication, f"{name}_{lang}") or "" for lang in ("ja", "en")}
    primary = values["en"] or values["ja"]
    if not primary:
        return []
    lands = mapping.language_of(primary)
    result = [(name, primary)]
    for lang in ("ja", "en"):
        if values[lang] != (primary if lands == lang else ""):
            result.append((f"{name}_{lang}", values[lang]))
    return result


def generated_bibtex(publication, key=None):
    """A BibTeX entry made from the paper's fields, escaped for LaTeX."""
    p = publication
    lines = []

    def add(name, value, raw=False, bare=False):
        if value in ("", None):
            return
        value = str(value)
        if bare:
            lines.append(f"  {name} = {value}")
        else:
            lines.append(f"  {name} = {{{value if raw else latex_escape(value)}}}")

    authors = [_bibtex_name(*n) for n in printed_names(p)]
    if p.authors_truncated:
        authors.append("others")
    if authors:
        lines.append(f"  author = {{{' and '.join(authors)}}}")
    for name, value in _translated_fields(p, "title"):
        lines.append(f"  {name} = {{{latex_escape(value, protect_capitals=True)}}}")
    add(VENUE_FIELD.get(p.type, "journal"), p.venue)
    add("volume", p.volume)
    add("number", p.issue)
    add("pages", p.pages.replace("-", "--") if p.pages else "", raw=True)
    add("eid", p.article_number)
    add("numpages", p.numpages)
    add("year", p.year)
    if p.month:
        add("month", MONTH_MACROS[p.month - 1], bare=True)
        add("day", p.day)
    add("doi", p.doi, raw=True)
    add("url", p.url, raw=True)
    if p.arxiv_id:
        add("eprint", p.arxiv_id, raw=True)
        add("archiveprefix", "arXiv")
    add("pubstate", PUBSTATE.get(p.status))
    keywords = [_keyword_name(k) for k in p.keywords.all()]
    if keywords:
        lines.append(f"  keywords = {{{', '.join(latex_escape(k) for k in keywords)}}}")
    for name in ("note", "abstract"):
        for field_name, value in _translated_fields(p, name):
            lines.append(f"  {field_name} = {{{latex_escape(value)}}}")
    entry_type = mapping.entry_type_for(p.type, p.arxiv_id)
    return f"@{entry_type}{{{key or citation_key(p)},\n" + ",\n".join(lines) + "\n}"


def bibtex_entry(publication, key=None):
    if _raw_is_current(publication) and key in (None, publication.citation_key):
        return publication.bibtex.strip()
    return generated_bibtex(publication, key)


def to_bibtex(publications):
    """One BibTeX text for these papers; keys made unique within the file."""
    used, entries = set(), []
    for publication in publications:
        key = citation_key(publication)
        unique, n = key, 0
        while unique in used:
            n += 1
            unique = f"{key}{chr(ord('a') + (n - 1) % 26)}{(n - 1) // 26 or ''}"
        used.add(unique)
        entries.append(bibtex_entry(publication, unique if unique != key else None))
    return "\n\n".join(entries) + ("\n" if entries else "")


# ---------------------------------------------------------------- RIS


def ris_record(publication):
    p = publication
    lines = [("TY", RIS_TYPES.get(p.type, "GEN")), ("ID", citation_key(p))]
    lines += [
        ("AU", f"{family}, {given}" if given else family) for _p, family, given in printed_names(p)
    ]
    lines.append(("TI", math_plain(p.title)))
    if p.venue:
        lines.append(("T2", p.venue))
        if p.type in (T.ARTICLE, T.REVIEW, T.INVITED_REVIEW):
            lines.append(("JO", p.venue))
    if p.year:  # undated: no PY, no DA
        lines.append(("PY", str(p.year)))
    if p.year and p.month:
        lines.append(("DA", f"{p.year:04d}/{p.month:02d}/{p.day or 0:02d}/".replace("/00/", "//")))
    lines += [("VL", p.volume), ("IS", p.issue)]
    if p.pages:
        first, _, last = p.pages.partition("-")
        lines += [("SP", first), ("EP", last)]
    else:
        lines.append(("SP", p.article_number))
    lines += [("DO", p.doi), ("UR", p.url or (f"https://doi.org/{p.doi}" if p.doi else ""))]
    if p.arxiv_id:
        lines.append(("UR", f"https://arxiv.org/abs/{p.arxiv_id}"))
    lines += [("KW", str(k)) for k in p.keywords.all()]
    lines += [("AB", p.abstract), ("N1", p.note)]
    lines.append(("ER", ""))
    return "\n".join(
        f"{tag}  - {' '.join(str(value).split())}".rstrip() if tag != "ER" else "ER  - "
        for tag, value in lines
        if value or tag == "ER"
    )


def to_ris(publications):
    return "".join(ris_record(p) + "\n\n" for p in publications)


# ---------------------------------------------------------------- CSL-JSON


def csl_item(publication):
    p = publication
    item = {
        "id": citation_key(p),
        "type": CSL_TYPES.get(p.type, "document"),
        "title": math_plain(p.title),  # CSL's rich text has no math: SrTiO3, α-Fe2O3
    }
    if p.type == T.PREPRINT:
        item["genre"] = "Preprint"  # what styles such as APA print: "[Preprint]"
    authors = []
    for printed, family, given in printed_names(p):
        if not given and " " in family:
            authors.append({"literal": printed})
        else:
            authors.append({"family": family, "given": given} if given else {"family": family})
    if authors:
        item["author"] = authors
    if p.year:  # undated: no `issued` (CSL-JSON has no empty date)
        date = [p.year] + ([p.month] if p.month else []) + ([p.day] if p.month and p.day else [])
        item["issued"] = {"date-parts": [date]}
    for key, value in [
        ("container-title", p.venue),
        ("volume", p.volume),
        ("issue", p.issue),
        ("page", p.pages),
        ("number", p.article_number),
        ("number-of-pages", p.numpages),
        ("DOI", p.doi),
        ("URL", p.url),
        ("abstract", p.abstract),
        ("note", p.note),
        ("status", dict(Publication.Status.choices)[p.status] if p.status != "published" else ""),
    ]:
        if value not in ("", None):
            item[key] = str(value) if key != "number-of-pages" else value
    if p.arxiv_id:
        item["archive"] = "arXiv"
        item["archive_location"] = p.arxiv_id
    keywords = [str(k) for k in p.keywords.all()]
    if keywords:
        item["keyword"] = ", ".join(keywords)
    if p.title_ja and p.title_en and p.title_ja != p.title_en:
        item["original-title"] = p.title_ja if item["title"] == p.title_en else p.title_en
    return item


def to_csljson(publications):
    return json.dumps([csl_item(p) for p in publications], ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- plain text


def plain_text(publication):
    """Authors, “Title”, Venue Volume, pages (year). DOI — in the active language."""
    p = publication
    authors = ", ".join(printed for printed, _f, _g in printed_names(p))
    if p.authors_truncated:
        authors += " et al."
    source = " ".join(part for part in [p.venue, p.volume] if part)
    if p.issue:
        source += f"({p.issue})"
    pages = p.pages_or_number
    parts = [
        f"{authors}," if authors else "",
        f"“{math_plain(p.title)}”,",
        source + ("," if pages else ""),
        pages,
    ]
    text = " ".join(part for part in parts if part).rstrip(",")
    text += f" ({p.year})." if p.year else "."
    if p.doi:
        text += f" https://doi.org/{p.doi}"
    return " ".join(text.split())


EXPORTERS = {"bibtex": to_bibtex, "ris": to_ris, "csljson": to_csljson}


def export(publications, fmt):
    """(text, content type, file extension) of these papers in a format of FORMATS."""
    content_type, extension = FORMATS[fmt]
    return EXPORTERS[fmt](publications), content_type, extension
