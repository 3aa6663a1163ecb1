"""Finding missing DOIs on Crossref: candidates scored and compared, accepted with one
click as an undoable batch, and the `find_dois` command. Crossref is played by a local
server answering with constructed responses in Crossref's format (data/crossref/)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from publications.bibtex import undo
from publications.models import ImportBatch, Publication
from publications.sources import doi_search
from tests import factories
from tests.publications.crossref_fixtures import FOLDER, INDEX, expected_doi, serve

pytestmark = pytest.mark.django_db


def find_url(paper):
    return f"/admin/publications/publication/{paper.pk}/find-doi/"


def first_candidate(page):
    """The DOI of the first candidate the page shows."""
    return page.split('href="https://doi.org/', 1)[1].split('"', 1)[0]


def test_each_seed_paper_without_a_doi_gets_the_right_candidate_first(
    editor_client, lab_content, sources
):
    """The acceptance test of issue 20 (data health): every seed paper without a DOI, the
    right work first among the decoys (erratum, conference abstract, similar title, the
    authors' other paper), whatever Crossref's own order."""
    serve(sources)
    papers = list(Publication.objects.filter(doi=""))
    assert len(papers) == 30
    wrong = {}
    for paper in papers:
        response = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        found = first_candidate(response.content.decode())
        if found != expected_doi(paper.title_en):
            wrong[paper.title_en] = found
    assert not wrong


def test_the_right_work_scores_high_and_decoys_do_not(lab_content, sources):
    serve(sources)
    for paper in Publication.objects.filter(doi="").with_authors():
        best, *others = doi_search.search(paper)
        assert best.score >= 90, (paper.title_en, best.score, best.parts)
        assert all(other.score < 80 for other in others), (paper.title_en, others[0].parts)


def test_the_page_shows_score_and_differences(editor_client, lab_content, sources):
    serve(sources)
    paper = Publication.objects.get(title_en__startswith="Basics and Applications of ELNES")
    page = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Candidate 1: score" in page
    # The journal's abbreviation against Crossref's name: shown, not counted as a difference.
    assert "Microscopy" in page
    # The erratum: its title and year differ from the paper's, and the page says so.
    erratum = page.split(">10.5555/erratum.")[1].split("</section>")[0]
    assert "Erratum: Basics and Applications of ELNES calculation" in erratum
    assert erratum.count("(differs)") >= 3  # title, year, volume
    # This paper's value left, Crossref's right.
    title_row = erratum.split("Title")[1].split("</tr>")[0]
    assert title_row.index("<td>Basics and") < title_row.index("<td>Erratum: Basics")
    # The right work differs in its year only (online the year before): neither the
    # journal's name nor "Teruyasu" for "T." counts as a difference.
    right = page.split(">10.5555/labsite.")[1].split("</section>")[0]
    assert right.count("(differs)") == 1
    assert "Year <span" in right
    japanese = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "候補 1" in japanese
    assert "この DOI を使う" in japanese


def test_one_click_records_the_doi_as_a_batch_that_undo_takes_back(
    editor_client, lab_content, sources
):
    serve(sources)
    paper = Publication.objects.get(title_en__startswith="Strong excitonic interactions")
    doi = expected_doi(paper.title_en)
    response = editor_client.post(find_url(paper), {"doi": doi}, HTTP_ACCEPT_LANGUAGE="en")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/publications/importbatch/{batch.pk}/change/"
    paper.refresh_from_db()
    assert paper.doi == doi
    assert batch.origin == ImportBatch.Origin.CROSSREF_MATCH
    assert batch.status == ImportBatch.Status.APPLIED
    batch_page = editor_client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"The DOI {doi} is recorded" in batch_page
    assert "Undo this import" in batch_page
    # The paper left the data-health list, and the visitor's page links the DOI.
    health = editor_client.get("/admin/publications/publication/data-health/").content.decode()
    assert find_url(paper) not in health
    assert (
        f"https://doi.org/{doi}"
        in editor_client.get(f"/en/publications/{paper.slug}/").content.decode()
    )
    undo.undo(batch)
    paper.refresh_from_db()
    assert paper.doi == ""
    assert (
        find_url(paper)
        in editor_client.get("/admin/publications/publication/data-health/").content.decode()
    )


def test_a_doi_another_paper_has_is_refused_with_the_reason(editor_client, lab_content, sources):
    serve(sources)
    paper = Publication.objects.get(title_en__startswith="Strong excitonic interactions")
    doi = expected_doi(paper.title_en)
    factories.paper(title_en="Someone else's paper", doi=doi.upper())
    page = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Another paper has this DOI already" in page
    response = editor_client.post(find_url(paper), {"doi": doi}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "Someone else" in response.content.decode()
    assert not ImportBatch.objects.exists()
    paper.refresh_from_db()
    assert paper.doi == ""


@pytest.mark.parametrize("value", ["not a doi", ""])
def test_a_forged_doi_is_refused(editor_client, lab_content, sources, value):
    serve(sources)
    paper = Publication.objects.filter(doi="").first()
    response = editor_client.post(find_url(paper), {"doi": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "A DOI looks like" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(("lang", "text"), [("en", "Crossref is unavailable"), ("ja", "Crossref")])
def test_crossref_down_is_a_clear_message_not_a_500(
    editor_client, lab_content, sources, lang, text
):
    sources.expect_request("/crossref/works").respond_with_data("down", status=503)
    paper = Publication.objects.filter(doi="").first()
    response = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 503
    page = response.content.decode()
    assert text in page
    assert 'class="errornote"' in page


def test_a_malformed_answer_is_reported_too(editor_client, lab_content, sources):
    sources.expect_request("/crossref/works").respond_with_json({"message": {"items": "x"}})
    paper = Publication.objects.filter(doi="").first()
    response = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "cannot be read" in response.content.decode()


def test_an_unreadable_work_is_skipped_and_the_others_shown(editor_client, lab_content, sources):
    paper = Publication.objects.get(title_en__startswith="Basics and Applications of ELNES")
    answer = json.loads((FOLDER / INDEX[paper.title_en]["file"]).read_text())
    answer["message"]["items"][:0] = [{"DOI": 5, "title": 7, "author": ["x"]}, "nonsense"]
    sources.expect_request("/crossref/works").respond_with_json(answer)
    response = editor_client.get(find_url(paper), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert first_candidate(response.content.decode()) == expected_doi(paper.title_en)
    assert response.content.decode().count("Use this DOI") == 5


def test_venue_abbreviations_agree_with_full_names():
    assert doi_search.venue_similarity("Phys. Rev. B", "Physical Review B") == 1
    assert (
        doi_search.venue_similarity("J. Ceram. Soc. Jpn", "Journal of the Ceramic Society of Japan")
        == 1
    )
    assert doi_search.venue_similarity("Phys. Rev. B", "Physical Review Letters") < 1
    assert doi_search.venue_similarity("Microscopy", "Microscopy and Microanalysis") == 0.5


def test_titles_compare_without_markup_and_math():
    plain = "Defect energetics in LaAlO$_3$ polymorphs"
    assert (
        doi_search.title_similarity(plain, "DEFECT ENERGETICS IN LaAlO<sub>3</sub> POLYMORPHS") == 1
    )


def test_the_command_accepts_the_certain_ones_in_one_undoable_batch(lab_content, sources):
    serve(sources)
    out, err = io.StringIO(), io.StringIO()
    call_command("find_dois", "--accept-above", "90", stdout=out, stderr=err)
    assert "30 papers without a DOI searched: 30 accepted" in out.getvalue()
    assert "30/30" in err.getvalue()  # the progress bar
    batch = ImportBatch.objects.get()
    assert batch.source == ImportBatch.Source.COMMAND
    seeded = {"10.1093/jmicro/dfaf038", "10.1002/aisy.202100103"}  # lab.toml's two DOIs
    for paper in Publication.objects.exclude(doi__in=seeded):
        assert paper.doi == expected_doi(paper.title_en)
    # A second run finds nothing left to do.
    again = io.StringIO()
    call_command("find_dois", "--accept-above", "90", stdout=again, stderr=io.StringIO())
    assert "0 papers without a DOI searched" in again.getvalue()
    assert ImportBatch.objects.count() == 1
    undo.undo(batch)
    assert Publication.objects.filter(doi="").count() == 30


def test_the_command_without_a_threshold_writes_nothing(lab_content, sources):
    serve(sources)
    out = io.StringIO()
    call_command("find_dois", "--no-progress", stdout=out, stderr=io.StringIO())
    assert "30 to check in the admin" in out.getvalue()
    assert not ImportBatch.objects.exists()


def test_the_command_stops_with_an_error_when_crossref_is_down(lab_content, sources):
    sources.expect_request("/crossref/works").respond_with_data("down", status=503)
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command(
            "find_dois", "--accept-above", "90", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert not ImportBatch.objects.exists()
    assert Publication.objects.filter(doi="").count() == 30
