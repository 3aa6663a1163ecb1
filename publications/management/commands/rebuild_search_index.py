"""Recompute the publication search index (publications/search/).

python manage.py rebuild_search_index               # every publication and keyword
python manage.py rebuild_search_index --database X  # another configured database

Signals keep the index fresh after edits made through Django; run this after
changing rows behind Django's back (raw SQL, QuerySet.update, bulk_create). It
writes only rows whose document changed, so a second run reports 0 updated.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from publications import search


class Command(BaseCommand):
    help = "Recompute every publication's search document and every keyword's normalised names."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=list(connections),
            help="The database to rebuild the index of (default: %(default)s).",
        )

    def handle(self, *args, **options):
        using = options["database"]
        with transaction.atomic(using=using):
            summary = search.rebuild(using=using)
        self.stdout.write(f"Search index rebuilt: {summary}.")
