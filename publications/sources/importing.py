"""A researcher's papers from researchmap or ORCID → a pending import batch.

The papers are fetched, written as BibTeX (`researchmap.bibtex`, `orcid.bibtex`) and
handed to the BibTeX import (`importer.records_from_text`, `importer.create`), so the
editor gets the same preview, choice per row, confirmation in the background and undo
as for a `.bib` file. The
batch records where its entries came from (`ImportBatch.origin`) and, as its file
name, which page or record (`researchmap.jp/…`, `orcid.org/…`).
"""

from django.utils.translation import gettext as _

from ..bibtex import importer
from ..models import ImportBatch
from . import orcid, researchmap

Origin = ImportBatch.Origin


class NothingToImport(importer.ImportError_):
    """The researcher's page or record lists no papers."""


class NoIdentifier(importer.ImportError_):
    """The member has no researchmap permalink or ORCID iD, or it is not a valid one."""


def researchmap_text(value, progress=None):
    """(name, BibTeX text, {}, {entry key: list fields}) of the published papers on a
    researchmap page (it gives no authors' ORCID iDs)."""
    permalink = researchmap.permalink_of(value)
    if not permalink:
        raise NoIdentifier(
            _("“%(value)s” is not a researchmap permalink (e.g. read0123456).") % {"value": value}
        )
    items = researchmap.fetch_papers(permalink, progress)
    name = f"researchmap.jp/{permalink}"
    if not items:
        raise NothingToImport(
            _("%(page)s lists no published papers: nothing to import.") % {"page": name}
        )
    return name, researchmap.bibtex(items), {}, researchmap.list_fields(items)


def orcid_text(value, owner="", progress=None):
    """(name, BibTeX text, {entry key: authors' ORCID iDs}, {}) of the public works of an
    ORCID record. `owner`: the holder's name, the author of works that list no
    contributors (else their public name)."""
    identifier = orcid.orcid_of(value)
    if not identifier:
        raise NoIdentifier(
            _("“%(value)s” is not an ORCID iD (e.g. 0000-0002-1825-0097).") % {"value": value}
        )
    works = orcid.fetch_works(identifier, progress)
    name = f"orcid.org/{identifier}"
    if not works:
        raise NothingToImport(
            _("%(record)s lists no public works: nothing to import.") % {"record": name}
        )
    if not owner and any(not orcid.contributors(work) for work in works):
        owner = orcid.holder_name(identifier)
    return name, orcid.bibtex(works, owner), orcid.author_orcids(works, owner, identifier), {}


def start(origin, value, *, owner="", user=None, source=ImportBatch.Source.ADMIN,
          keywords=(), is_published=True, progress=None):  # fmt: skip
    """(batch, plan) of a pending import of a researchmap page or ORCID record.

    Raises http.SourceUnavailable / http.NotFound when the service cannot give it, and
    importer.ImportError_ (NoIdentifier, NothingToImport…) when there is nothing to import.
    """
    if origin == Origin.RESEARCHMAP:
        name, text, orcids, extra = researchmap_text(value, progress)
    else:
        name, text, orcids, extra = orcid_text(value, owner, progress)
    records = importer.records_from_text(text)
    for record in records:
        found = orcids.get(record.get("key"), [])
        if any(found) and len(found) == len(record.get("authors", ())):
            record["orcids"] = found
        if "fields" in record:  # not an error row
            # What researchmap says a new paper is (peer-reviewed, invited…); an update
            # leaves the paper's own values (docs/sources-researchmap-orcid.md).
            record["fields"].update(extra.get(record["key"], {}))
    return importer.create(
        records,
        origin=origin,
        filename=name,
        user=user,
        source=source,
        keywords=keywords,
        is_published=is_published,
    )


def member_owner(member):
    """A member's name as their works would print it (English, else Japanese)."""
    person = member.person
    if person is not None:
        return person.full_name("en")
    return member.full_name("en")
