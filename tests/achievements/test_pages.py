"""The public page of presentations, awards and patents: filters, both languages, queries."""

import datetime
import json
import subprocess

import pytest
from django.urls import reverse

from research.models import Member
from tests import factories
from tests.achievements import factories as made
from tests.quality import JAVA, VNU_JAR

pytestmark = pytest.mark.django_db

URL = "/{lang}/achievements/"


@pytest.fixture
def lab():
    mizoguchi = factories.person(
        "Mizoguchi", "Teruyasu", lab=True, family_name_ja="溝口", given_name_ja="照康"
    )
    Member.objects.create(
        family_name_ja="溝口", family_name_en="Mizoguchi", slug="teruyasu-mizoguchi",
        person=mizoguchi,
    )  # fmt: skip
    other = factories.person("Tanaka", "Hanako")
    return mizoguchi, other


def test_the_page_lists_each_kind_in_both_languages(client, lab):
    mizoguchi, other = lab
    made.presentation([mizoguchi, other], title_en="ELNES by machine learning", is_invited=True)
    made.award([mizoguchi], name_ja="日本顕微鏡学会賞", name_en="Microscopy Society Award")
    made.patent([other], title_ja="スペクトル解析装置", application_number="特願2024-012345")
    for lang, heading, award in [
        ("ja", "学会発表", "日本顕微鏡学会賞"),
        ("en", "Presentations", "Microscopy Society Award"),
    ]:
        html = client.get(URL.format(lang=lang)).content.decode()
        assert heading in html and award in html
        assert "ELNES by machine learning" in html and "スペクトル解析装置" in html
        assert "特願2024-012345" in html
        assert f'href="/{lang}/achievements/"' in html  # in the navigation


def test_filters_by_type_year_fiscal_year_and_member(client, lab):
    mizoguchi, other = lab
    made.presentation([mizoguchi], title_en="Talk of March 2025", date=datetime.date(2025, 3, 20))
    made.presentation([other], title_en="Talk of April 2025", date=datetime.date(2025, 4, 2))
    made.award([other], name_en="Award of 2024", date=datetime.date(2024, 12, 1))

    def titles(query):
        html = client.get(URL.format(lang="en") + query).content.decode()
        return {t for t in ("March 2025", "April 2025", "Award of 2024") if t in html}

    assert titles("?year=2025") == {"March 2025", "April 2025"}
    # Fiscal year 2024 runs from April 2024 to March 2025.
    assert titles("?fiscal_year=2024") == {"March 2025", "Award of 2024"}
    assert titles("?member=teruyasu-mizoguchi") == {"March 2025"}
    assert titles("?type=award") == {"Award of 2024"}


def test_a_patent_counts_in_the_year_it_was_filed_and_the_year_it_was_registered(client):
    made.patent(
        title_en="Filed then granted",
        filed_on=datetime.date(2022, 5, 1),
        registered_on=datetime.date(2024, 7, 1),
    )
    for year, shown in [(2022, True), (2023, False), (2024, True)]:
        html = client.get(URL.format(lang="en") + f"?type=patent&year={year}").content.decode()
        assert ("Filed then granted" in html) is shown


def test_unpublished_achievements_are_hidden(client):
    made.award(name_en="A secret award", is_published=False)
    assert "A secret award" not in client.get(URL.format(lang="en")).content.decode()


def test_filters_not_understood_are_ignored_with_a_notice_not_an_error(client, lab):
    response = client.get(URL.format(lang="en") + "?year=abc&member=nobody&type=book")
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()


@pytest.mark.parametrize("size", [2, 30])
def test_queries_do_not_grow_with_the_list(client, lab, django_assert_num_queries, size):
    mizoguchi, other = lab
    for _n in range(size):
        made.presentation([mizoguchi, other])
        made.award([mizoguchi])
        made.patent([mizoguchi, other])
    client.get(URL.format(lang="en"))  # the session, the content version: read once
    # Members of the filter, then per kind its items and their people; the lab's profile
    # (the header and the footer).
    with django_assert_num_queries(8):
        response = client.get(URL.format(lang="en") + "?member=teruyasu-mizoguchi")
    assert response.content.decode().count('class="publication"') == 3 * size


@pytest.mark.skipif(not (JAVA and VNU_JAR.exists()), reason="Java or vnu.jar missing")
def test_the_page_is_valid_html(client, lab, tmp_path):
    mizoguchi, other = lab
    made.presentation([mizoguchi, other], is_invited=True, format="poster", place_en="Kyoto")
    made.award([mizoguchi], subject_en="for ELNES")
    made.patent([other], registered_on=datetime.date(2025, 1, 1), registration_number="7123456")
    files = []
    for lang in ("ja", "en"):
        for query in ("", "?year=zzz"):
            path = tmp_path / f"{lang}{len(files)}.html"
            path.write_bytes(client.get(URL.format(lang=lang) + query).content)
            files.append(str(path))
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [
        f"{m['url']}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error"
    ]
    assert not errors, errors


def test_the_url_is_the_same_in_both_languages():
    assert reverse("achievements:list") in ("/ja/achievements/", "/en/achievements/")


def test_the_sitemap_lists_the_page_once_it_lists_something(client):
    assert "/achievements/" not in client.get("/sitemap.xml").content.decode()
    made.award()
    xml = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/ja/achievements/" in xml
    assert "http://testserver/en/achievements/" in xml
