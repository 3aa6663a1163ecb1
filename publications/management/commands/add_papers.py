"""Add papers by DOI or arXiv id, with their metadata from Crossref, DataCite and arXiv.

python manage.py add_papers [ID ...] [--file FILE] [--dry-run] [--keyword SLUG ...]
                            [--unpublished] [--skip-errors] [--all-rows] [--no-updates]
                            [--possible new|skip]

IDs are DOIs (10.1103/…, https://doi.org/…, doi:…) or arXiv ids (arXiv:2401.00001,
https://arxiv.org/abs/…, 2401.00001); --file reads them from a file ('-': standard
input), which may be a whole reference list: the identifiers are picked out of it.
Each is looked up (a progress bar on standard error for long lists), then the rows
are listed and imported as `import_bibtex` does: the same matching, choices,
summary, and an ImportBatch undoable in the admin. An identifier no service knows is
an error row. When a service is down, slow or answers nonsense, the command stops
with the reason and exit status 1, and nothing is written.
"""

import sys
from pathlib import Path

from django.core.management.base import CommandError, no_translations
from tqdm import tqdm

from publications.bibtex import importer
from publications.bibtex.decoding import MAX_BYTES
from publications.models import ImportBatch
from publications.sources import http, lookup

from .import_bibtex import Command as ImportBibtex

# Lists at least this long get a progress bar (each identifier is one request or so).
PROGRESS_FROM = 5


class Command(ImportBibtex):
    help = "Add papers by DOI or arXiv id (metadata from Crossref, DataCite and arXiv)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", metavar="ID", help="DOIs or arXiv ids.")
        parser.add_argument(
            "--file",
            help="Read identifiers (or a reference list holding them) from this file; "
            "'-' reads standard input.",
        )
        self.add_import_options(parser)

    @no_translations
    def handle(self, *args, **options):
        text = " ".join(options["ids"])
        if options.get("file"):
            text += "\n" + self.read(options["file"])
        try:
            identifiers = lookup.identifiers_in(text)
        except lookup.NoIdentifiers as error:
            raise CommandError(str(error)) from None
        keywords = self.keywords(options)
        bar = None
        if len(identifiers) >= PROGRESS_FROM:
            bar = tqdm(total=len(identifiers), unit="id", file=self.stderr._out, ascii=True)
        try:
            records = lookup.records_for(
                identifiers, progress=bar and (lambda d, t: bar.update(d - bar.n))
            )
        except http.SourceUnavailable as error:
            raise CommandError(f"{error.message} Nothing was imported.") from None
        finally:
            if bar is not None:
                bar.close()
        try:
            batch, current = importer.create(
                records,
                origin=ImportBatch.Origin.IDENTIFIERS,
                source=ImportBatch.Source.COMMAND,
                keywords=keywords,
                is_published=not options["unpublished"],
            )
        except importer.ImportError_ as error:
            raise CommandError(str(error)) from None
        options["choose"] = []
        self.finish(batch, current, f"{len(identifiers)} identifiers", options)

    def read(self, path):
        if path == "-":
            return sys.stdin.read(MAX_BYTES + 1)
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return file.read_text(encoding="utf-8", errors="replace")
