"""Import a BibTeX file into the publications database.

python manage.py import_bibtex FILE [--dry-run] [--keyword SLUG ...] [--unpublished]
                               [--skip-errors] [--verbose-rows]

Prints one line per entry that is not a plain duplicate (new, update with the
fields that change, error with line, key and reason) and a summary line. Papers
already in the database (by DOI, arXiv id, title + year, then citation key) are
not created again, so importing the same file twice reports "0 new" the second
time. The import is one transaction: with errors in the file nothing is written
unless --skip-errors says to import the rest. Every import is an ImportBatch that
staff can undo in the admin.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import DEFAULT_DB_ALIAS

from publications.bibtex import importer, plan, writing
from publications.bibtex.decoding import MAX_BYTES, DecodingError
from publications.models import ImportBatch, Keyword


class Command(BaseCommand):
    help = (
        "Import publications from a BibTeX file (UTF-8, Latin-1, Shift_JIS, EUC-JP, ISO-2022-JP)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .bib file to import ('-' reads standard input).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; write nothing."
        )
        parser.add_argument(
            "--keyword",
            action="append",
            default=[],
            metavar="SLUG",
            help="Add this keyword (by slug) to every imported paper; repeat for several.",
        )
        parser.add_argument(
            "--unpublished",
            action="store_true",
            help="Create new papers unpublished (hidden from visitors until published).",
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="Import the valid entries even when some entries have errors.",
        )
        parser.add_argument(
            "--all-rows", action="store_true", help="Also list the duplicates, one line each."
        )

    @no_translations
    def handle(self, *args, **options):
        path = options["file"]
        if path == "-":
            data, name = sys.stdin.buffer.read(MAX_BYTES + 1), "stdin"
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"No such file: {path}")
            if file.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            data, name = file.read_bytes(), file.name
        keywords = []
        for slug in options["keyword"]:
            keyword = Keyword.objects.filter(slug=slug).first()
            if keyword is None:
                raise CommandError(f"No keyword with the slug “{slug}”.")
            keywords.append(keyword)
        try:
            batch, current = importer.start(
                data=data,
                filename=name,
                source=ImportBatch.Source.COMMAND,
                keywords=keywords,
                is_published=not options["unpublished"],
            )
        except DecodingError as error:
            raise CommandError(f"{name}: {error}") from None
        for row in current.rows:
            self.report(row, options["all_rows"])
        summary = current.summary()
        if options["dry_run"]:
            batch.delete()
            self.stdout.write(f"Dry run, nothing written: {summary}.")
            return
        if current.has_errors and not options["skip_errors"]:
            batch.delete()
            raise CommandError(
                f"Nothing imported: {summary}. Fix the errors or use --skip-errors "
                "to import the rest."
            )
        try:
            writing.apply_plan(current, batch, skip_errors=True, using=DEFAULT_DB_ALIAS)
        except plan.PlanError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Imported {name} (import #{batch.pk}, encoding {batch.encoding}): {summary}."
        )

    def report(self, row, all_rows):
        where = f"line {row.line}" + (f" {row.key}" if row.key else "")
        if row.status == plan.ERROR:
            self.stdout.write(f"error     {where}: {row.reason}")
        elif row.status == plan.UPDATE:
            changed = ", ".join(label for label, _old, _new in row.change_labels)
            self.stdout.write(f"update    {where}: #{row.match_pk} ({row.match_label}) — {changed}")
        elif row.status == plan.NEW:
            self.stdout.write(f"new       {where}: {row.title} ({row.year})")
        elif all_rows:
            self.stdout.write(f"duplicate {where}: #{row.match_pk} by {row.match_label}")
        for warning in row.warnings:
            self.stdout.write(f"          warning: {warning}")
