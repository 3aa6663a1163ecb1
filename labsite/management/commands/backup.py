"""Back up the database and the media files into one archive (README, "Backup").

python manage.py backup                      # BACKUP_DIR/labsite-YYYYMMDD-HHMMSS.tar
python manage.py backup --output FILE.tar    # that file
python manage.py backup --database ALIAS     # another configured database
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from labsite import backup


class Command(BaseCommand):
    help = (
        "Write one archive with the database (pg_dump custom format, or SQLite's online"
        " backup), every media file, and a manifest with their checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="The archive to write (default: BACKUP_DIR/labsite-<UTC time>.tar).",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=list(connections),
            help="The database to back up (default: %(default)s).",
        )

    def handle(self, *args, **options):
        output = options["output"]
        if not output:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
            output = settings.LABSITE_BACKUP_DIR / f"labsite-{stamp}.tar"
        try:
            manifest = backup.create(output, using=options["database"])
        except backup.BackupError as error:
            raise CommandError(f"No backup written: {error}") from error
        except (OSError, DatabaseError) as error:
            raise CommandError(f"No backup written: {error}") from error
        if options["verbosity"] < 1:
            return
        media = manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {output}")
            + f"\n  database: {backup.VENDOR_NAMES[manifest['database']['vendor']]}"
            f" ({backup.summary_text(manifest['content'])})"
            f"\n  media: {backup.files_text(media['files'], media['bytes'])}"
        )
