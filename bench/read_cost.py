"""What one read costs at each layer, from the driver's cursor to a model's queryset.

    .venv/bin/python bench/read_cost.py            # labsite_load_10000, seeded by bench/load.py
    .venv/bin/python bench/read_cost.py --size 100000

Reads the load benchmark's database (`labsite_load_N`) with its settings and
times reads an uncached page makes, each through the layers above the
database: the driver's own cursor, Django's cursor, a queryset of a model with
no translated fields, and this project's querysets (modeltranslation rewrites
their lookups and builds their instances). Each is run 300 times after a
warm-up, in one process; it prints the median and the fastest of five batches
per read, in ms. A page's queries cost what its rows of this table cost, so
the table shows how much of an uncached page the ORM is on this machine.
Timings are printed, never asserted.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load import POSTGRES_URL, setup_uncached  # noqa: E402  (a script: see bench/load.py)

BATCHES, PER_BATCH = 5, 60


def timed(read):
    for _ in range(20):
        read()
    batches = []
    for _ in range(BATCHES):
        started = time.perf_counter()
        for _ in range(PER_BATCH):
            read()
        batches.append((time.perf_counter() - started) / PER_BATCH * 1000)
    return statistics.median(batches), min(batches)


def reads():
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import prefetch_related_objects

    from publications.models import Keyword, Publication, authors_in_order
    from research.models import LabProfile, ResearchTheme

    # As the theme page reads it: its keywords prefetched.
    theme = (
        ResearchTheme.objects.filter(is_published=True)
        .prefetch_related("keywords")
        .order_by("order")
        .first()
    )
    papers = list(theme.related_publications().for_list(authors=False)[:20])
    Group.objects.get_or_create(name="bench")  # a row for the plain model's read

    def their_authors():
        for paper in papers:  # read afresh each time: a prefetch skips what it already read
            vars(paper).pop("ordered_authorships", None)
        prefetch_related_objects(papers, authors_in_order())

    def driver_cursor():
        cursor = connection.connection.cursor()
        cursor.execute("SELECT * FROM research_labprofile WHERE id = %s", [1])
        cursor.fetchall()

    def django_cursor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM research_labprofile WHERE id = %s", [1])
            cursor.fetchall()

    return [
        ("one row by pk: the driver's cursor", driver_cursor),
        ("one row by pk: Django's cursor", django_cursor),
        (
            "one row by pk: a model without translations (auth Group)",
            lambda: Group.objects.filter(name="bench").first(),
        ),
        ("one row by pk: LabProfile.load()", LabProfile.load),
        (
            "a theme by slug (ResearchTheme, 5 translated fields)",
            lambda: ResearchTheme.objects.published().get(slug=theme.slug),
        ),
        (
            "the same with its keywords prefetched",
            lambda: list(
                ResearchTheme.objects.published()
                .prefetch_related("keywords")
                .get(slug=theme.slug)
                .keywords.all()
            ),
        ),
        ("a theme's keywords (a join)", lambda: list(Keyword.objects.filter(themes=theme))),
        (
            "a page of 20 related papers, list columns (for_list)",
            lambda: list(theme.related_publications().for_list(authors=False)[:20]),
        ),
        (
            "their authors (a prefetch: authors_in_order)",
            their_authors,
        ),
        (
            "building the related papers' queryset (no query)",
            lambda: theme.related_publications().for_list(authors=False)[:20],
        ),
        (
            "compiling it to SQL (no query)",
            lambda: theme.related_publications()[:20].query.sql_with_params(),
        ),
        ("a whole paper by pk", lambda: Publication.objects.get(pk=papers[0].pk)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="papers (labsite_load_N)")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()

    setup_uncached(args.postgres_url, args.size)
    from django.utils import translation

    translation.activate("en")
    print(
        f"\nreads at {args.size:,} papers, ms per read (median and fastest of {BATCHES} batches)\n"
    )
    print("| read | median ms | fastest ms |")
    print("|---|---:|---:|")
    for label, read in reads():
        median, fastest = timed(read)
        print(f"| {label} | {median:.2f} | {fastest:.2f} |")


if __name__ == "__main__":
    main()
