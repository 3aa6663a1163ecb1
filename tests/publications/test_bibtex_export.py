"""Exports: lossless BibTeX (export → import changes nothing), RIS, CSL-JSON, public downloads."""

import json
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

from publications.bibtex import export, importer, parsing
from publications.models import Keyword, Publication
from tests import factories

pytestmark = pytest.mark.django_db

HARD_CASES = Path(__file__).parent / "data" / "hard_cases.bib"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here (tests/conftest.py restores Japanese after)."""
    translation.activate("en")


def reimport(text):
    """The plan of importing `text` again: what it would change."""
    return importer.start(text=text)[1]


def assert_no_change(current):
    changed = [(r.key, r.status, r.reason, r.changes) for r in current.rows]
    changed = [row for row in changed if row[1] != "duplicate"]
    assert changed == []


def everything():
    return list(Publication.objects.for_export().order_by("pk"))


def test_lab_content_round_trips(lab_content):
    text = export.to_bibtex(everything())
    assert text.count("\n@") + 1 == Publication.objects.count()
    current = reimport(text)
    assert_no_change(current)
    assert current.count("duplicate") == 32


def test_hard_cases_round_trip_raw_and_generated():
    batch, _plan = importer.start(text=HARD_CASES.read_text("utf-8"))
    importer.confirm(batch, skip_errors=True)
    assert_no_change(reimport(export.to_bibtex(everything())))
    # Without the raw entries, the generated (escaped) BibTeX must be lossless too.
    Publication.objects.update(bibtex="")
    generated = export.to_bibtex(everything())
    assert "@string" not in generated
    assert_no_change(reimport(generated))


def test_an_edit_after_the_import_is_exported(lab_content):
    batch, _plan = importer.start(text=HARD_CASES.read_text("utf-8"))
    importer.confirm(batch, skip_errors=True)
    paper = Publication.objects.get(citation_key="mueller2020accents")
    paper.volume = "42"
    paper.title_ja = "電子エネルギー損失分光"
    paper.save()
    paper.keywords.add(Keyword.objects.get(slug="elnes"))
    entry = export.bibtex_entry(Publication.objects.for_export().get(pk=paper.pk))
    assert "volume = {42}" in entry and "title_ja = {電子エネルギー損失分光}" in entry
    assert_no_change(reimport(export.to_bibtex(everything())))


def test_bilingual_and_japanese_only_papers_round_trip():
    factories.paper(title_en="Defects", title_ja="欠陥", abstract_ja="要旨です。", note_en="Award")
    factories.paper(title_en="", title_ja="Latin text in the Japanese column only")
    factories.paper(title_en="", title_ja="日本語だけの題名", year=2019)
    assert_no_change(reimport(export.to_bibtex(everything())))


@pytest.mark.parametrize(
    "text",
    [
        r"50% of A & B cost \$5 for x_1 #2 ~ ^ \ {braces}",
        "a--b, a---b, ``quoted'' and 'single' -- dashes",
        r"Math stays: $\mathrm{MoS}_2$ and $E = mc^2$",
        "Ünïcödé, 溝口 照康, ELNES and MoS2 with DFT+U",
    ],
)
def test_escaping_decodes_back_to_the_same_text(text):
    assert parsing.latex_to_unicode(export.latex_escape(text, protect_capitals=True)) == text


def test_capitals_inside_words_are_protected():
    assert export.latex_escape("ELNES of MoS2", protect_capitals=True) == "{ELNES} of {MoS2}"


def test_generated_entry_fields():
    mizoguchi = factories.person("Mizoguchi", "Teruyasu", lab=True)
    consortium = factories.person("The ABC Consortium", "")
    paper = factories.paper(
        title_en="ELNES & more", year=2021, month=3, doi="10.1234/x_y", arxiv_id="2101.00001",
        status="in-press", pages="10-20", authors=[mizoguchi, consortium],
    )  # fmt: skip
    text = export.generated_bibtex(Publication.objects.for_export().get(pk=paper.pk))
    assert text.startswith("@article{mizoguchi2021elnes,")
    assert "author = {Teruyasu Mizoguchi and {The ABC Consortium}}" in text
    assert r"title = {{ELNES} \& more}" in text
    assert "doi = {10.1234/x_y}" in text and "pages = {10--20}" in text
    assert "month = mar" in text and "pubstate = {inpress}" in text
    assert "eprint = {2101.00001}" in text


def test_keys_are_unique_within_one_file():
    factories.paper(title_en="Same words", year=2020, citation_key="dup")
    factories.paper(title_en="Other words", year=2020, citation_key="dup")
    text = export.to_bibtex(everything())
    assert "@article{dup," in text and "@article{dupa," in text


def test_ris_and_csl_json(lab_content):
    paper = Publication.objects.for_export().exclude(pages="").first()
    ris = export.to_ris([paper])
    assert ris.startswith("TY  - JOUR\n") and ris.rstrip().endswith("ER  -")
    first, _, last = paper.pages.partition("-")
    assert f"PY  - {paper.year}\n" in ris and f"SP  - {first}\nEP  - {last}\n" in ris
    family = paper.ordered_authorships[0].person.family_name_en
    assert ris.count("AU  - ") == len(paper.ordered_authorships)
    assert f"AU  - {family}, " in ris
    [item] = json.loads(export.to_csljson([paper]))
    assert item["type"] == "article-journal"
    assert item["title"] == paper.title
    assert item["issued"] == {"date-parts": [[paper.year]]}
    assert item["author"][0]["family"]


# ---------------------------------------------------------------- public pages


def test_cite_block_offers_each_format_to_copy_and_download(client, lab_content):
    paper = Publication.objects.first()
    html = client.get(paper.get_absolute_url()).content.decode()
    for fmt in ("bibtex", "ris", "csljson"):
        assert f'href="?format={fmt}" download' in html
        assert f'id="cite-{fmt}"' in html
    assert 'id="cite-text"' in html and "js/cite.js" in html
    response = client.get(paper.get_absolute_url() + "?format=bibtex")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{paper.slug}.bib"'
    assert_no_change(reimport(response.content.decode()))


@pytest.mark.parametrize("value", ["xml", "", "BIBTEX", "../etc"])
def test_a_bad_format_is_a_400_with_a_message(client, lab_content, value):
    paper = Publication.objects.first()
    for url in ["/en/publications/", paper.get_absolute_url(), "/en/keywords/elnes/"]:
        response = client.get(url, {"format": value})
        assert response.status_code == 400
        assert b"use bibtex, ris or csljson" in response.content


def test_filtered_list_exports_what_it_shows(client, lab_content):
    response = client.get("/en/publications/", {"q": "ELNES", "year_from": 2020, "format": "ris"})
    assert response["Content-Disposition"] == 'attachment; filename="publications.ris"'
    shown = client.get("/en/publications/", {"q": "ELNES", "year_from": 2020, "all": 1})
    assert response.content.decode().count("TY  - ") == shown.context["result_count"] > 0
    html = shown.content.decode()
    assert "format=bibtex" in html and "format=csljson" in html


def test_keyword_and_theme_lists_export(client, lab_content):
    from research.models import ResearchTheme

    keyword = Keyword.objects.get(slug="elnes")
    response = client.get(keyword.get_absolute_url(), {"format": "csljson"})
    items = json.loads(response.content)
    assert len(items) == Publication.objects.published().filter(keywords=keyword).count()
    theme = ResearchTheme.objects.first()
    response = client.get(theme.get_absolute_url(), {"format": "bibtex"})
    assert response["Content-Disposition"] == f'attachment; filename="{theme.slug}.bib"'
    assert response.content.decode().count("\n@") + 1 == theme.publications().count()
    assert "format=bibtex" in client.get(theme.get_absolute_url()).content.decode()


def test_unpublished_papers_are_not_exported(client):
    factories.paper(title_en="Hidden", is_published=False)
    factories.paper(title_en="Shown")
    text = client.get("/en/publications/", {"format": "bibtex"}).content.decode()
    assert "Shown" in text and "Hidden" not in text


@pytest.fixture
def cache_in_memory(settings):
    """The shared cache outside the database (Redis in production), so that only the
    export's own queries are counted (lists' exports are cached: tests/test_exports.py)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.parametrize("size", [3, 60])
