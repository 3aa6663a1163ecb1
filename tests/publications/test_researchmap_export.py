"""The lab's papers in researchmap's bulk import format (業績一括登録 CSV), by command and
in the admin. The expected files are written by hand from the rules of researchmap's
CSV specification (docs/sources-researchmap-orcid.md): the kind alone on line 1, the
column names on line 2; a new achievement is insert / similar_merge / input_data with
an empty ID; several authors are [a,b], a comma inside a value \\, ; dates yyyy-mm(-dd);
languages jpn / eng; yes/no TRUE / FALSE; UTF-8 without a BOM."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from publications.models import Authorship, Publication
from research.models import Member
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = (
    "アクション名,アクションタイプ,類似業績マージ優先度,ID,タイトル(日本語),タイトル(英語),"
    "著者(日本語),著者(英語),担当区分,概要(日本語),概要(英語),出版者・発行元(日本語),"
    "出版者・発行元(英語),出版年月,誌名(日本語),誌名(英語),巻,号,開始ページ,終了ページ,"
    "記述言語,査読の有無,招待の有無,掲載種別,国際・国内誌,国際共著,DOI,ISSN,eISSN,URL,URL2,"
    "主要な業績かどうか,公開の有無"
)
# Newest first. The English paper (peer-reviewed, not invited, co-authorship not said:
# TRUE, FALSE, empty): both titles; authors as printed in the English
# column, and in the Japanese column only if every author has a Japanese name (Yamada
# has none). "Yamada, H." keeps its comma, escaped.
ELNES = (
    "insert,similar_merge,input_data,,機械学習による ELNES スペクトルの解釈,"
    "Interpreting ELNES spectra by machine learning,,"
    '"[Teruyasu Mizoguchi,Yamada\\, H.]",,,'
    '"We, the authors, read spectra.",,,2023-06-01,,Microscopy,72,3,201,215,eng,TRUE,FALSE,'
    "scientific_journal,,,10.1093/jmicro/dfad000,,,https://example.org/elnes,,FALSE,disclosed"
)
# The Japanese paper (its language: Japanese); every author has an English name too; an
# article number stands for the pages; "other" is "others".
BULLETIN = (
    "insert,similar_merge,input_data,,酸化物界面の第一原理計算,,[溝口 照康],"
    "[Teruyasu Mizoguchi],,,,,,2023-01,生産研究,,75,,E12,,jpn,,,others,,,,,,,,FALSE,disclosed"
)
# A conference paper; its one author has a Japanese name, so both author columns.
CONFERENCE = (
    "insert,similar_merge,input_data,,,Grain boundaries at the limit,[溝口 照康],"
    "[Teruyasu Mizoguchi],"
    ",,,,,2021,,Proc. ICEM,,,,,eng,,,international_conference_proceedings,,,,,,,,FALSE,"
    "disclosed"
)


@pytest.fixture
def lab_papers():
    mizoguchi = factories.person(
        "Mizoguchi", "Teruyasu", lab=True, family_name_ja="溝口", given_name_ja="照康"
    )
    yamada = factories.person("Yamada", "Hanako")
    elnes = factories.paper(
        "Interpreting ELNES spectra by machine learning",
        year=2023,
        month=6,
        day=1,
        title_ja="機械学習による ELNES スペクトルの解釈",
        abstract_en="We, the authors,\nread spectra.",
        venue="Microscopy",
        volume="72",
        issue="3",
        pages="201-215",
        doi="10.1093/jmicro/dfad000",
        url="https://example.org/elnes",
        peer_reviewed=True,
        invited=False,
        authors=[mizoguchi, yamada],
    )
    Authorship.objects.filter(publication=elnes, person=yamada).update(as_printed="Yamada, H.")
    bulletin = factories.paper(
        "x", year=2023, month=1, venue="生産研究", volume="75", article_number="E12",
        type=Publication.Type.OTHER, authors=[mizoguchi],
    )  # fmt: skip
    Publication.objects.filter(pk=bulletin.pk).update(
        title_en="", title_ja="酸化物界面の第一原理計算", language="ja"
    )
    Authorship.objects.filter(publication=bulletin).update(as_printed="溝口 照康")
    factories.paper(
        "Grain boundaries at the limit", year=2021, venue="Proc. ICEM",
        type=Publication.Type.CONFERENCE, authors=[mizoguchi],
    )  # fmt: skip
    # Left out: a book (researchmap's books_etc), a hidden paper, and (by year) 2019.
    factories.paper("A book", year=2022, type=Publication.Type.BOOK, authors=[mizoguchi])
    factories.paper("Hidden", year=2022, is_published=False, authors=[mizoguchi])
    factories.paper("Old", year=2019, authors=[yamada])
    return mizoguchi, yamada


def lines(*rows):
    return "\r\n".join(["published_papers", HEADER, *rows]) + "\r\n"


def test_the_command_writes_the_members_papers_of_the_years_asked(lab_papers, tmp_path):
    mizoguchi, _yamada = lab_papers
    member = Member.objects.create(family_name_en="Mizoguchi", person=mizoguchi)
    out = tmp_path / "rm.csv"
    call_command(
        "export_researchmap", "--member", member.slug, "--year-from", "2020", "--output", out
    )
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8") == lines(ELNES, BULLETIN, CONFERENCE)


def test_the_years_narrow_the_list(lab_papers, capsys):
    call_command("export_researchmap", "--year-from", "2022", "--year-to", "2023")
    assert capsys.readouterr().out == lines(ELNES, BULLETIN)


def test_a_member_who_is_no_author_is_an_error():
    member = Member.objects.create(family_name_en="Nobody")
    with pytest.raises(CommandError, match="is not linked to an author"):
        call_command("export_researchmap", "--member", member.slug)


def test_the_admin_download_is_the_same_file(lab_papers, editor_client):
    url = reverse("admin:publications_publication_export_researchmap")
    assert editor_client.get(url).status_code == 200
    response = editor_client.get(url, {"download": "1", "year_from": "2021"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="researchmap_published_papers_2021-.csv"' in response["Content-Disposition"]
    assert response.content.decode("utf-8") == lines(ELNES, BULLETIN, CONFERENCE)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_year_range_backwards_is_a_400_with_a_message(editor_client, language):
    url = reverse("admin:publications_publication_export_researchmap")
    response = editor_client.get(
        url,
        {"download": "1", "year_from": "2024", "year_to": "2020"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    expected = {"en": "The first year is after the last one.", "ja": "開始年が終了年より後です"}
    assert expected[language] in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_download_costs_the_same_queries_for_few_or_many_papers(
    editor_client, django_assert_num_queries, count
):
    people = [factories.person(family_name_ja=f"山田{n}") for n in range(3)]
    for n in range(count):
        factories.paper(f"Paper {n}", year=2000 + n % 20, authors=people)
    url = reverse("admin:publications_publication_export_researchmap")
    editor_client.get(url, {"download": "1"})  # the session and permissions cached
    # The session, the user, its two kinds of permissions, the papers, their authors.
    with django_assert_num_queries(6):
        response = editor_client.get(url, {"download": "1"})
    assert response.content.decode().count("\r\n") == count + 2
