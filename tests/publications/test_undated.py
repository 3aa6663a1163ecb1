"""Undated papers (issue #18): a manual, a dataset, a whole issue without a year is
imported undated and shown everywhere without one, last in every newest-first list."""

import json
import re
from xml.etree import ElementTree

import bibtexparser
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from publications.bibtex import export, importer
from publications.models import Publication
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers():
    return {
        "old": factories.paper("An old paper", 2019),
        "new": factories.paper("A new paper", 2023),
        "undated": factories.paper(
            "A datasheet without a year", None, [factories.person("Nakamura")], type="other"
        ),
    }


def titles(html):
    return re.findall(
        r'class="publication-title"><a href="[^"]+">(?:<span lang="\w+">)?([^<]+)', html
    )


@pytest.mark.parametrize(("lang", "heading"), [("en", "Undated"), ("ja", "年不明")])
def test_the_list_shows_undated_papers_last_under_their_own_heading(client, papers, lang, heading):
    html = client.get(f"/{lang}/publications/").content.decode()
    assert titles(html) == ["A new paper", "An old paper", "A datasheet without a year"]
    headings = re.findall(r'class="year-heading">([^<]+)<', html)
    assert headings == ["2023", "2019", heading]
    assert "(None)" not in html and ">None<" not in html
    # The chart has no bar for them: its table lists the dated years only.
    table = html.split('class="year-table"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(\d+)</td>", table) == ["2019", "2023"]


def test_a_search_lists_undated_papers_last(client, papers):
    # Every paper's venue is "J. Test": equally relevant, then newest first.
    html = client.get("/en/publications/", {"q": "test"}).content.decode()
    assert titles(html) == ["A new paper", "An old paper", "A datasheet without a year"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "2019"}, ["An old paper"]),
        ({"year_from": "2000"}, ["A new paper", "An old paper"]),
        ({"year_to": "2030"}, ["A new paper", "An old paper"]),
    ],
)
def test_a_year_filter_leaves_undated_papers_out(client, papers, params, expected):
    assert titles(client.get("/en/publications/", params).content.decode()) == expected


@pytest.mark.parametrize(("lang", "word"), [("en", "Undated"), ("ja", "年不明")])
def test_an_undated_papers_page_says_so_and_invents_no_date(client, papers, lang, word):
    html = client.get(f"/{lang}/publications/{papers['undated'].slug}/").content.decode()
    assert f"<dd>{word}</dd>" in html
    assert "citation_publication_date" not in html and "None" not in html
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert "datePublished" not in data
    assert "rft.date" not in html


def test_an_undated_paper_has_a_slug_without_a_year(papers):
    assert papers["undated"].slug == "a-datasheet-without-a-year"
    translation.activate("en")
    assert str(papers["undated"]) == "A datasheet without a year (undated)"


def test_bibtex_export_has_no_year_and_imports_back_undated(papers):
    translation.activate("en")
    paper = Publication.objects.for_export().get(pk=papers["undated"].pk)
    text = export.to_bibtex([paper])
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 1
    assert "year" not in library.entries[0].fields_dict
    # Imported again it is the same paper, nothing to change.
    [row] = importer.start(text=text)[1].rows
    assert row.status == "duplicate"


def test_csl_json_and_ris_have_no_date(papers):
    paper = Publication.objects.for_export().get(pk=papers["undated"].pk)
    [item] = json.loads(export.to_csljson([paper]))
    assert "issued" not in item and item["title"] == "A datasheet without a year"
    ris = export.export([paper], "ris")[0]
    assert "\nPY  -" not in ris and "\nDA  -" not in ris
    assert export.plain_text(paper).endswith("J. Test.")


def test_the_feed_lists_an_undated_paper_without_a_date(client, papers):
    response = client.get("/en/publications/feed/")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    titles_in_feed = [e.text for e in feed.iter() if e.tag.endswith("title")]
    assert "A datasheet without a year" in titles_in_feed


def test_the_admin_form_does_not_require_a_year_and_filters_undated(client, papers):
    user = User.objects.create_superuser("admin", password="pw")
    request = RequestFactory().get("/")
    request.user = user
    form = admin.site._registry[Publication].get_form(request)
    assert form.base_fields["year"].required is False
    client.force_login(user)
    html = client.get("/admin/publications/publication/", {"year": "undated"}).content.decode()
    assert "A datasheet without a year" in html and "An old paper" not in html


