"""Export every publication as BibTeX, RIS or CSL-JSON.

python manage.py export_bibtex [--format bibtex|ris|csljson] [--output FILE] [--published-only]

BibTeX is lossless: `import_bibtex` on the output changes nothing (docs/bibtex.md).
Writes to standard output unless --output is given; the summary line goes to
standard error then, so the output stays a clean file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, no_translations

from publications.bibtex import export
from publications.models import Publication


class Command(BaseCommand):
    help = "Export all publications as BibTeX (default), RIS or CSL-JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=sorted(export.FORMATS),
            default="bibtex",
            help="Output format (default: bibtex).",
        )
        parser.add_argument("--output", metavar="FILE", help="Write to FILE instead of stdout.")
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Leave out papers that are not published on the site.",
        )

    @no_translations
    def handle(self, *args, **options):
        publications = Publication.objects.for_export().newest_first()
        if options["published_only"]:
            publications = publications.published()
        publications = list(publications)
        text, _content_type, _ext = export.export(publications, options["format"])
        summary = f"Exported {len(publications)} publications as {options['format']}"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"{summary} to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
            self.stderr.write(f"{summary}.")
