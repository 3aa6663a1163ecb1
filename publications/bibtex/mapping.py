"""A parsed BibTeX entry → the values of a Publication (a JSON-serialisable dict).

`to_record()` returns a record: {"key", "line", "raw", "entry_type", "fields",
"authors", "truncated", "keywords", "warnings"} or, when the entry cannot become a
publication, {"key", "line", "raw", "error"}. Records are what a pending import
batch stores between the preview and the confirmation.

Which language: a title, abstract or note in Japanese script goes to the `_ja`
column, anything else to `_en`; explicit `title_ja` / `title_en` fields (written
by our own export when a paper has both) win.
"""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import names, search
from ..models import (
    MAX_YEAR,
    MIN_YEAR,
    Keyword,
    NameVariant,
    Person,
    Publication,
    normalise_arxiv,
    normalise_doi,
)
from .parsing import MONTH_NAMES, MONTHS, split_names

T = Publication.Type

# Every BibTeX and biblatex entry type → publication type. Types whose counterpart
# is only the nearest one are in NEAREST (the preview says so); any other type
# (a style's own, @patent in plain BibTeX…) becomes "other", with a warning too.
# @set and @xdata are not publications: parsing.py drops them after inheritance.
ENTRY_TYPES = {
    "article": T.ARTICLE,
    "suppperiodical": T.ARTICLE,  # a regular column or supplement in a journal
    "review": T.ARTICLE,  # biblatex: a review *of* another work, not a review article
    "inproceedings": T.CONFERENCE,
    "conference": T.CONFERENCE,
    "book": T.BOOK,
    "mvbook": T.BOOK,
    "collection": T.BOOK,
    "mvcollection": T.BOOK,
    "reference": T.BOOK,
    "mvreference": T.BOOK,
    "proceedings": T.BOOK,
    "mvproceedings": T.BOOK,
    "periodical": T.BOOK,  # a whole issue of a journal, with its editors
    "inbook": T.CHAPTER,
    "incollection": T.CHAPTER,
    "inreference": T.CHAPTER,
    "bookinbook": T.CHAPTER,
    "suppbook": T.CHAPTER,
    "suppcollection": T.CHAPTER,
    "phdthesis": T.THESIS,
    "mastersthesis": T.THESIS,
    "thesis": T.THESIS,
    "unpublished": T.PREPRINT,
    **dict.fromkeys(
        (
            "misc", "online", "electronic", "www", "techreport", "report", "manual",
            "booklet", "patent", "software", "dataset", "standard", "artwork", "audio",
            "image", "letter", "movie", "music", "performance", "video",
        ),
        T.OTHER,
    ),
}  # fmt: skip
NEAREST = frozenset(
    {"suppperiodical", "review", "periodical", "bookinbook", "suppbook", "suppcollection"}
)
# The types whose entry *is* the container: a missing title may be the journal's name.
CONTAINERS = frozenset(
    {
        "book", "mvbook", "collection", "mvcollection", "reference", "mvreference",
        "proceedings", "mvproceedings", "periodical",
    }
)  # fmt: skip
# A title-less entry's title, in this order: the original title, then the volume it
# is part of (a catalogue entry in a book), then for a container its own name.
TITLE_STANDINS = ("origtitle", "booktitle", "maintitle", "eventtitle")
CONTAINER_TITLE_STANDINS = ("journaltitle", "journal")
# The types that may stand for a whole issue of a journal (xampl.bib's `whole-journal`:
# journal, volume, number, year; no title, no author): titled "<journal> <volume>(<number>)".
ISSUES = frozenset({"article", "periodical"})
VENUE_FIELDS = (
    "journal", "journaltitle", "booktitle", "maintitle", "eventtitle", "school",
    "institution", "organization", "publisher", "howpublished",
)  # fmt: skip
ARTICLE_NUMBER_FIELDS = ("eid", "articleno", "article-number", "article_number")
STATUS = {
    "inpress": "in-press", "in press": "in-press", "forthcoming": "in-press",
    "accepted": "accepted", "prepublished": "published", "published": "published",
}  # fmt: skip
# What says a paper has no year yet: biblatex's pubstate values, and what people write in
# `year` instead ("in press", "to appear", "submitted", "20xx").
NOT_YET_STATES = {state for state, status in STATUS.items() if status != "published"}
NOT_YET_STATES |= {"submitted", "inpreparation"}  # biblatex's, with no status of ours
NOT_YET_YEAR = re.compile(
    r"(?i)in\s*press|to\s+appear|forthcoming|accepted|submitted(?:\s+for\s+publication)?"
    r"|in\s+preparation|20(?:xx|\?\?)|20\d[x?]"  # a year of this century not known yet
)
# The paper's own language: biblatex's `langid` (babel names) or `language` (free text).
LANGUAGES = {
    **dict.fromkeys(("japanese", "ja", "jp", "jpn", "日本語"), "ja"),
    **dict.fromkeys(
        ("english", "en", "eng", "american", "british", "usenglish", "ukenglish", "英語"), "en"
    ),
}
IN_PRESS_YEAR = re.compile(r"(?i)in\s*press|to\s+appear|forthcoming")
MAX_LENGTHS = {
    name: Publication._meta.get_field(name).max_length
    for name in ("venue", "volume", "issue", "pages", "article_number", "doi", "url", "arxiv_id")
}
MAX_LENGTHS.update(title=500, citation_key=200)
IDENTIFIERS = ("doi", "url", "arxiv_id")  # left out when too long: never shortened
TRANSLATED = ("title", "abstract", "note")

