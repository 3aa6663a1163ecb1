"""Import a researcher's published papers from researchmap.

python manage.py import_researchmap (PERMALINK | --member SLUG) [the options of import_bibtex]

Reads https://api.researchmap.jp/{permalink}/published_papers (every page of the list,
with a progress bar), writes each paper as a BibTeX entry and imports them as
`import_bibtex` does: one line per new / updated / possible duplicate / error entry,
a summary, the same choices (--choose researchmap-<id>=…), one undoable batch. When
researchmap cannot be reached or answers something unreadable, nothing is written
and the command exits with status 1 and says why.
"""

from django.core.management.base import CommandError, no_translations

from publications.bibtex.decoding import DecodingError
from publications.models import ImportBatch
from publications.sources import http, importing, progress
from research.models import Member

from .import_bibtex import Command as ImportCommand


class Command(ImportCommand):
    help = "Import a researcher's published papers from researchmap (api.researchmap.jp)."
    origin = ImportBatch.Origin.RESEARCHMAP
    label = "researchmap"
    identifier_name = "a researchmap permalink"

    def add_arguments(self, parser):
        parser.add_argument(
            "identifier",
            nargs="?",
            help=f"{self.identifier_name[0].upper()}{self.identifier_name[1:]} (or its address).",
        )
        parser.add_argument(
            "--member", metavar="SLUG", help=f"The member whose {self.label} page to read."
        )
        self.add_import_options(parser)
        parser.add_argument(
            "--choose",
            action="append",
            default=[],
            metavar="KEY=CHOICE",
            help="What to do with the entry with this key (researchmap-<id>, orcid-<put-code>): "
            "new, skip, update or update:<id>. Repeat for several.",
        )

    def member_identifier(self, member):
        return member.researchmap

    def owner(self, member):
        return ""

    @no_translations
    def handle(self, *args, **options):
        member = None
        if options["member"]:
            member = Member.objects.filter(slug=options["member"]).first()
            if member is None:
                raise CommandError(f"No member with the slug “{options['member']}”.")
        value = options["identifier"] or (self.member_identifier(member) if member else "")
        if not value:
            raise CommandError(
                f"Give {self.identifier_name}, or --member SLUG of a member who has one."
            )
        keywords = self.keywords(options)
        try:
            with progress.bar(f"Reading {self.label}", "item", self.stderr._out) as report:
                batch, current = importing.start(
                    self.origin,
                    value,
                    owner=self.owner(member) if member else "",
                    source=ImportBatch.Source.COMMAND,
                    keywords=keywords,
                    is_published=not options["unpublished"],
                    progress=report,
                )
        except importing.NothingToImport as nothing:
            self.stdout.write(str(nothing))
            return
        except (http.SourceError, DecodingError) as error:
            raise CommandError(str(error)) from None
        self.finish(batch, current, batch.filename, options)
