"""Restore an archive written by `manage.py backup` (README, "Backup").

python manage.py restore FILE.tar            # into an empty database and media folder
python manage.py restore FILE.tar --force    # replacing what they hold
python manage.py restore FILE.tar --check    # only verify the archive; touches nothing
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from labsite import backup


class Command(BaseCommand):
    help = (
        "Load an archive written by `backup` into an empty database (same vendor) and"
        " MEDIA_ROOT, after checking every checksum. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive (.tar) written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database's tables and the media folder's files if there are any.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only read the archive and check it against its manifest.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=list(connections),
            help="The database to restore into (default: %(default)s).",
        )

    def handle(self, *args, **options):
        archive = options["archive"]
        try:
            if options["check"]:
                manifest = backup.verify(archive)
                self.stdout.write(self.style.SUCCESS(f"{archive} is intact."))
                self._describe(manifest)
                return
            restored = backup.restore(archive, using=options["database"], force=options["force"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"Cannot use the database; nothing was restored: {error}") from error
        manifest = restored.manifest
        for replaced in restored.replaced:
            self.stdout.write(f"Replaced what was there: {replaced}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive} into the"
                f" {backup.database_label(connections[options['database']])}"
                f" and {settings.MEDIA_ROOT}."
            )
        )
        self._describe(manifest)
        for warning in restored.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if restored.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The archive's database lacks {len(restored.pending_migrations)} migration(s)"
                    " of this code: run `manage.py migrate`."
                )
            )

    def _describe(self, manifest):
        labsite = manifest.get("labsite", {})
        made_by = labsite.get("version") or "unknown version"
        if labsite.get("commit"):
            made_by += f", commit {labsite['commit'][:12]}"
        media = manifest["media"]
        self.stdout.write(
            f"  made: {manifest.get('created')} by labsite {made_by}"
            f"\n  database: {backup.VENDOR_NAMES[manifest['database']['vendor']]}"
            f" ({backup.summary_text(manifest.get('content', {}))})"
            f"\n  media: {backup.files_text(media['files'], media['bytes'])}"
        )
