"""Import a BibTeX file into the publications database.

python manage.py import_bibtex FILE [--dry-run] [--keyword SLUG ...] [--unpublished]
                               [--skip-errors] [--all-rows] [--no-updates]
                               [--possible new|skip] [--choose KEY=CHOICE ...]

Prints one line per entry that is not a plain duplicate (new, update with the
fields that change, possible duplicate with the paper it resembles and what
differs, error with line, key and reason) and a summary line. Papers already in
the database (docs/bibtex.md: same DOI or arXiv id, or same title and year with
nothing contradicting it) are not created again, so importing the same file twice
reports "0 new, 0 updated" the second time.

What happens to each entry is what the admin preview proposes: new → imported,
update → applied, duplicate → skipped, possible duplicate → imported as new (skipped
when only the BibTeX key agrees). `--no-updates` skips every update, `--possible`
sets every possible duplicate, and `--choose KEY=CHOICE` (repeatable) sets one
entry by its BibTeX key: `new`, `skip`, `update` (the matched paper) or
`update:<id>` (a paper a possible duplicate resembles).

The import is one transaction, planned again under the import lock: when another
import stored some of the entries between the listing and the writing, nothing is
written and the command says they are already imported. With errors in the file
nothing is written unless --skip-errors says to import the rest. Every import is an
ImportBatch that staff can undo in the admin.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import DEFAULT_DB_ALIAS

from publications.bibtex import importer, plan
from publications.bibtex.decoding import MAX_BYTES, DecodingError
from publications.models import ImportBatch, Keyword


class Command(BaseCommand):
    help = (
        "Import publications from a BibTeX file (UTF-8, Latin-1, Shift_JIS, EUC-JP, ISO-2022-JP)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .bib file to import ('-' reads standard input).")
        self.add_import_options(parser)
        parser.add_argument(
            "--choose",
            action="append",
            default=[],
            metavar="KEY=CHOICE",
            help="What to do with the entry with this BibTeX key: new, skip, update (the "
            "matched paper) or update:<id> (a paper it resembles). Repeat for several.",
        )

    def add_import_options(self, parser):
        """The options of every import command (add_papers has them too)."""
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
        parser.add_argument(
            "--no-updates",
            action="store_true",
            help="List the updates the file would make but skip them.",
        )
        parser.add_argument(
            "--possible",
            choices=("new", "skip"),
            help="Import every possible duplicate as new, or skip them all (default: new when "
            "the title and year agree, skip when only the BibTeX key does).",
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
        keywords = self.keywords(options)
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
        self.finish(batch, current, name, options)

    def finish(self, batch, current, name, options):
        """List the plan of a pending batch, then confirm it with the options' choices
        (import_researchmap and import_orcid end the same way)."""
        try:
            choices = self.choices(current, options)
            current.apply_choices(choices)
        except plan.PlanError as error:
            batch.delete()
            raise CommandError(str(error)) from None
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
            # Planned again under the import lock; refused if that plan is not the one listed
            # above (another import stored some of these entries meanwhile).
            _batch, current = importer.confirm(
                batch,
                skip_errors=True,
                using=DEFAULT_DB_ALIAS,
                expected_digest=current.digest(),
                choices=choices,
            )
        except importer.PlanChanged as changed:
            batch.delete()
            raise CommandError(
                f"Nothing imported: {changed} Now: {changed.plan.summary()}."
            ) from None
        except plan.PlanError as error:
            raise CommandError(str(error)) from None
        summary = current.summary()
        encoding = f", encoding {batch.encoding}" if batch.encoding else ""
        self.stdout.write(f"Imported {name} (import #{batch.pk}{encoding}): {summary}.")

    def keywords(self, options):
        keywords = []
        for slug in options["keyword"]:
            keyword = Keyword.objects.filter(slug=slug).first()
            if keyword is None:
                raise CommandError(f"No keyword with the slug “{slug}”.")
            keywords.append(keyword)
        return keywords

    def choices(self, current, options):
        """{row number: option} from --no-updates, --possible and --choose (which wins)."""
        choices = {}
        for row in current.rows:
            if options["no_updates"] and row.status == plan.UPDATE:
                choices[row.number] = plan.SKIP
            if options["possible"] and row.status == plan.POSSIBLE:
                choices[row.number] = options["possible"]
        # Only the rows --choose names: a large plan's rows are rebuilt as they are read
        # (plan.PackedRows), and holding them all would undo that.
        named = {choice.rpartition("=")[0] for choice in options["choose"]}
        by_key = {row.key: row for row in current.rows if row.key and row.key in named}
        for choice in options["choose"]:
            key, sep, value = choice.rpartition("=")
            if not sep or key not in by_key:
                raise plan.PlanError(f"--choose {choice}: no entry with the key “{key}”.")
            row = by_key[key]
            if value == "update" and row.match_pk is not None:
                value = f"update:{row.match_pk}"
            choices[row.number] = value
        return choices

    def report(self, row, all_rows):
        where = f"line {row.line}" + (f" {row.key}" if row.key else "")
        if row.record.get("identifier"):  # add_papers: what was looked up
            where = f"{row.line}. {row.record['identifier']}"
        skipped = " (skipped)" if row.action == plan.SKIP else ""
        if row.status == plan.ERROR:
            self.stdout.write(f"error     {where}: {row.reason}")
        elif row.status == plan.UPDATE:
            changed = ", ".join(label for label, _old, _new in row.change_labels)
            self.stdout.write(
                f"update    {where}: #{row.match_pk} ({row.match_label}) — {changed}{skipped}"
            )
        elif row.status == plan.NEW:
            self.stdout.write(f"new       {where}: {row.title} ({row.year or 'undated'}){skipped}")
        elif row.status == plan.POSSIBLE:
            done = {plan.NEW: "imported as new", plan.SKIP: "skipped"}.get(
                row.action, f"updates #{row.update_pk}"
            )
            self.stdout.write(f"possible  {where}: {row.title} ({row.year or 'undated'}) → {done}")
            for candidate in row.candidates:
                like = f"#{candidate.pk}" if candidate.pk else f"entry {candidate.number}"
                differs = ", ".join(candidate.contradiction_labels)
                self.stdout.write(f"          like {like} {candidate.title}; differs: {differs}")
        elif all_rows or row.action != plan.SKIP:
            same = f"entry {row.same_as}" if row.same_as else f"#{row.match_pk}"
            self.stdout.write(f"duplicate {where}: {same} by {row.match_label}{skipped}")
        for warning in row.warnings:
            self.stdout.write(f"          warning: {warning}")
