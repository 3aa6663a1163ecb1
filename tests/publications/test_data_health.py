"""The admin's data-health page: what is missing or suspicious, linked to where to fix it."""

import pytest
from django.contrib.auth.models import Permission, User

from publications.models import Keyword, Person, Publication
from tests import factories

URL = "/admin/publications/publication/data-health/"

pytestmark = pytest.mark.django_db


def test_the_page_lists_each_seed_paper_without_a_doi_with_its_change_page(
    editor_client, lab_content
):
    page = editor_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    without = Publication.objects.filter(doi="")
    assert without.count() == 30
    for paper in without:
        assert f'href="/admin/publications/publication/{paper.pk}/change/"' in page
        assert f'href="/admin/publications/publication/{paper.pk}/find-doi/"' in page
    for paper in Publication.objects.exclude(doi=""):
        assert f"/admin/publications/publication/{paper.pk}/find-doi/" not in page
    assert "Papers without a DOI (30)" in page


def test_the_page_speaks_both_languages(editor_client, lab_content):
    english = editor_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    japanese = editor_client.get(URL, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Papers without a DOI" in english
    assert "DOI のない論文" in japanese
    assert "Papers without a DOI" not in japanese
    assert "DOI を探す" in japanese


def test_the_admin_index_and_the_publications_list_link_to_it(editor_client):
    assert URL in editor_client.get("/admin/").content.decode()
    assert URL in editor_client.get("/admin/publications/publication/").content.decode()


def test_staff_only(client, db):
    assert client.get(URL).status_code == 302  # to the login page
    clerk = User.objects.create_user("clerk", is_staff=True)  # staff, no permission
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_publication"))
    assert client.get(URL).status_code == 200


def test_it_finds_what_an_editor_would_fix(editor_client):
    complete = factories.paper(
        title_en="Complete", year=2020, doi="10.5555/complete", pages="1-9", abstract_en="x"
    )
    complete.set_authors(["Teruyasu Mizoguchi"])
    undated = Publication.objects.create(title_en="Undated notes", type="other")
    first = factories.paper(title_en="Editorial", year=2019, doi="10.5555/ed.1", pages="1")
    second = factories.paper(title_en="EDITORIAL.", year=2021, doi="10.5555/ed.2", pages="2")
    short = Person.objects.create(family_name_en="Yamamoto", given_name_en="T.")
    full = Person.objects.create(family_name_en="Yamamoto", given_name_en="Takafumi")
    other = Person.objects.create(family_name_en="Yamamoto", given_name_en="Keiko")
    unused = Keyword.objects.create(name_en="Typo keywrod")  # as an import creates one
    vocabulary = Keyword.objects.create(name_en="Term", aliases_en="TERM")
    translation = Keyword.objects.create(name_en="Hydrogen", name_ja="水素")
    page = editor_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sections = {
        name: page.split(f'id="check-{name}"')[1].split("</section>")[0]
        for name in ("pages", "abstract", "year", "authors", "titles", "people", "keywords")
    }
    change = "/admin/publications/{}/{}/change/"
    assert change.format("publication", complete.pk) not in sections["abstract"]
    assert change.format("publication", first.pk) in sections["abstract"]
    assert change.format("publication", undated.pk) in sections["year"]
    assert change.format("publication", undated.pk) not in sections["pages"]  # "other": no pages
    assert change.format("publication", first.pk) in sections["authors"]
    assert change.format("publication", complete.pk) not in sections["authors"]
    titles = sections["titles"]
    assert change.format("publication", first.pk) in titles
    assert change.format("publication", second.pk) in titles
    assert "Complete" not in titles
    people = sections["people"]
    assert change.format("person", short.pk) in people
    assert change.format("person", full.pk) in people
    assert change.format("person", other.pk) not in people  # Keiko is not T.
    assert change.format("keyword", unused.pk) in sections["keywords"]
    assert change.format("keyword", vocabulary.pk) not in sections["keywords"]
    assert change.format("keyword", translation.pk) not in sections["keywords"]


def test_show_all_opens_the_list_of_publications_filtered(editor_client, lab_content):
    listing = editor_client.get(
        "/admin/publications/publication/?missing=doi", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "30 publications" in listing
    for paper in Publication.objects.exclude(doi=""):
        assert f"/admin/publications/publication/{paper.pk}/change/" not in listing


def test_the_number_of_queries_does_not_grow_with_the_data(
    editor_client, django_assert_num_queries
):
    def grow(n, start):
        for i in range(start, start + n):
            paper = Publication.objects.create(title_en=f"Paper {i}", year=2000 + i % 20)
            paper.set_authors([f"A. Author{i}", f"B. Author{i}"])
            Person.objects.create(family_name_en=f"Author{i}", given_name_en="Anne")
            Publication.objects.create(title_en=f"Paper {i}", year=2001, venue="Again")
            Keyword.objects.create(name_en=f"unused {i}")

    grow(2, 0)
    # 21 for the checks, 1 for the lab's name in the admin header (labsite/admin.py), 1 for
    # the last search of the missing DOIs (its link).
    with django_assert_num_queries(23):
        assert editor_client.get(URL).status_code == 200
    grow(150, 2)
    with django_assert_num_queries(23):
        page = editor_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The first 100 of 304 are shown." in page