_ARXIV_IN_TEXT = re.compile(
    r"arxiv[:\s]*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL = re.compile(r"^\s*(?:https?://)?(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
_DASHES = re.compile(r"\s*(?:-+|–|—)\s*")
_url_validator = URLValidator(schemes=["http", "https", "ftp"])
# \url{…} around a URL, and LaTeX escapes people put in verbatim fields (\_ for _).
_URL_MACRO = re.compile(r"^\\(?:url|href)\s*\{([^{}]*)\}(?:\{[^{}]*\})?$")
_VERBATIM_ESCAPE = re.compile(r"\\([_%&#~$])")
_URL_SEPARATOR = re.compile(r"\s+|[,;]\s*(?=(?:https?|ftp)://)")

# Publication type → the entry type our export writes (and that fits it on re-import).
EXPORT_TYPES = {
    T.ARTICLE: "article",
    T.REVIEW: "article",
    T.INVITED_REVIEW: "article",
    T.CONFERENCE: "inproceedings",
    T.BOOK: "book",
    T.CHAPTER: "incollection",
    T.PREPRINT: "unpublished",
    T.THESIS: "phdthesis",
    T.OTHER: "misc",
}


def entry_type_for(kind, arxiv_id=""):
    """The BibTeX entry type of a publication type (a preprint on arXiv is @misc)."""
    if kind == T.PREPRINT and arxiv_id:
        return "misc"
    return EXPORT_TYPES.get(kind, "misc")


class EntryError(Exception):
    pass


def language_of(text):
    return "ja" if names.is_cjk(text) else "en"


# Years as people write them (see parse_year).
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_SUFFIX = re.compile(r"^(\d{4})\s?([a-zA-Z])$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:(?:-{1,3}|–|—|/)\s*(?:\d{2}|\d{4}|\.\.)|/)$")
_YEAR_ROUGHLY = re.compile(r"^(?:c\.|ca\.|circa|approx\.)?\s*[\[(]?(\d{4})[\])]?\s*[~?%]?$")
_YEAR_JA = re.compile(r"^(\d{4})\s*年")
# A year and then words ("1979, in part 1986", "1988 (reprint)"): the first year.
_YEAR_FIRST = re.compile(r"^(\d{4})(?![\d])\W")
# Japanese eras: the first year of each (明治元年 = 1868) and how many years it had.
ERAS = {
    "明治": (1868, 45), "大正": (1912, 15), "昭和": (1926, 64), "平成": (1989, 31),
    "令和": (2019, 99),
}  # fmt: skip
_ERA_SHORT = {"明": "明治", "大": "大正", "昭": "昭和", "平": "平成", "令": "令和"}
_ERA_LATIN = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}
_ERA = re.compile(
    r"^(明治|大正|昭和|平成|令和|明|大|昭|平|令)\s*(元|\d{1,2})(?!\d)\s*(?:[年\-./,].*)?$"
)
# Latin initials only as the whole value, upper case, with a full stop at most
# ("S58", "H.3"): anything longer is not read as an era.
_ERA_LATIN_FORM = re.compile(r"^([MTSHR])\.?\s?(\d{1,2})$")
# biblatex / EDTF dates: 2020, 2020-05, 2020-05-17, a time, ~ ? % (approximate,
# uncertain), ranges start/end with open ends ("2001/..", "../2001", "2001/").
_DATE_PART = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+(?:Z|[+-][\d:]+)?)?([~?%]*)$"
)


