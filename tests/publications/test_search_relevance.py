"""Search relevance on the lab's own papers (issue 17): what a student types finds what they mean.

The evaluation set is tests/search_eval/queries.toml; the scoring is tests/search_eval
(bench/relevance.py prints the same figures as a table: docs/search.md, "Relevance").
"""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests import search_eval


@pytest.fixture(scope="module")
def answers(django_db_setup, django_db_blocker):
    """Every query of the set asked once on the lab's content; the content rolled back after.

    Asked once for the module: the tests that use it are marked ``django_db`` so that
    pytest-django creates the test database even when only they are selected.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_lab_content", stdout=StringIO())
        result = search_eval.ask_all(Client())
        transaction.set_rollback(True)
    return result


class TestTheEvaluationSet:
    def test_has_at_least_60_queries_30_in_each_language(self):
        queries = search_eval.load_queries()
        languages = Counter(query.lang for query in queries)
        assert len(queries) >= 60
        assert set(languages) == set(search_eval.LANGUAGES)
        assert min(languages.values()) >= 30, languages

    def test_every_expected_paper_is_a_seed_paper_by_its_exact_title(self):
        titles = set(search_eval.lab_titles())
        unknown = {
            (query.q, title)
            for query in search_eval.load_queries()
            for title in query.expect
            if title not in titles
        }
        assert not unknown

    def test_each_query_is_asked_once_per_language_and_lists_a_paper_once(self):
        queries = search_eval.load_queries()
        asked = Counter((query.q, query.lang) for query in queries)
        assert [key for key, n in asked.items() if n > 1] == []
        assert [query.q for query in queries if len(set(query.expect)) != len(query.expect)] == []

    def test_only_whole_lab_queries_expect_most_papers(self):
        papers = len(search_eval.lab_titles())
        broad = [
            query.q
            for query in search_eval.load_queries()
            if len(query.expect) > search_eval.BROAD_SHARE * papers and not query.whole_lab
        ]
        assert broad == []

    def test_a_few_queries_expect_nothing(self):
        # Topics the lab does not work on catch a search that widens too far.
        nothing = [query.q for query in search_eval.load_queries() if not query.expect]
        assert len(nothing) >= 2


@pytest.mark.django_db
def test_the_evaluation_reads_the_first_page_as_a_visitor_sees_it(lab_content, client):
    """The PI's name finds all 32 papers; the first page shows 20 of them, all it can."""
    query = next(q for q in search_eval.load_queries() if q.q == "Mizoguchi")
    answer = search_eval.ask(client, query)
    assert answer.count == 32
    assert len(answer.titles) == 20
    assert set(answer.titles) <= set(search_eval.lab_titles())
    assert answer.recall == 1


def _failing(answers):
    return "\n".join(search_eval.describe(answer) for answer in answers)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", search_eval.LANGUAGES)
def test_first_page_recall_reaches_the_goal(answers, lang):
    summary = search_eval.summarise(answers, lang, len(search_eval.lab_titles()))
    mine = [answer for answer in answers if answer.query.lang == lang]
    assert summary.recall >= search_eval.RECALL_GOAL, (
        f"recall on the first page in {lang}: {summary.recall:.2f} over {summary.scored}"
        f" queries (goal {search_eval.RECALL_GOAL}); missing papers:\n"
        + _failing(search_eval.worst(mine, n=len(mine)))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("lang", search_eval.LANGUAGES)
def test_no_query_returns_most_papers_unless_it_names_the_whole_lab(answers, lang):
    summary = search_eval.summarise(answers, lang, len(search_eval.lab_titles()))
    assert not summary.too_broad, (
        f"queries returning more than {search_eval.BROAD_SHARE:.0%} of the papers:\n"
        + _failing(summary.too_broad)
    )
