"""Identifiers in any form people paste are stored normalised: in the import and the admin."""

import pytest
from django.urls import reverse

from publications.bibtex import importer
from publications.models import Publication, normalise_arxiv, normalise_doi

DOI = "10.1002/adma.202100103"


@pytest.mark.parametrize(
    "pasted",
    [
        DOI, f"https://doi.org/{DOI}", f"http://dx.doi.org/{DOI}", f"https://www.doi.org/{DOI}",
        f"doi.org/{DOI}", f"doi:{DOI}", f"DOI: {DOI}", f"DOI {DOI}", f"info:doi/{DOI}",
        f"  {DOI}.  ", "10.1002%2Fadma.202100103", "https://doi.org/10.1002%2Fadma.202100103",
    ],
)  # fmt: skip
def test_a_doi_in_any_form_is_stored_bare(pasted):
    assert normalise_doi(pasted) == DOI


def test_a_url_encoded_doi_with_brackets_is_decoded():
    assert normalise_doi("https://doi.org/10.1002/%28SICI%291097-4628%2819960214%29") == (
        "10.1002/(SICI)1097-4628(19960214)"
    )


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("2101.00001", "2101.00001"), ("arXiv:2101.00001v2", "2101.00001"),
        ("arxiv:2101.00001", "2101.00001"), ("https://arxiv.org/abs/2101.00001v3", "2101.00001"),
        ("arxiv.org/abs/2101.00001", "2101.00001"),
        ("https://arxiv.org/pdf/2101.00001v2.pdf", "2101.00001"),
        ("https://arxiv.org/pdf/2101.00001", "2101.00001"),
        ("http://export.arxiv.org/abs/2101.00001", "2101.00001"),
        ("https://doi.org/10.48550/arXiv.2101.00001", "2101.00001"),
        ("arXiv:2301.01234 [cond-mat.mtrl-sci]", "2301.01234"),
        ("cond-mat/0211159", "cond-mat/0211159"), ("cond-mat/0211159v2", "cond-mat/0211159"),
        ("arXiv:cond-mat/0211159v1", "cond-mat/0211159"),
        ("https://arxiv.org/abs/cond-mat/0211159", "cond-mat/0211159"),
        ("math.GT/0309136", "math.GT/0309136"), ("1501.0001", "1501.0001"),
    ],
)  # fmt: skip
def test_an_arxiv_id_in_any_form_is_stored_without_its_version(pasted, stored):
    assert normalise_arxiv(pasted) == stored


def imported(**fields):
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
    [record] = importer.records_from_text(f"@article{{k,\n  title = {{T}}, year = 2020,\n{body}}}")
    return record["fields"]


def test_the_import_normalises_identifiers_from_every_field_they_come_in():
    assert imported(doi=f"https://doi.org/{DOI}")["doi"] == DOI
    assert imported(doi=f"DOI: {DOI}")["doi"] == DOI
    assert imported(url=f"https://doi.org/{DOI}")["doi"] == DOI  # no doi field: the URL's
    assert imported(eprint=DOI, eprinttype="doi")["doi"] == DOI
    assert imported(eprint="arXiv:2101.00001v2", archiveprefix="arXiv")["arxiv_id"] == (
        "2101.00001"
    )
    assert imported(eprint="cond-mat/0211159v1")["arxiv_id"] == "cond-mat/0211159"
    assert imported(url="https://arxiv.org/abs/2101.00001v2")["arxiv_id"] == "2101.00001"
    assert imported(note="arXiv:cond-mat/0211159")["arxiv_id"] == "cond-mat/0211159"


def test_two_dois_in_the_doi_field_keep_the_first_with_a_warning():
    [record] = importer.records_from_text(
        f"@article{{k, title = {{T}}, year = 2020, doi = {{{DOI} 10.1000/other}}}}"
    )
    assert record["fields"]["doi"] == DOI and record["warnings"]


@pytest.mark.django_db
def test_the_admin_form_accepts_a_pasted_doi_url_and_arxiv_url_and_stores_them_bare(
    editor_client,
):
    client = editor_client
    paper = Publication.objects.create(title_en="Paper", year=2020, venue="V")
    data = {
        "title_ja": "", "title_en": paper.title_en, "slug": paper.slug, "venue": paper.venue,
        "year": paper.year, "type": paper.type, "status": paper.status, "is_published": "on",
        "doi": f"https://doi.org/{DOI}", "arxiv_id": "https://arxiv.org/abs/2101.00001v2",
        "authorships-TOTAL_FORMS": 0, "authorships-INITIAL_FORMS": 0,
        "authorships-MIN_NUM_FORMS": 0, "authorships-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    url = reverse("admin:publications_publication_change", args=[paper.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    paper.refresh_from_db()
    assert (paper.doi, paper.arxiv_id) == (DOI, "2101.00001")


@pytest.mark.django_db
def test_the_admin_form_still_refuses_what_is_not_a_doi(admin_client):
    paper = Publication.objects.create(title_en="Paper", year=2020, venue="V")
    paper.doi = "https://example.org/not-a-doi"
    with pytest.raises(Exception, match="DOI"):
        paper.full_clean()
