"""Import a researcher's published papers, presentations, awards and patents from researchmap.

python manage.py import_researchmap (PERMALINK | --member SLUG) [--kind KIND …]
    [the options of import_bibtex]

Reads https://api.researchmap.jp/{permalink}/{type} for each type asked (`--kind`; all
four by default: published_papers, presentations, awards, industrial_property_rights),
every page of each list, with a progress bar. The papers are written as BibTeX entries
and imported as `import_bibtex` does: one line per new / updated / possible duplicate /
error entry, a summary, the same choices (--choose researchmap-<id>=…), one undoable
batch. The presentations, awards and patents are one more undoable import
(achievements/importing.py), listed the same way, with the same --choose. When
researchmap cannot be reached or answers something unreadable, nothing is written and
the command exits with status 1 and says why.
"""

from django.core.management.base import CommandError, no_translations

from achievements import importing as achievements_import
from publications.admin_researchmap import ALL_KINDS, PAPERS
from publications.bibtex.decoding import DecodingError
from publications.models import ImportBatch
from publications.sources import http, importing, progress, researchmap
from research.models import Member

from .import_bibtex import Command as ImportCommand


class Command(ImportCommand):
    help = (
        "Import a researcher's published papers, presentations, awards and patents from "
        "researchmap (api.researchmap.jp)."
    )
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
        if self.origin == ImportBatch.Origin.RESEARCHMAP:
            parser.add_argument(
                "--kind",
                action="append",
                dest="kinds",
                choices=ALL_KINDS,
                help="What to import (repeat for several; all four by default).",
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
        kinds = options.get("kinds") or ALL_KINDS
        types = [k for k in kinds if k != PAPERS] if self.origin == self.RESEARCHMAP else []
        keywords = self.keywords(options)
        batch = current = None
        try:
            fetched, permalink = self.fetch_others(value, types)
            if self.origin != self.RESEARCHMAP or PAPERS in kinds:
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
        except importing.NoIdentifier as error:
            raise CommandError(str(error)) from None
        except (http.SourceError, DecodingError) as error:
            raise CommandError(str(error)) from None
        others = achievements_import.create(
            f"researchmap.jp/{permalink}",
            fetched,
            holder=achievements_import.holder_name(permalink) if fetched else "",
            source=achievements_import.ResearchmapImport.Source.COMMAND,
            is_published=not options["unpublished"],
            papers_batch=batch,
        ) if fetched else None  # fmt: skip
        if types and others is None:
            self.stdout.write(
                f"researchmap.jp/{permalink} lists no presentations, awards or patents "
                "of the kinds asked: nothing to import."
            )
        # --choose: the keys of the other achievements go to their import, the rest to
        # the papers' (which refuses a key it does not know).
        keys = {row["key"]: row for row in others.rows} if others else {}
        mine = [c for c in options["choose"] if c.rpartition("=")[0] in keys]
        papers_options = {**options, "choose": [c for c in options["choose"] if c not in mine]}
        try:
            choices = self.achievement_choices(keys, mine)
            if batch is None and papers_options["choose"]:
                key = papers_options["choose"][0].rpartition("=")[0]
                raise CommandError(
                    f"--choose {papers_options['choose'][0]}: no entry with the key “{key}”."
                )
        except CommandError:
            for pending in (others, batch):
                if pending is not None:
                    pending.delete()
            raise
        if batch is not None:
            try:
                self.finish(batch, current, batch.filename, papers_options)
            except CommandError:
                if others is not None:
                    others.delete()
                raise
        if others is not None:
            self.finish_others(others, choices, options)

    RESEARCHMAP = ImportBatch.Origin.RESEARCHMAP

    def fetch_others(self, value, types):
        """({type: items}, permalink) of the presentations, awards and patents asked for."""
        if not types:
            return {}, ""
        permalink = researchmap.permalink_of(value)
        if not permalink:
            raise importing.NoIdentifier(
                f"“{value}” is not a researchmap permalink (e.g. read0123456)."
            )
        fetched = {}
        for kind in types:
            with progress.bar(f"Reading researchmap {kind}", "item", self.stderr._out) as report:
                fetched.update(achievements_import.fetch(permalink, [kind], report))
        return fetched, permalink

    def achievement_choices(self, keys, chosen):
        choices = {}
        for choice in chosen:
            key, _sep, value = choice.rpartition("=")
            row = keys[key]
            if value not in row["options"]:
                raise CommandError(
                    f"--choose {choice}: {key} can be {' or '.join(row['options'])}."
                )
            choices[row["number"]] = value
        return choices

    def finish_others(self, others, choices, options):
        """List the presentations, awards and patents, then import the chosen ones."""
        for row in others.rows:
            choice = choices.get(row["number"], row["default"])
            self.report_other(row, choice, options["all_rows"])
        counts, _chosen = achievements_import.summary(
            [{**row, "choice": choices.get(row["number"], row["default"])} for row in others.rows]
        )
        said = (
            f"{counts['new']} new, {counts['duplicate']} duplicates, "
            f"{counts['possible']} possible duplicates, {counts['error']} errors"
        )
        if options["dry_run"]:
            others.delete()
            self.stdout.write(f"Dry run, nothing written: {said}.")
            return
        try:
            result = achievements_import.confirm(others, choices)
        except achievements_import.ImportRefused as refused:
            raise CommandError(str(refused)) from None
        gone = f"; stored meanwhile, skipped: {'; '.join(result.gone)}" if result.gone else ""
        self.stdout.write(
            f"Imported the presentations, awards and patents of {others.page} "
            f"(achievements import #{others.pk}): {said}; {result.created} created, "
            f"{result.people} new people{gone}."
        )

    def report_other(self, row, choice, all_rows):
        where = f"{row['kind']} {row['key']}"
        title = f"{row['title']} ({row['date']})" if row["title"] else ""
        skipped = " (skipped)" if choice == achievements_import.SKIP else ""
        if row["status"] == achievements_import.ERROR:
            self.stdout.write(f"error     {where}: {row['reason']}")
        elif row["status"] == achievements_import.NEW:
            self.stdout.write(f"new       {where}: {title}{skipped}")
        elif row["status"] == achievements_import.POSSIBLE:
            done = "imported as new" if choice == achievements_import.NEW else "skipped"
            self.stdout.write(f"possible  {where}: {title} → {done}")
            for match in row["matches"]:
                self.stdout.write(f"          like #{match['id']} {match['label']}")
        elif all_rows:
            same = f"#{row['matches'][0]['id']}" if row["matches"] else row["reason"]
            self.stdout.write(f"duplicate {where}: {same}{skipped}")
        for warning in row["warnings"]:
            self.stdout.write(f"          {warning}")
