"""The relevance evaluation set for the publications search (issue 17), and its scoring.

``queries.toml`` holds queries a prospective student might type, each with the seed
papers (research/content/lab.toml, by exact title) that a person in the field expects
on the first page, judged by reading the papers — never by running the search.

This module reads the set, runs each query through the public publications list as a
visitor would (``/ja/publications/?q=…`` or ``/en/…``: the first page, 20 papers, in
the default order, as the list's paginator gives them) and scores the answers. Both the test
(tests/publications/test_search_relevance.py) and the report (bench/relevance.py) use
it, so the figures in docs/search.md are the ones the test checks.

Scores, per query with papers expected:

* recall — the expected papers found on the first page / the papers expected, or
  the page's size (20) when more are expected: a query naming the whole lab
  (``whole_lab``, e.g. the PI's name) expects all 32 papers, and a first page full
  of them is all it can show;
* precision in the top 5 — the expected papers among the first five results / the
  number of those results (at most 5). A query whose page is empty has no precision.

Queries expecting no paper (a topic the lab does not work on) are left out of both
means; any paper they return is reported instead.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from django.urls import reverse
from django.utils import translation

from publications.views import PER_PAGE

QUERIES_FILE = Path(__file__).with_name("queries.toml")
LANGUAGES = ("ja", "en")
# Goals of issue 17.
RECALL_GOAL = 0.9
BROAD_SHARE = 3 / 4  # no query that does not name the whole lab returns more papers than this
TOP = 5


def lab_titles():
    """The titles of the seed's papers, as research/content/lab.toml spells them."""
    from research.content.loader import read_content

    return [paper["title"] for theme in read_content()["themes"] for paper in theme["papers"]]


@dataclass(frozen=True)
class Query:
    q: str
    lang: str
    kind: str
    expect: tuple
    whole_lab: bool = False
    why: str = ""


def load_queries(path=QUERIES_FILE):
    """The evaluation set; ``expect = "all"`` (whole-lab queries) is every seed paper."""
    with open(path, "rb") as fh:
        rows = tomllib.load(fh)["query"]
    titles = None
    queries = []
    for row in rows:
        expect = row["expect"]
        if expect == "all":
            titles = titles or lab_titles()
            expect = titles
        queries.append(
            Query(
                q=row["q"],
                lang=row["lang"],
                kind=row["kind"],
                expect=tuple(expect),
                whole_lab=row.get("whole_lab", False),
                why=row.get("why", ""),
            )
        )
    return queries


@dataclass(frozen=True)
class Answer:
    """What the first page of the publications list showed for one query."""

    query: Query
    titles: tuple  # the first page's papers, in the order the list's paginator gives them
    count: int  # the result count the page states

    @property
    def missed(self):
        return [title for title in self.query.expect if title not in self.titles]

    @property
    def recall(self):
        if not self.query.expect:
            return None
        found = len(self.query.expect) - len(self.missed)
        return found / min(len(self.query.expect), PER_PAGE)

    @property
    def precision(self):
        top = self.titles[:TOP]
        if not self.query.expect or not top:
            return None
        return sum(title in self.query.expect for title in top) / len(top)


def ask(client, query):
    """Search the public list as a visitor on ``query.lang``'s site does; one Answer."""
    with translation.override(query.lang):
        url = reverse("publications:list")
    response = client.get(url, {"q": query.q})
    assert response.status_code == 200, f"{query.q!r} on /{query.lang}/: {response.status_code}"
    page = response.context["page_obj"]
    return Answer(
        query=query,
        titles=tuple(paper.title_en for paper in page.object_list),
        count=response.context["result_count"],
    )


def ask_all(client, queries=None):
    return [ask(client, query) for query in queries or load_queries()]


@dataclass(frozen=True)
class Summary:
    """The figures for one language."""

    lang: str
    queries: int  # all of the language's queries
    scored: int  # those expecting papers (the recall's denominator)
    recall: float
    precision: float
    perfect: int  # queries finding every expected paper on the first page
    too_broad: tuple  # Answers returning more than BROAD_SHARE of the papers, whole lab excepted
    none_with_results: tuple  # queries expecting nothing that return papers


def summarise(answers, lang, papers):
    """The language's figures; ``papers`` is the number of published papers."""
    mine = [a for a in answers if a.query.lang == lang]
    scored = [a for a in mine if a.query.expect]
    precisions = [a.precision for a in scored if a.precision is not None]
    return Summary(
        lang=lang,
        queries=len(mine),
        scored=len(scored),
        recall=mean(a.recall for a in scored) if scored else 0.0,
        precision=mean(precisions) if precisions else 0.0,
        perfect=sum(a.recall == 1 for a in scored),
        too_broad=tuple(
            a for a in mine if not a.query.whole_lab and a.count > BROAD_SHARE * papers
        ),
        none_with_results=tuple(a for a in mine if not a.query.expect and a.count),
    )


def worst(answers, n=15):
    """The queries furthest from their goal: lowest recall, then lowest precision."""
    scored = [a for a in answers if a.query.expect]
    scored.sort(key=lambda a: (a.recall, a.precision if a.precision is not None else -1))
    return [a for a in scored if a.recall < 1][:n]


def describe(answer):
    """One line for a failing query: what it is, what it found, what it missed."""
    query = answer.query
    recall = "-" if answer.recall is None else f"{answer.recall:.2f}"
    return (
        f"{query.q!r} ({query.lang}, {query.kind}): recall {recall},"
        f" {answer.count} results, expected {len(query.expect)},"
        f" missed {len(answer.missed)}"
        + (f" e.g. {_short(answer.missed[0])!r}" if answer.missed else "")
    )


def _short(title, width=60):
    return title if len(title) <= width else title[: width - 1] + "…"
