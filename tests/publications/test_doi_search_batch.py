"""Finding the missing DOIs of the whole list from the data-health page (#20 item 2), in
the background: the button, the progress page, each paper's candidates, "Use this DOI"
and "Accept every candidate scoring at least", one undoable batch. Crossref is played
by a local server answering with the constructed responses of data/crossref/."""

import re

import pytest
from werkzeug import Response

from publications.models import DoiSearch, DoiSearchResult, ImportBatch, Publication
from tests import factories
from tests.jobs import run_tasks
from tests.publications.crossref_fixtures import expected_doi, search_handler, serve

pytestmark = pytest.mark.django_db

HEALTH = "/admin/publications/publication/data-health/"
START = "/admin/publications/publication/data-health/find-dois/"
SEEDED = {"10.1093/jmicro/dfaf038", "10.1002/aisy.202100103"}  # lab.toml's two DOIs


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def start(editor):
    """Press the data-health page's button; returns the search's page."""
    response = editor.post(START)
    assert response.status_code == 302
    assert re.fullmatch(rf"{START}\d+/", response.url), response.url
    return response.url


def searched(editor):
    """Start a search, see its progress page, let the worker run it; the search's page."""
    url = start(editor)
    waiting = editor.get(url).content.decode()
    assert '<meta http-equiv="refresh"' in waiting
    assert "Waiting for the worker" in waiting
    run_tasks()
    return url