def _era_year(era, number):
    first, length = ERAS[era]
    number = 1 if number == "元" else int(number)
    return first + number - 1 if 1 <= number <= length else None


def parse_year(value):
    """(year, note) of a year field as people write it; (None, None) when unreadable.

    `note` is None when the value is a plain year, else a warning for the preview:
    "1990b" (a suffix telling apart one author's papers of a year) is 1990 with no
    note; "1983–1984", "1983-84", "1983/84" → 1983; "昭和58", "昭58", "昭和58年" →
    1983; "平成3"/"平成元年" → 1991/1989; "S58" / "H3" (initials of an era) only as
    the whole value and within the era's length; "c. 1900", "[1900]", "1988~",
    "1988?" → 1900 / 1988.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if _YEAR.match(text):
        return int(text), None
    if match := _YEAR_SUFFIX.match(text):
        return int(match.group(1)), None
    match = _DATE_PART.match(text)
    if match and match.group(2) and 1 <= int(match.group(2)) <= 12:  # "2020-05", not a range
        return int(match.group(1)), None
    if match := _YEAR_RANGE.match(text):
        return int(match.group(1)), _("The year “%(value)s” is a range: %(year)s is stored.") % {
            "value": value,
            "year": match.group(1),
        }
    if (
        (match := _YEAR_ROUGHLY.match(text))
        or (match := _YEAR_JA.match(text))
        or (match := _YEAR_FIRST.match(text))
    ):
        return int(match.group(1)), _("The year “%(value)s” is stored as %(year)s.") % {
            "value": value,
            "year": match.group(1),
        }
    era = None
    if match := _ERA.match(text):
        era = _ERA_SHORT.get(match.group(1), match.group(1))
    elif match := _ERA_LATIN_FORM.match(text):
        era = _ERA_LATIN[match.group(1)]
    if era:
        year = _era_year(era, match.group(2))
        if year:
            return year, _("The year “%(value)s” (%(era)s) is stored as %(year)d.") % {
                "value": value,
                "era": era,
                "year": year,
            }
    return None, None


def parse_date(value):
    """(year, month, day, note) of a biblatex `date`; year None when unreadable.

    The start of a range is used, or its end when the start is open ("../2001").
    Month and day are dropped when not a real month (EDTF seasons 21–24) or day.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    start, slash, end = text.partition("/")
    note = None
    if slash and start.strip() in ("", ".."):
        start = end
        note = _("The date “%(value)s” has an open start: its end is used.") % {"value": value}
    elif slash:
        note = _("The date “%(value)s” is a range: its start is used.") % {"value": value}
    match = _DATE_PART.match(start.strip())
    if not match:
        year, year_note = parse_year(start)
        return year, None, None, year_note or note
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is not None and not 1 <= month <= 12:
        month = day = None
    if day is not None and not 1 <= day <= 31:
        day = None
    if match.group(4) and note is None:
        note = _("The date “%(value)s” is approximate or uncertain.") % {"value": value}
    return int(match.group(1)), month, day, note


_MONTH_JA = re.compile(r"(\d{1,2})\s*月")
_WORD = re.compile(r"[^\W\d_]+")
# German month names that are not a prefix of the English ones (März, Mai, Juni…).
_MONTH_ALIASES = {"mär": 3, "mrz": 3, "mai": 5, "okt": 10, "dez": 12}
_MONTH_WORDS = {"juni": 6, "juli": 7}
_UNKNOWN_MONTH = re.compile(r"^[?\s-]*$")


