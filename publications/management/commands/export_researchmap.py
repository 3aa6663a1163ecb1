"""Export the lab's published papers in researchmap's bulk import format (CSV).

python manage.py export_researchmap [--member SLUG] [--year-from YEAR] [--year-to YEAR]
                                    [--output FILE]

The file (UTF-8, no byte-order mark; publications/sources/researchmap_export.py) is
what a member uploads on researchmap to add the papers there (papers researchmap
already holds are merged). Books are left out: researchmap lists them apart.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from publications.models import MAX_YEAR, MIN_YEAR
from publications.sources import researchmap_export
from research.models import Member


def year(value):
    if not value.isdigit() or not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise ValueError(value)
    return int(value)


class Command(BaseCommand):
    help = "Export the lab's published papers as researchmap's bulk import CSV."

    def add_arguments(self, parser):
        parser.add_argument("--member", metavar="SLUG", help="Only this member's papers.")
        parser.add_argument("--year-from", type=year, metavar="YEAR")
        parser.add_argument("--year-to", type=year, metavar="YEAR")
        parser.add_argument("--output", help="Write to this file (default: standard output).")

    @no_translations
    def handle(self, *args, **options):
        member = None
        if options["member"]:
            member = Member.objects.filter(slug=options["member"]).first()
            if member is None:
                raise CommandError(f"No member with the slug “{options['member']}”.")
            if member.person_id is None:
                raise CommandError(
                    f"{member} is not linked to an author: choose the author they are on "
                    "the member's admin page."
                )
        start, end = options["year_from"], options["year_to"]
        if start and end and start > end:
            raise CommandError("--year-from is after --year-to.")
        papers = list(researchmap_export.papers(member, start, end))
        text = researchmap_export.to_csv(papers)
        if options["output"]:
            Path(options["output"]).write_bytes(text.encode("utf-8"))
            self.stderr.write(f"Wrote {len(papers)} papers to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