def test_the_data_health_page_offers_to_look_for_every_missing_doi(editor, lab_content):
    page = editor.get(HEALTH).content.decode()
    assert "Look for the DOIs of the 30 papers without one" in page
    assert f'action="{START}"' in page
    japanese = editor.get(HEALTH, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Look for the DOIs" not in japanese
    assert "DOI のない 30 件の論文の DOI を探す" in japanese


def test_the_whole_list_is_searched_then_accepted_above_a_score_as_one_undoable_batch(
    editor, lab_content, sources
):
    serve(sources)
    url = searched(editor)
    assert len(sources.log) == 30  # one search per paper, all in the worker
    page = editor.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "for 30 papers without a DOI" in html
    assert '<meta http-equiv="refresh"' not in html
    # The first page: 25 papers, each with its candidates; the right one first.
    assert html.count('<section class="module"') == 25
    for result in DoiSearchResult.objects.filter(number__lte=25).select_related("paper"):
        section = html.split(f'id="paper-{result.number}"')[1].split("</section>")[0]
        assert re.search(r'href="https://doi.org/([^"]+)"', section)[1] == expected_doi(
            result.paper.title_en
        )
    assert "Use this DOI" in html
    assert 'class="import-differs"' in html  # the differences, as the single-paper page
    assert "?page=2" in html

    response = editor.post(url, {"threshold": "90"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == url
    assert batch.origin == ImportBatch.Origin.CROSSREF_MATCH
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.updated_count == 30
    for paper in Publication.objects.exclude(doi__in=SEEDED):
        assert paper.doi == expected_doi(paper.title_en)
    after = editor.get(url).content.decode()
    assert "30 DOIs scoring at least 90 are recorded as one import" in after
    assert f"/admin/publications/importbatch/{batch.pk}/change/" in after
    assert "This paper has the DOI" in after

    undone = editor.post(f"/admin/publications/importbatch/{batch.pk}/undo/")
    assert undone.status_code == 302
    run_tasks()
    assert Publication.objects.filter(doi="").count() == 30


def test_the_journey_in_japanese(editor, lab_content, sources):
    serve(sources)
    editor.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    url = start(editor)
    assert "ワーカーの順番を待っています" in editor.get(url).content.decode()
    run_tasks()
    html = editor.get(url).content.decode()
    assert "この DOI を使う" in html
    assert "Use this DOI" not in html
    editor.post(url, {"threshold": "90"})
    assert "1 回の取り込みとして記録しました" in editor.get(url).content.decode()
    assert Publication.objects.filter(doi="").count() == 0


def test_use_this_doi_records_one_paper_and_stays_on_the_list(editor, lab_content, sources):
    serve(sources)
    url = searched(editor)
    paper = Publication.objects.get(title_en__startswith="Strong excitonic interactions")
    doi = expected_doi(paper.title_en)
    response = editor.post(f"{url}?page=2", {"paper": paper.pk, "doi": doi})
    assert response.status_code == 302
    assert response.url == f"{url}?page=2"
    paper.refresh_from_db()
    assert paper.doi == doi
    batch = ImportBatch.objects.get()
    assert batch.items.get().object_id == paper.pk
    message = editor.get(response.url).content.decode()
    assert f"The DOI {doi} is recorded" in message
    # Accepting the rest leaves that one alone (it has its DOI now).
    editor.post(url, {"threshold": "90"})
    assert ImportBatch.objects.latest("pk").updated_count == 29


def test_a_doi_another_paper_took_meanwhile_is_refused_with_the_reason(
    editor, lab_content, sources
):
    serve(sources)
    url = searched(editor)
    paper = Publication.objects.get(title_en__startswith="Strong excitonic interactions")
    doi = expected_doi(paper.title_en)
    factories.paper(title_en="Someone else's paper", doi=doi.upper())
    response = editor.post(url, {"paper": paper.pk, "doi": doi})
    assert response.status_code == 409
    assert "Someone else" in response.content.decode()
    # Accepting above a score leaves that paper out (its DOI is taken) and records the rest.
    editor.post(url, {"threshold": "90"})
    batch = ImportBatch.objects.get()
    assert batch.updated_count == 29
    paper.refresh_from_db()
    assert paper.doi == ""


@pytest.mark.parametrize("value", ["", "abc", "101", "-1"])
def test_a_threshold_that_is_not_a_score_is_refused(editor, lab_content, sources, value):
    serve(sources)
    url = searched(editor)
    response = editor.post(url, {"threshold": value})
    assert response.status_code == 400
    assert "a whole number from 0 to 100" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_accepting_twice_records_nothing_the_second_time(editor, lab_content, sources):
    serve(sources)
    url = searched(editor)
    editor.post(url, {"threshold": "90"})
    response = editor.post(url, {"threshold": "90"})
    assert response.status_code == 200
    assert "nothing was recorded" in response.content.decode()
    assert ImportBatch.objects.count() == 1


def test_crossref_down_mid_way_stops_with_a_clear_message_and_keeps_what_was_found(
    editor, lab_content, sources
):
    answered = []

    def flaky(request):
        if len(answered) >= 4:
            return Response("down", status=503)
        answered.append(1)
        return search_handler(request)

    sources.expect_request("/crossref/works").respond_with_handler(flaky)
    url = searched(editor)
    search = DoiSearch.objects.get()
    assert search.status == DoiSearch.Status.FAILED
    assert search.results.count() == 4
    response = editor.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Crossref is unavailable at the moment (HTTP 503)." in html
    assert "The search stopped after 4 of 30 papers" in html
    assert html.count('<section class="module"') == 4
    assert not ImportBatch.objects.exists()
    assert Publication.objects.filter(doi="").count() == 30
    # Started again, it searches all the papers still without a DOI.
    answered.clear()
    sources.clear()
    serve(sources)
    again = searched(editor)
    assert DoiSearch.objects.get(pk=again.rstrip("/").rsplit("/", 1)[1]).results.count() == 30


def test_a_second_press_while_one_runs_shows_the_running_one(editor, lab_content):
    first = start(editor)
    assert start(editor) == first
    assert DoiSearch.objects.count() == 1


def test_the_number_of_papers_is_bounded(editor, lab_content, sources, settings):
    settings.LABSITE_DOI_SEARCH_MAX = 10
    serve(sources)
    page = editor.get(HEALTH).content.decode()
    assert "Look for the DOIs of the 10 newest papers without one" in page
    searched(editor)
    assert DoiSearchResult.objects.count() == 10
    # The newest first, as the data-health page lists them.
    newest = list(Publication.objects.filter(doi="").newest_first().values_list("pk", flat=True))
    assert list(DoiSearchResult.objects.values_list("paper_id", flat=True)) == newest[:10]


def test_a_start_by_get_is_refused_and_visitors_are_sent_to_log_in(editor, client, lab_content):
    assert editor.get(START).status_code == 405
    client.logout()
    response = client.post(START)
    assert response.status_code == 302
    assert "/login/" in response.url
    assert not DoiSearch.objects.exists()


@pytest.mark.parametrize("size", [5, 25])
def test_the_results_page_costs_the_same_queries_at_any_size(
    editor, lab_content, sources, settings, size, django_assert_num_queries
):
    settings.LABSITE_DOI_SEARCH_MAX = size
    serve(sources)
    url = searched(editor)
    editor.get(url)  # the session and the user, loaded once
    with django_assert_num_queries(10):
        response = editor.get(url)
    assert response.content.decode().count('<section class="module"') == size


def test_a_search_whose_worker_died_is_stopped_and_a_new_one_can_start(editor, lab_content):
    from datetime import timedelta

    from django.utils import timezone

    lost = DoiSearch.objects.create(
        status=DoiSearch.Status.RUNNING, progress_at=timezone.now() - timedelta(hours=1)
    )
    url = start(editor)
    assert url != f"{START}{lost.pk}/"
    lost.refresh_from_db()
    assert lost.status == DoiSearch.Status.FAILED
    page = editor.get(f"{START}{lost.pk}/").content.decode()
    assert "The worker stopped during the search; start it again." in page


def test_hostile_values_are_refused_not_a_500(editor, lab_content, sources):
    serve(sources)
    url = searched(editor)
    for data in ({"paper": "9" * 40, "doi": "10.1/x"}, {"paper": "x"}, {"threshold": "9" * 40}):
        assert editor.post(url, data).status_code == 400
    assert editor.get(f"{START}999999/").status_code == 404
    assert editor.get(f"{url}?page=abc").status_code == 200
    assert not ImportBatch.objects.exists()