def parse_month(value):
    """1–12 from "3", "03", "March", "mar", "Mar.", "Sept.", "März", "4月", and from the
    first month of "September/October", "June 8–12", "10 January"; None otherwise.
    """
    text = unicodedata.normalize("NFKC", value).strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    if match := _MONTH_JA.search(text):
        number = int(match.group(1))
        return number if 1 <= number <= 12 else None
    for word in _WORD.findall(text):
        if len(word) < 3:
            continue
        if word in _MONTH_WORDS:
            return _MONTH_WORDS[word]
        if word[:3] in _MONTH_ALIASES:
            return _MONTH_ALIASES[word[:3]]
        for n, (short, long) in enumerate(zip(MONTHS, MONTH_NAMES, strict=True), start=1):
            # "sept", "september" and German "januar", "februar"
            if word.startswith(short) and (
                long.lower().startswith(word) or word + "y" == long.lower()
            ):
                return n
    return None


def _translated(fields, name, values):
    """Put `name` into values[f"{name}_ja" or "_en"]; explicit name_ja / name_en win."""
    text = fields.get(name, "")
    if text:
        values[f"{name}_{language_of(text)}"] = text
    for lang in ("ja", "en"):
        if f"{name}_{lang}" in fields:  # explicit, even empty: what our export writes
            values[f"{name}_{lang}"] = fields[f"{name}_{lang}"]


def _arxiv(fields, url, warnings):
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    candidates = [fields.get("arxiv", "")]
    eprint = fields.get("eprint", "")
    if archive == "arxiv" or _ARXIV_ID.match(normalise_arxiv(eprint)):
        candidates.append(eprint)
    for name in ("journal", "journaltitle", "note", "howpublished", "number"):
        match = _ARXIV_IN_TEXT.search(fields.get(name, ""))
        if match:
            candidates.append(match.group(1))
    if "arxiv.org/" in url.lower() and _ARXIV_ID.match(normalise_arxiv(url)):
        candidates.append(url)
    for candidate in candidates:
        value = normalise_arxiv(candidate)
        if value:
            if not _ARXIV_ID.match(value):
                warnings.append(
                    _("The arXiv id “%(value)s” is not valid (e.g. 2101.00001): it is left out.")
                    % {"value": candidate}
                )
                continue
            return value
    return ""


def _verbatim(value):
    """A URL or DOI as written, without a \\url{} around it or LaTeX escapes in it."""
    value = value.strip()
    if match := _URL_MACRO.match(value):
        value = match.group(1).strip()
    return _VERBATIM_ESCAPE.sub(r"\1", value)


def _url(fields, warnings):
    """The first valid URL of the url field (or of howpublished); the rest is warned about."""
    raw = _verbatim(fields.get("url", ""))
    if not raw and "://" in fields.get("howpublished", ""):
        raw = _verbatim(fields["howpublished"])
    parts = [p for p in _URL_SEPARATOR.split(raw) if p]
    valid = []
    for part in parts:
        candidate = "https://" + part if part.lower().startswith("www.") else part
        try:
            _url_validator(candidate)
        except ValidationError:
            continue
        valid.append(candidate)
    if len(parts) > 1:
        warnings.append(
            _(
                "The url field holds %(count)d URLs: the first valid one is stored, "
                "the BibTeX source keeps them all."
            )
            % {"count": len(parts)}
        )
    elif parts and not valid:
        warnings.append(_("The URL “%(url)s” is not valid: it is left out.") % {"url": raw[:100]})
    return valid[0] if valid else ""


def _doi(fields, url, warnings):
    raw = _verbatim(fields.get("doi", ""))
    if not raw and (fields.get("eprinttype") or "").lower() == "doi":
        raw = _verbatim(fields.get("eprint", ""))
    if not raw and _DOI_URL.match(url):
        raw = url
    doi = normalise_doi(raw)
    if doi and not _DOI.match(doi):
        first = normalise_doi(doi.split()[0].rstrip(",;"))
        if _DOI.match(first):  # two DOIs, or a DOI followed by words
            warnings.append(
                _("The doi field holds more than a DOI: “%(doi)s” is stored.") % {"doi": first}
            )
            return first
        warnings.append(
            _("The DOI “%(doi)s” is not valid (e.g. 10.1093/jmicro/dfaf038): it is left out.")
            % {"doi": doi}
        )
        return ""
    return doi


