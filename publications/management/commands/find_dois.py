"""Look up the DOIs of papers that have none on Crossref, and record the certain ones.

    python manage.py find_dois [--accept-above SCORE] [--paper ID ...] [--limit N]

For every paper without a DOI (newest first), Crossref's bibliographic search is asked
for candidates (publications/sources/doi_search.py); one line per paper names the best
one and its score. With `--accept-above SCORE`, a best candidate scoring at least SCORE
is accepted when no other candidate reaches SCORE too and no other paper has or gets
that DOI; all the acceptances are written at the end as one import batch, which the
admin undoes like any import (Publications → Past imports). Crossref unreachable or
down stops the command with a non-zero exit before anything is written. Papers that
got a DOI are not searched again, so a second run changes nothing.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError, no_translations
from tqdm import tqdm

from publications.bibtex.plan import PlanError
from publications.data_health import missing_papers
from publications.models import ImportBatch
from publications.sources import doi_search, http


class Command(BaseCommand):
    help = "Find the DOIs of papers without one on Crossref; optionally record the certain ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--accept-above",
            type=int,
            metavar="SCORE",
            help="Record the best candidate's DOI when it scores at least SCORE (0–100) and "
            "no other candidate does; without it nothing is written.",
        )
        parser.add_argument(
            "--paper",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help="Only this paper (its id in the admin); repeatable.",
        )
        parser.add_argument(
            "--limit", type=int, metavar="N", help="At most N papers (the newest first)."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (on standard error)."
        )

    @no_translations  # messages in English, as import_bibtex's
    def handle(self, *args, **options):
        threshold = options["accept_above"]
        if threshold is not None and not 0 <= threshold <= 100:
            raise CommandError("--accept-above takes a score from 0 to 100.")
        papers = missing_papers("doi").with_authors()
        if options["paper"]:
            papers = papers.filter(pk__in=options["paper"])
        if options["limit"]:
            papers = papers[: options["limit"]]
        papers = list(papers)
        chosen, counts = {}, Counter()
        bar = tqdm(
            papers,
            desc="Crossref",
            unit="paper",
            file=self.stderr._out,
            disable=options["no_progress"],
        )
        for paper in bar:
            try:
                candidates = doi_search.search(paper)
            except http.SourceError as error:
                bar.close()
                raise CommandError(
                    f"{error.message} Nothing was written ({len(chosen)} DOIs were to be recorded)."
                ) from error
            line, accepted = self._verdict(paper, candidates, threshold, chosen)
            counts[accepted] += 1
            with bar.external_write_mode():
                self.stdout.write(line)
        batch = self._record(chosen) if chosen else None
        summary = (
            f"{len(papers)} papers without a DOI searched: {counts['accepted']} accepted, "
            f"{counts['check']} to check in the admin, {counts['none']} without a candidate."
        )
        if batch is not None:
            summary += f" Recorded as import #{batch.pk} (undo it in the admin)."
        self.stdout.write(summary)

    def _verdict(self, paper, candidates, threshold, chosen):
        """(the line printed for this paper, "accepted" / "check" / "none")."""
        label = f"#{paper.pk} {doi_search.paper_title(paper)[:70]}"
        if not candidates:
            return f"{label}: no candidate", "none"
        best = candidates[0]
        line = f"{label}: {best.doi} (score {best.score})"
        if threshold is None:
            return line, "check"
        found, which = doi_search.verdict(
            candidates, threshold, {doi.lower() for doi in chosen.values()}
        )
        if found == doi_search.BELOW:
            return f"{line}: below {threshold}, check in the admin", "check"
        if found == doi_search.RIVAL:
            return f"{line}: {which.doi} scores {which.score} too, check in the admin", "check"
        if found == doi_search.TAKEN:
            return f"{line}: already the DOI of paper #{best.taken_by.pk}", "check"
        if found == doi_search.CHOSEN:
            return f"{line}: already chosen for another paper, check in the admin", "check"
        chosen[paper.pk] = best.doi
        return f"{line}: accepted", "accepted"

    def _record(self, chosen):
        try:
            return doi_search.accept(chosen, source=ImportBatch.Source.COMMAND)
        except (doi_search.AcceptError, PlanError) as error:
            raise CommandError(f"{error} Nothing was written.") from error
