"""Synthetic publications for the benchmarks: the lab's real content plus N generated papers.

`seed(n)` loads the lab's content (six themes, their keywords, 32 papers), then
adds generated papers until the database holds `n` publications in all. The
generated papers look like a materials-science institute's output: English
titles from a domain vocabulary, a Japanese title on a third of them, 3–8
authors drawn from a pool of people (some lab members, some with kanji names),
one to three of the lab's keywords (so theme and keyword pages have long related
lists), venues, years 1990–2026, a DOI on most. Everything is written in bulk;
the search documents are then filled by the real code path
(`publications.search.refresh`). Deterministic for a given `n` and `rng_seed`.

Used by bench/search.py and bench/load.py; not part of the site.
"""

import random
import time

from django.db import DEFAULT_DB_ALIAS, transaction

from publications import freshness, search
from publications.models import Authorship, Keyword, Person, Publication

WORDS_EN = (
    "first-principles calculation of lattice defects in perovskite oxides",
    "machine learning prediction of core-loss spectra",
    "ELNES and XANES of transition-metal oxides",
    "grain boundary segregation and diffusion",
    "graph neural networks for crystal structures",
    "electron energy-loss near-edge structure",
    "interface energy of ceramic thin films",
    "data-driven discovery of solid electrolytes",
    "vacancy formation energies from density functional theory",
    "scanning transmission electron microscopy of dislocations",
    "generative models for inverse materials design",
    "local structure and bonding at oxide surfaces",
    "thermal conductivity of amorphous silicon",
    "spectral database and informatics",
    "Bayesian optimisation of catalyst composition",
)
WORDS_JA = (
    "格子欠陥", "第一原理計算", "内殻電子励起スペクトル", "機械学習", "粒界", "界面",
    "酸化物", "触媒", "固体電解質", "電子顕微鏡", "データ駆動型", "生成モデル",
    "局所構造", "熱伝導", "スペクトル解析", "マテリアルズインフォマティクス",
)  # fmt: skip
JOINERS_JA = ("の", "による", "を用いた", "における", "と")
VENUES = (
    "Phys. Rev. B", "J. Phys. Chem. C", "Acta Mater.", "npj Comput. Mater.",
    "Microscopy", "Ultramicroscopy", "J. Am. Ceram. Soc.", "Nat. Commun.",
    "Chem. Mater.", "ACS Nano", "Sci. Rep.", "日本金属学会誌", "顕微鏡",
)  # fmt: skip
FAMILY_EN = (
    "Tanaka", "Suzuki", "Sato", "Kim", "Chen", "Wang", "Smith", "Müller", "Garcia",
    "Nakamura", "Kobayashi", "Ito", "Li", "Zhang", "Park", "Rossi", "Dubois", "Novak",
)  # fmt: skip
GIVEN_EN = ("Hiroshi", "Yuki", "Min-Su", "Wei", "Anna", "John", "Kenji", "Maria", "Pei-Yu")
FAMILY_JA = ("田中", "鈴木", "佐藤", "中村", "小林", "伊藤", "山田", "渡辺")
GIVEN_JA = ("太郎", "花子", "健二", "由紀", "誠", "智子")
TYPES = ("article",) * 14 + ("review", "conference", "conference", "preprint")
PEOPLE = 3000
BATCH = 2000


def _title_en(rng):
    first, second = rng.sample(WORDS_EN, 2)
    return f"{first.capitalize()} and {second}"


def _title_ja(rng):
    a, b, c = rng.sample(WORDS_JA, 3)
    return f"{a}{rng.choice(JOINERS_JA)}{b}{rng.choice(JOINERS_JA)}{c}"


def _people(rng, using):
    """The author pool (created once): lab members, kanji names, Western names."""
    existing = list(Person.objects.using(using).filter(slug__startswith="synthetic-"))
    if existing:
        return existing
    people = []
    for i in range(PEOPLE):
        fields = {
            "family_name_en": rng.choice(FAMILY_EN) + (f"{i}" if i % 7 else ""),
            "given_name_en": rng.choice(GIVEN_EN),
            "is_lab_member": i < 30,
            "slug": f"synthetic-{i}",
        }
        if i % 4 == 0:
            fields["family_name_ja"] = rng.choice(FAMILY_JA)
            fields["given_name_ja"] = rng.choice(GIVEN_JA)
        people.append(Person(**fields))
    return Person.objects.using(using).bulk_create(people, batch_size=BATCH)


def seed(n, using=DEFAULT_DB_ALIAS, rng_seed=2026, log=print):
    """Make the database hold `n` publications: the lab's content plus generated papers.

    Returns the number of papers added. A database that already holds `n` or more
    is left as it is, so benchmarks can be re-run without seeding again.
    """
    from research.content.loader import load_lab_content  # bench may use both apps

    started = time.perf_counter()
    if not Keyword.objects.using(using).exists():
        load_lab_content()
    have = Publication.objects.using(using).count()
    if have >= n:
        log(f"seed: {have} publications already, nothing added")
        return 0
    rng = random.Random(rng_seed + have)
    keywords = list(Keyword.objects.using(using).values_list("pk", flat=True))
    people = _people(rng, using)
    through = Publication.keywords.through
    added = 0
    with transaction.atomic(using=using), search.deferred_refresh():
        for start in range(have, n, BATCH):
            size = min(BATCH, n - start)
            papers = []
            for i in range(start, start + size):
                year = rng.randint(1990, 2026)
                papers.append(
                    Publication(
                        title_en=_title_en(rng),
                        title_ja=_title_ja(rng) if i % 3 == 0 else "",
                        abstract_en=f"We report {rng.choice(WORDS_EN)} ({i}).",
                        venue=rng.choice(VENUES),
                        volume=str(rng.randint(1, 150)),
                        pages=f"{(p := rng.randint(1, 9000))}-{p + rng.randint(2, 20)}",
                        year=year,
                        month=rng.randint(1, 12) if i % 2 else None,
                        doi=f"10.9999/synthetic.{i}" if i % 5 else "",
                        type=rng.choice(TYPES),
                        slug=f"synthetic-paper-{i}",
                        is_published=i % 50 != 0,
                    )
                )
            papers = Publication.objects.using(using).bulk_create(papers, batch_size=BATCH)
            authorships, tags = [], []
            for paper in papers:
                for position, person in enumerate(rng.sample(people, rng.randint(3, 8)), 1):
                    authorships.append(
                        Authorship(publication=paper, person=person, position=position)
                    )
                for keyword_id in rng.sample(keywords, rng.randint(1, 3)):
                    tags.append(through(publication_id=paper.pk, keyword_id=keyword_id))
            Authorship.objects.using(using).bulk_create(authorships, batch_size=BATCH)
            through.objects.using(using).bulk_create(tags, batch_size=BATCH)
            search.schedule([paper.pk for paper in papers], using)
            added += size
        freshness.content_changed(using)  # bulk writes send no signals
    log(f"seed: added {added} publications in {time.perf_counter() - started:.1f} s")
    return added