def _joined(first, second, separator):
    """Title and subtitle as biblatex prints them: "A: B", or "A? B" after punctuation."""
    if not (first and second):
        return first or second
    if names.is_cjk(first):
        return first + ("" if first[-1] in "。：？！.:?!" else "：") + second
    return first + (" " if first[-1] in ".:?!" else separator) + second


def _not_yet_published(fields):
    """Whether the entry says it has no year yet: a `pubstate` or a year such as "in press"."""
    pubstate = fields.get("pubstate", "").strip().lower()
    return pubstate in NOT_YET_STATES or bool(
        NOT_YET_YEAR.fullmatch(fields.get("year", "").strip())
    )


def _year(fields, warnings):
    """(year, month, day) from `date` (biblatex: it takes precedence) or `year`.

    A paper that is not out yet (`pubstate = {forthcoming}`, `year = {in press}`,
    `{20xx}`) has no year to read, yet it is exactly what a lab lists: it gets the
    current year, with a warning to correct it once it appears.

    An entry with no year at all (nor `date`, nor `urldate`) is undated: (None, None,
    None) with a warning. BibTeX's standard styles print @booklet, @manual, @misc and
    @unpublished without one, and so do people for datasheets and software. A year
    that is there but unreadable stays an error: it says something we cannot read,
    and storing the paper undated would hide it.
    """
    year_text = fields.get("year", "").strip()
    date_text = fields.get("date", "").strip()
    if not date_text and _not_yet_published(fields) and parse_year(year_text)[0] is None:
        this_year = timezone.now().year
        warnings.append(
            _("Not published yet (no year): stored as %(year)d; correct it when it appears.")
            % {"year": this_year}
        )
        return this_year, None, None
    if date_text:
        year, month, day, note = parse_date(date_text)
        if year is not None:
            if note:
                warnings.append(note)
            return year, month, day
    if year_text:
        year, note = parse_year(year_text)
        if year is not None:
            if note:
                warnings.append(note)
            if date_text:
                warnings.append(_("The date “%(date)s” was not understood.") % {"date": date_text})
            return year, None, None
        raise EntryError(
            _("The year “%(year)s” cannot be read (e.g. 2020, 1990b, 1983–1984, 昭和58).")
            % {"year": year_text}
        )
    if date_text:
        raise EntryError(
            _("The date “%(date)s” cannot be read (e.g. 2020-05-17).") % {"date": date_text}
        )
    # An online resource without a date: biblatex prints the date it was visited.
    year, month, day, _note = parse_date(fields.get("urldate", ""))
    if year is not None:
        warnings.append(_("The entry has no year: the year it was visited (urldate) is used."))
        return year, None, None
    warnings.append(_("No year: listed as undated."))
    return None, None, None


def _says_what(fields, name):
    """Whether the field holds words, not a link (`howpublished = {\\url{…}}`)."""
    value = fields.get(name, "").strip()
    return bool(value) and "://" not in value


def _issue_title(fields):
    """A whole journal issue's title: "<journal> <volume>(<number>)", as it is cited
    (biblatex's @periodical: the journal's name, volume and number, then the issue's
    own title when it has one); "" without a journal, or without volume and number."""
    journal = (fields.get("journaltitle") or fields.get("journal") or "").strip()
    volume = fields.get("volume", "").strip()
    number = (fields.get("number") or fields.get("issue") or "").strip()
    if not journal or not (volume or number):
        return ""
    title = f"{journal} {volume}" + (f"({number})" if number else "")
    return _joined(title, fields.get("issuetitle", "").strip(), ": ")


def to_record(entry):
    """The record of one parsed entry (see the module docstring)."""
    base = {"key": entry.key, "line": entry.line, "raw": entry.raw}
    try:
        return base | _map(entry)
    except EntryError as error:
        return base | {"error": str(error)}


