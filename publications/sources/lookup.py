"""Add by identifier: pasted text → identifiers → metadata → import records.

DOIs are asked of Crossref, then of DataCite when Crossref does not know them;
arXiv ids of arXiv, many per request. An identifier no service knows becomes an
error row of the preview (the others are still importable). A service that is
down, slow or answers nonsense stops the whole lookup (`http.SourceUnavailable`)
before any batch exists: nothing is half written.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from django.utils import translation
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
    """One record per identifier, in order. `progress(done, total)` hears how many are
    looked up (after each DOI, after each request of arXiv ids).
    Raises http.SourceUnavailable when a service cannot be used.

    DOIs are looked up LABSITE_SOURCE_CONCURRENCY at a time (each thread in the
    caller's language, for the messages of error rows); arXiv ids in one request per
    50 ids.
    """
    total = len(identifiers)
    wanted = [i.value for i in identifiers if i.kind == ARXIV]
    preprints = {}
    # A chunk at a time, so that the progress moves while arXiv is read (one request
    # per 3 seconds: 1,000 ids take a minute); an arXiv id counts as done once fetched.
    for start in range(0, len(wanted), arxiv.BATCH):
        preprints.update(arxiv.entries(wanted[start : start + arxiv.BATCH]))
        if progress:
            progress(min(len(wanted), start + arxiv.BATCH), total)
    done = len(wanted)
    language = translation.get_language()

    def one(numbered):
        line, identifier = numbered
        try:
            with translation.override(language):
                if identifier.kind != ARXIV:
                    return _doi_record(line, identifier)
                entry = preprints.get(identifier.value)
                if entry is None:
                    message = _("arXiv does not know %(id)s.") % {"id": identifier}
                    return error_record(line, identifier, message)
                return _mapped("arXiv", arxiv.to_record, line, identifier, entry)
        finally:
            # A database cache opens a connection in this thread: not left open.
            connections.close_all()

    records = []
    workers = max(1, settings.LABSITE_SOURCE_CONCURRENCY)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sources")
    try:
        # map() yields in order and re-raises a lookup's SourceUnavailable here.
        for identifier, record in zip(
            identifiers, pool.map(one, enumerate(identifiers, start=1)), strict=True
        ):
            records.append(record)
            if identifier.kind != ARXIV:
                done += 1
                if progress:
                    progress(done, total)
    finally:
        # After an outage, the lookups not started yet are not started.
        pool.shutdown(wait=True, cancel_futures=True)
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
