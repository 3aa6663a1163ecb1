"""Add by identifier: pasted text → identifiers → metadata → import records.

DOIs are asked of Crossref, then of DataCite when Crossref does not know them;
arXiv ids of arXiv, many per request. An identifier no service knows becomes an
error row of the preview (the others are still importable). A service that is
down, slow or answers nonsense stops the whole lookup (`http.SourceUnavailable`)
before any batch exists: nothing is half written.
"""

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from . import arxiv, crossref, datacite, http
from .identifiers import ARXIV, find
from .records import error_record

logger = logging.getLogger(__name__)


class NoIdentifiers(ValueError):
    pass


def identifiers_in(text):
    """The identifiers of the text; NoIdentifiers (with a message) when there are none
    or more than one import takes."""
    found = find(text or "")
    if not found:
        raise NoIdentifiers(
            _(
                "No DOI or arXiv id was found. Paste DOIs (10.1103/…, https://doi.org/…) "
                "or arXiv ids (arXiv:2401.00001, https://arxiv.org/abs/…), one or many."
            )
        )
    limit = settings.LABSITE_IMPORT_MAX_ENTRIES
    if len(found) > limit:
        raise NoIdentifiers(
            _("%(count)s identifiers were found; one import takes at most %(limit)s.")
            % {"count": f"{len(found):,}", "limit": f"{limit:,}"}
        )
    return found


def records_for(identifiers, progress=None):
    """One record per identifier, in order. `progress(done, total)` hears each one.
    Raises http.SourceUnavailable when a service cannot be used."""
    total = len(identifiers)
    wanted = [i.value for i in identifiers if i.kind == ARXIV]
    preprints = arxiv.entries(wanted) if wanted else {}
    records = []
    for line, identifier in enumerate(identifiers, start=1):
        if identifier.kind == ARXIV:
            entry = preprints.get(identifier.value)
            if entry is None:
                records.append(
                    error_record(
                        line,
                        identifier,
                        _("arXiv does not know %(id)s.") % {"id": identifier},
                    )
                )
            else:
                records.append(_mapped("arXiv", arxiv.to_record, line, identifier, entry))
        else:
            records.append(_doi_record(line, identifier))
        if progress:
            progress(line, total)
    return records


def _doi_record(line, identifier):
    try:
        work = crossref.work(identifier.value)
    except http.NotFound:
        pass
    else:
        return _mapped("Crossref", crossref.to_record, line, identifier, work)
    try:
        attributes = datacite.attributes(identifier.value)
    except http.NotFound:
        return error_record(
            line,
            identifier,
            _("Neither Crossref nor DataCite knows the DOI %(doi)s: check it.")
            % {"doi": identifier.value},
        )
    return _mapped("DataCite", datacite.to_record, line, identifier, attributes)


def _mapped(service, to_record, line, identifier, metadata):
    """The record, or an error row when the metadata has a shape the documented format
    does not allow (a list where an object belongs…): one odd record does not stop the
    others."""
    try:
        return to_record(line, identifier, metadata)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError):
        logger.warning("unreadable %s record for %s", service, identifier, exc_info=True)
        return error_record(
            line,
            identifier,
            _("%(service)s's record for %(id)s cannot be read.")
            % {"service": service, "id": identifier},
        )