def _map(entry):
    fields = dict(entry.fields)
    warnings = list(entry.warnings)
    kind = ENTRY_TYPES.get(entry.entry_type)
    if kind is None:
        kind = T.OTHER
        warnings.append(
            _("@%(type)s is not a standard entry type: stored as “%(stored)s”.")
            % {"type": entry.entry_type, "stored": kind.label}
        )
    elif entry.entry_type in NEAREST:
        warnings.append(
            _("@%(type)s has no exact counterpart: stored as “%(stored)s”.")
            % {"type": entry.entry_type, "stored": kind.label}
        )
    if len(entry.key) > MAX_LENGTHS["citation_key"]:
        raise EntryError(_("The key is longer than 200 characters."))

    title = fields.get("title", "")
    if not title:
        standin = next((n for n in TITLE_STANDINS if fields.get(n)), None)
        issue = _issue_title(fields) if entry.entry_type in ISSUES else ""
        if not standin and issue:
            title = issue
            warnings.append(
                _("The entry has no title: it is taken for a whole issue, “%(title)s”.")
                % {"title": title}
            )
        elif not standin and entry.entry_type in CONTAINERS:
            standin = next((n for n in CONTAINER_TITLE_STANDINS if fields.get(n)), None)
        elif not standin and entry.entry_type == "misc" and _says_what(fields, "howpublished"):
            # BibTeX's styles print a @misc without a title: "S. Konyagin, private
            # communication, 1998". How it was published is then what names it.
            standin = "howpublished"
        elif not standin and entry.entry_type == "misc" and _says_what(fields, "note"):
            # A @misc holding only a note ("Volume 2 is listed under Knuth"): the note is
            # all BibTeX prints of it, so it names the entry (the editor sees the warning).
            standin = "note"
        if standin:
            title = fields[standin]
            warnings.append(
                _("The entry has no title: its %(field)s is used.") % {"field": standin}
            )
    title = _joined(_joined(title, fields.get("subtitle", ""), ": "),
                    fields.get("titleaddon", ""), ". ")  # fmt: skip
    fields["title"] = title
    fields["note"] = _joined(fields.get("note", ""), fields.get("addendum", ""), ". ")
    values = {}
    for name in TRANSLATED:
        _translated(fields, name, values)
    if not (values.get("title_ja") or values.get("title_en")):
        raise EntryError(_("The entry has no title."))

    year, month, day = _year(fields, warnings)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise EntryError(
            _("The year “%(year)s” is not a year between %(min)d and %(max)d.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    values["year"] = year
    if fields.get("month") and not _UNKNOWN_MONTH.match(fields["month"]):
        month = parse_month(fields["month"])
        if month is None:
            warnings.append(_("The month “%(month)s” was not understood.") % fields)
    if fields.get("day", "").strip().isdigit() and 1 <= int(fields["day"]) <= 31:
        day = int(fields["day"])
    if month:
        values["month"] = month
        if day:
            values["day"] = day

    values["venue"] = next(
        (fields[n] for n in VENUE_FIELDS if fields.get(n) and "://" not in fields[n]), ""
    )
    values["volume"] = fields.get("volume", "")
    values["issue"] = fields.get("number", "") or fields.get("issue", "")
    values["pages"] = _DASHES.sub("-", fields.get("pages", "").strip())
    values["article_number"] = next((fields[n] for n in ARTICLE_NUMBER_FIELDS if fields.get(n)), "")
    for name in ("numpages", "pagetotal"):
        if fields.get(name, "").strip().isdigit() and 0 < int(fields[name]) < 32768:
            values["numpages"] = int(fields[name])
            break

    url = _url(fields, warnings)
    values["url"] = url
    values["doi"] = _doi(fields, url, warnings)
    values["arxiv_id"] = _arxiv(fields, url, warnings)

    if (
        kind == T.OTHER
        and entry.entry_type in ("misc", "online", "electronic", "www")
        and values["arxiv_id"]
    ):
        kind = T.PREPRINT
    venue = (fields.get("journal") or fields.get("journaltitle") or "").lower()
    if kind == T.ARTICLE and "arxiv" in venue:
        kind = T.PREPRINT
    values["type"] = str(kind)
    pubstate = fields.get("pubstate", "").strip().lower()
    values["status"] = STATUS.get(pubstate, Publication.Status.PUBLISHED.value)
    if not pubstate and IN_PRESS_YEAR.fullmatch(fields.get("year", "").strip()):
        values["status"] = Publication.Status.IN_PRESS.value
    if pubstate and pubstate not in STATUS:
        warnings.append(
            _("The publication state “%(state)s” has no counterpart: check the status.")
            % {"state": fields["pubstate"]}
        )

    said = (fields.get("langid") or fields.get("language") or "").strip()
    if said:
        values["language"] = LANGUAGES.get(said.lower(), "")
        if not values["language"]:
            warnings.append(
                _(
                    "The language “%(language)s” is neither Japanese nor English: the paper's"
                    " language is guessed from its titles."
                )
                % {"language": said[:50]}
            )

    for name, limit in MAX_LENGTHS.items():
        if name not in values or len(values[name]) <= limit:
            continue
        if name == "citation_key":
            continue
        if name in IDENTIFIERS:
            values[name] = ""
            warnings.append(
                _("The %(field)s is longer than %(limit)d characters: it is left out.")
                % {"field": name, "limit": limit}
            )
        else:
            values[name] = values[name][: limit - 1] + "…"
            warnings.append(
                _("The %(field)s was shortened to %(limit)d characters.")
                % {"field": name, "limit": limit}
            )
    for name in ("title_ja", "title_en"):
        if len(values.get(name, "")) > MAX_LENGTHS["title"]:
            values[name] = values[name][: MAX_LENGTHS["title"] - 1] + "…"
            warnings.append(_("The title was shortened to 500 characters."))

    _check_lengths(values)
    limit = settings.LABSITE_BIBTEX_MAX_AUTHORS
    authors, truncated = split_names(fields.get("author", ""), limit=limit)
    if len(authors) == limit and truncated:
        warnings.append(
            _(
                "More than %(limit)s authors: the first %(limit)s are stored and the list "
                "is marked as cut short."
            )
            % {"limit": f"{limit:,}"}
        )
    for author in authors:
        _check_name(author)
    keywords = [k.strip() for k in re.split(r"[,;]", fields.get("keywords", "")) if k.strip()]
    for keyword in keywords:
        _check_keyword(keyword)
    return {
        "entry_type": entry.entry_type,
        "fields": {name: value for name, value in values.items() if value not in ("", None)},
        "authors": [[a.printed, a.family, a.given] for a in authors],
        "truncated": truncated,
        "keywords": list(dict.fromkeys(keywords)),
        "warnings": warnings,
    }


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _check_lengths(values):
    """Every value fits its column (each translated column too): the last guard before
    the database, which would refuse it at Confirm (PostgreSQL checks lengths)."""
    for name, value in values.items():
        try:
            limit = _max_length(Publication, name)
        except FieldDoesNotExist:
            continue
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise EntryError(
                _("The %(field)s is longer than %(limit)d characters.")
                % {"field": name, "limit": limit}
            )


def _check_name(author):
    """An author's name fits a Person's columns and a NameVariant's (its key too)."""
    family_limit = _max_length(Person, "family_name_en")
    given_limit = _max_length(Person, "given_name_en")
    variant_limit = _max_length(NameVariant, "key")
    keys = (names.name_key(author.printed), names.name_key(f"{author.given} {author.family}"))
    if (
        len(author.printed) > _max_length(NameVariant, "name")
        or len(author.family) > family_limit
        or len(author.given) > given_limit
        or any(len(key) > variant_limit for key in keys)
    ):
        raise EntryError(
            _("An author's name is longer than %(limit)d characters: “%(name)s”.")
            % {"limit": family_limit, "name": author.printed[:120]}
        )


def _check_keyword(name):
    """A keyword's name fits a Keyword's name column and its normalised key's."""
    limit = _max_length(Keyword, "name_en")
    if len(name) > limit or len(search.normalise_key(name)) > _max_length(Keyword, "name_key_en"):
        raise EntryError(
            _("The keyword “%(name)s” is longer than %(limit)d characters.")
            % {"name": name[:120], "limit": limit}
        )
