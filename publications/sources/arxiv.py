"""arXiv: preprints' metadata from the arXiv API (an Atom 1.0 feed), `GET /query?id_list=…`.

Format: https://info.arxiv.org/help/api/user-manual.html (section 3.3, the Atom
response: <entry> with <id>, <published>, <title>, <summary>, <author><name>,
<arxiv:doi>, <arxiv:journal_ref>, <link>). Many ids go in one request, and the
terms of use ask for one request every 3 seconds (LABSITE_SOURCE_MIN_INTERVAL). An
id arXiv does not know has no entry in the feed, or an entry whose <id> is an
error (http://arxiv.org/api/errors#…).
"""

import re

from lxml import etree

from ..bibtex.parsing import name_parts
from ..models import normalise_arxiv
from . import http
from .records import make_record

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_SPACES = re.compile(r"\s+")
# Ids per request: a query string arXiv accepts, and few enough to answer quickly.
BATCH = 50
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _parse(text):
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not XML: {error}") from error
    if root.tag != f"{ATOM}feed":
        raise ValueError("not an Atom feed")
    return root


def _text(element, path):
    found = element.find(path)
    return _SPACES.sub(" ", found.text or "").strip() if found is not None else ""


def entries(ids):
    """{arXiv id (no version): <entry> element} for the ids arXiv knows."""
    found = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        feed = http.get(
            "arxiv",
            "/query",
            {"id_list": ",".join(chunk), "max_results": str(len(chunk))},
            accept="application/atom+xml",
            parse=_parse,
            what=", ".join(chunk),
        )
        for entry in feed.iter(f"{ATOM}entry"):
            url = _text(entry, f"{ATOM}id")
            if "/api/errors" in url or "/abs/" not in url:
                continue
            found[normalise_arxiv(url.split("/abs/", 1)[1])] = entry
    return found


def to_record(line, identifier, entry):
    published = _text(entry, f"{ATOM}published")[:10].split("-")
    year = int(published[0]) if published[0].isdigit() else None
    month = int(published[1]) if year and len(published) > 1 and published[1].isdigit() else None
    day = int(published[2]) if month and len(published) > 2 and published[2].isdigit() else None
    authors = []
    for author in entry.findall(f"{ATOM}author"):
        raw = _text(author, f"{ATOM}name")
        if raw:
            printed, family, given = name_parts(raw)
            authors.append((printed, family, given, ""))
    # A preprint with a journal version: its DOI identifies the same paper (arXiv's
    # <arxiv:doi>); the venue is left to the journal's own record.
    doi = _text(entry, f"{ARXIV}doi").split()[0] if _text(entry, f"{ARXIV}doi") else ""
    return make_record(
        line,
        identifier,
        # Plain text with TeX math ($…$) as the authors wrote it: how the site stores
        # math (publications/markup.py), so it is kept as it is.
        title=_text(entry, f"{ATOM}title"),
        authors=authors,
        origin="arXiv",
        abstract=_text(entry, f"{ATOM}summary"),
        venue="arXiv",
        year=year,
        month=month,
        day=day,
        doi=doi,
        url=f"https://arxiv.org/abs/{identifier.value}",
        arxiv_id=identifier.value,
        type="preprint",
        license=next(
            (
                link.get("href", "")
                for link in entry.findall(f"{ATOM}link")
                if link.get("rel") == "license"
            ),
            "",
        ),
    )
