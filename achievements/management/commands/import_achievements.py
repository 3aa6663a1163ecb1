"""Import presentations and patents from a BibTeX file (achievements/bibtex.py).

python manage.py import_achievements FILE [--unpublished]

Prints one line per entry (new, duplicate, skipped — not an achievement — or error
with line, key and reason) and a summary. With any error nothing is written and the
command fails.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from publications.bibtex.decoding import MAX_BYTES, DecodingError, decode

from ...bibtex import import_text


class Command(BaseCommand):
    help = "Import presentations and patents from a BibTeX file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .bib file to import ('-' reads standard input).")
        parser.add_argument(
            "--unpublished", action="store_true", help="Keep what it imports hidden from visitors."
        )

    @no_translations
    def handle(self, *args, **options):
        name = options["file"]
        try:
            stdin = name == "-"
            data = sys.stdin.buffer.read(MAX_BYTES + 1) if stdin else Path(name).read_bytes()
            result = import_text(decode(data).text, is_published=not options["unpublished"])
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}") from None
        except DecodingError as error:
            raise CommandError(str(error)) from None
        for row in result.rows:
            detail = f": {row.message}" if row.message else ""
            self.stdout.write(
                f"line {row.line} {row.key or '?'} {row.kind or '-'} {row.status}{detail}"
            )
        if result.errors:
            raise CommandError(f"{len(result.errors)} entries in error: nothing imported.")
        self.stdout.write(f"{result.created} imported.")