@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csljson"])
def test_export_query_counts_do_not_grow(
    client, cache_in_memory, django_assert_num_queries, fmt, size
):
    keyword = factories.keyword()
    factories.many_papers(size, keywords=[keyword])
    with django_assert_num_queries(4):  # the count that bounds a list's export, then 3
        response = client.get("/en/publications/", {"format": fmt})
    assert response.status_code == 200
    with django_assert_num_queries(5):  # + the keyword filter's lookup
        client.get("/en/publications/", {"format": fmt, "keyword": keyword.slug})
    with django_assert_num_queries(5):
        client.get(keyword.get_absolute_url(), {"format": fmt})
    paper = Publication.objects.first()
    with django_assert_num_queries(3):
        client.get(paper.get_absolute_url(), {"format": fmt})


# ---------------------------------------------------------------- commands


def test_export_command_writes_a_file_that_reimports_to_nothing(tmp_path, lab_content, capsys):
    out = tmp_path / "all.bib"
    call_command("export_bibtex", "--output", str(out))
    assert "Exported 32 publications as bibtex" in capsys.readouterr().out
    call_command("import_bibtex", str(out))
    assert "0 new, 0 updated, 32 duplicates, 0 possible duplicates, 0 skipped, 0 errors" in (
        capsys.readouterr().out
    )
    call_command("export_bibtex", "--format", "csljson")
    assert len(json.loads(capsys.readouterr().out)) == 32