def test_an_entry_without_a_year_is_imported_undated():
    text = "@manual{m, title = {Operating manual of the microscope}, organization = {JEOL}}\n"
    batch, current = importer.start(text=text)
    [row] = current.rows
    assert row.status == "new" and row.year is None
    importer.confirm(batch)
    paper = Publication.objects.get()
    assert paper.year is None and paper.title_en == "Operating manual of the microscope"


def test_an_imported_paper_never_takes_the_address_of_another_page():
    text = "@misc{f, title = {Feed}}\n@misc{s, title = {Suggest}}\n"
    batch, _current = importer.start(text=text)
    importer.confirm(batch)
    assert sorted(Publication.objects.values_list("slug", flat=True)) == ["feed-2", "suggest-2"]


def test_a_whole_journal_issue_is_titled_by_journal_volume_and_number():
    translation.activate("en")
    text = (
        "@article{whole, journal = {G-Animal's Journal}, year = 1986, volume = 41, number = 7}\n"
        "@periodical{jsai, journal = {JSAI}, volume = 1, year = 1986}\n"
        "@article{nothing, journal = {J. Test}, year = 2020}\n"
    )
    records = {r["key"]: r for r in importer.records_from_text(text)}
    assert records["whole"]["fields"]["title_en"] == "G-Animal's Journal 41(7)"
    assert any("whole issue" in w for w in records["whole"]["warnings"])
    assert records["jsai"]["fields"]["title_en"] == "JSAI 1"
    # A journal alone names no issue: nothing sensible to store.
    assert records["nothing"]["error"] == "The entry has no title."


@pytest.mark.parametrize("size", [3, 40], ids=["few", "many"])
def test_undated_papers_do_not_change_the_lists_query_count(
    client, django_assert_num_queries, local_cache, size
):
    factories.many_papers(size)
    for _ in range(size // 3 + 1):
        factories.paper(year=None)
    with django_assert_num_queries(8):
        client.get("/en/publications/")
    with django_assert_num_queries(4):
        client.get("/en/publications/")


def test_a_misc_entry_without_title_is_named_by_how_it_was_published():
    translation.activate("en")
    text = (
        "@misc{private, author = {S. Konyagin}, howpublished = {private communication},"
        " year = 1998}\n"
        "@misc{link, author = {S. Konyagin}, howpublished = {\\url{https://example.org/}}}\n"
    )
    records = {r["key"]: r for r in importer.records_from_text(text)}
    assert records["private"]["fields"]["title_en"] == "private communication"
    assert "The entry has no title: its howpublished is used." in records["private"]["warnings"]
    assert records["link"]["error"] == "The entry has no title."


def test_an_editor_may_leave_the_year_blank_but_not_give_a_wrong_one():
    Publication(title_en="A manual", year=None, venue="JEOL").full_clean(exclude=["slug"])
    with pytest.raises(ValidationError):
        Publication(title_en="A manual", year=1599, venue="JEOL").full_clean(exclude=["slug"])


def test_the_newest_first_index_puts_undated_papers_last_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite sorts NULL last in a descending order without being told")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'publication_newest_first'"
        )
        (definition,) = cursor.fetchone()
    assert "year DESC NULLS LAST, month DESC NULLS LAST, id DESC" in definition


def test_the_import_preview_says_undated_and_warns(client):
    user = User.objects.create_superuser("admin", password="pw")
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    text = "@manual{m, title = {Operating manual of the microscope}, organization = {JEOL}}\n"
    response = client.post(reverse("admin:publications_publication_import"), {"text": text})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "Operating manual of the microscope (undated)" in html
    assert "No year: listed as undated." in html


def test_a_themes_related_papers_of_one_score_list_undated_ones_last(client):
    keyword = factories.keyword()
    factories.paper("Related undated", None, keywords=[keyword])
    factories.paper("Related 2010", 2010, keywords=[keyword])
    theme = factories.theme(keywords=[keyword])
    with translation.override("en"):
        html = client.get(theme.get_absolute_url()).content.decode()
    assert html.index("Related 2010") < html.index("Related undated")
    # The chart counts the dated paper only.
    table = html.split('class="year-table"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(\d+)</td><td>(\d+)</td>", table) == [("2010", "1")]
