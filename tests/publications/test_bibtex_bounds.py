"""Bounds at the door of the BibTeX import (docs/limits.md): every value fits its
column or the preview says why, `@string` expansion is bounded before it allocates,
and so are authors per entry, entries per file and request bodies. Each bound is
tried at the limit and one past it; nothing gives a 500 or writes half an import."""

import itertools
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from publications.bibtex import parsing
from publications.models import ImportBatch, Keyword, Person, Publication
from tests.jobs import confirm as confirm_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    editor_client.raise_request_exception = False  # a 500 is a status here, not a crash
    return editor_client


def paste(client, text):
    return client.post(reverse("admin:publications_publication_import"), {"text": text})


def preview(client, text):
    """The preview page of pasted BibTeX: (its URL, its HTML)."""
    response = paste(client, text)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response.url)
    assert page.status_code == 200
    return response.url, page.content.decode()


def confirm(client, url, html):
    """Confirm (which queues the import), then run the worker, as the admin's editor
    waits on the progress page: it must end on the applied batch, not a 500."""
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    done = confirm_and_run(client, url, {"digest": digest, "skip_errors": "1"})
    assert done.status_code == 302 and done.url.endswith("/change/"), done.url


def imported(client, text):
    """Paste, preview, confirm (skipping errors): the preview's HTML."""
    url, html = preview(client, text)
    confirm(client, url, html)
    return html


_keys = itertools.count(1)


def entry(**fields):
    """An entry of these fields, with a key of its own (a shared key would make a
    second import a possible duplicate of the first)."""
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@article{{key{next(_keys)},\n{body}\n}}\n"


# ------------------------------------------------------------ every column's length


@pytest.mark.parametrize(
    ("author", "length"),
    [("{F}, Given", "family"), ("Family, {G}", "given")],
    ids=["family name", "given name"],
)
def test_an_author_name_fits_at_100_characters_and_is_an_error_row_at_101(editor, author, length):
    name = author.replace("{F}", "F" + "a" * 99).replace("{G}", "G" + "a" * 99)
    imported(editor, entry(author=name, title="One hundred", year=2020))
    person = Person.objects.get()
    assert len(person.family_name_en if length == "family" else person.given_name_en) == 100

    too_long = author.replace("{F}", "F" + "b" * 100).replace("{G}", "G" + "b" * 100)
    html = imported(editor, entry(author=too_long, title="One hundred and one", year=2021))
    assert "An author&#x27;s name is longer than 100 characters" in html
    assert not Publication.objects.filter(title_en="One hundred and one").exists()
    assert Person.objects.count() == 1


def test_a_keyword_fits_at_100_characters_and_is_an_error_row_at_101(editor):
    imported(editor, entry(title="K100", year=2020, keywords="k" * 100))
    assert Keyword.objects.get().name_en == "k" * 100

    html = imported(editor, entry(title="K101", year=2020, keywords="x" * 101))
    assert "is longer than 100 characters" in html
    assert not Publication.objects.filter(title_en="K101").exists()
    assert Keyword.objects.count() == 1


@pytest.mark.parametrize(("column", "letter"), [("title_ja", "あ"), ("title_en", "t")])
def test_each_title_column_holds_500_characters_and_a_longer_one_is_shortened(
    editor, column, letter
):
    imported(editor, entry(**{column: letter * 500}, year=2020))
    assert len(getattr(Publication.objects.get(), column)) == 500

    html = imported(editor, entry(**{column: letter * 501}, year=2021, doi="10.1234/x"))
    assert "The title was shortened to 500 characters." in html
    stored = getattr(Publication.objects.get(doi="10.1234/x"), column)
    assert len(stored) == 500 and stored.endswith("…")


def test_a_venue_over_its_column_is_shortened_not_refused(editor):
    html = imported(editor, entry(title="Venue", year=2020, journal="j" * 301))
    assert "The venue was shortened to 300 characters." in html
    assert len(Publication.objects.get().venue) == 300


# ------------------------------------------------------------ @string expansion


def string_bomb(levels=27):
    """~1.5 kB of nested @string concatenations: 2**levels × 64 characters if expanded."""
    lines = ['@string{s0 = "' + "x" * 64 + '"}']
    lines += [f"@string{{s{n} = s{n - 1} # s{n - 1}}}" for n in range(1, levels + 1)]
    lines.append(f"@article{{bomb, title = s{levels}, year = 2020}}")
    lines.append("@article{fine, title = {A fine paper}, year = 2020}")
    return "\n".join(lines) + "\n"


def test_the_string_bomb_is_an_error_row_and_the_rest_imports(editor):
    bomb = string_bomb()
    assert len(bomb) < 1600
    html = imported(editor, bomb)
    assert "A field is longer than 100,000 characters" in html
    assert list(Publication.objects.values_list("title_en", flat=True)) == ["A fine paper"]


@override_settings(LABSITE_BIBTEX_MAX_VALUE_CHARS=1000)
def test_a_value_of_the_limit_is_read_and_one_character_more_is_an_error():
    text = '@string{h = "' + "h" * 500 + '"}\n'
    text += "@article{at, title = h # h, year = 2020}\n"
    text += "@article{past, title = h # h # {!}, year = 2020}\n"
    with translation.override("en"):
        result = parsing.parse(text)
    assert [(e.key, len(e.fields["title"])) for e in result.entries] == [("at", 1000)]
    assert [(p.key, p.line) for p in result.problems] == [("past", 3)]
    assert "longer than 1,000 characters" in result.problems[0].reason


@override_settings(LABSITE_BIBTEX_MAX_MACRO_DEPTH=3)
def test_macros_nested_to_the_limit_are_read_and_one_level_more_is_an_error():
    text = '@string{a0 = "x"}\n@string{a1 = a0}\n@string{a2 = a1}\n@string{a3 = a2}\n'
    text += "@article{at, title = a2, year = 2020}\n"  # a value using a2: depth 3
    text += "@article{past, title = a3, year = 2020}\n"  # depth 4
    with translation.override("en"):
        result = parsing.parse(text)
    assert [e.key for e in result.entries] == ["at"]
    assert [p.key for p in result.problems] == ["past"]
    assert "nested more than 3 deep" in result.problems[0].reason


@override_settings(LABSITE_BIBTEX_MAX_EXPANSION_CHARS=1000)
def test_a_file_whose_macros_add_more_than_the_limit_in_all_is_refused(editor):
    macro = '@string{m = "' + "m" * 100 + '"}\n'
    ten = "".join(f"@misc{{k{n}, title = m, year = 2020}}\n" for n in range(10))
    assert len(parsing.parse(macro + ten).entries) == 10

    eleven = ten + "@misc{k10, title = m, year = 2020}\n"
    with pytest.raises(parsing.LimitExceeded):
        parsing.parse(macro + eleven)
    response = paste(editor, macro + eleven)
    assert response.status_code == 400
    assert "expand to more than 1,000 characters" in response.content.decode()
    assert not ImportBatch.objects.exists()


# ------------------------------------------------------------ authors, entries


@override_settings(LABSITE_BIBTEX_MAX_AUTHORS=3)
def test_authors_up_to_the_limit_are_stored_and_past_it_the_list_is_cut(editor):
    html = imported(editor, entry(title="Three", year=2020, author="A, A and B, B and C, C"))
    three = Publication.objects.get(title_en="Three")
    assert three.authorships.count() == 3 and not three.authors_truncated
    assert "authors: the first" not in html

    html = imported(
        editor, entry(title="Four", year=2020, author="A, A and B, B and C, C and D, D")
    )
    four = Publication.objects.get(title_en="Four")
    assert four.authorships.count() == 3 and four.authors_truncated
    assert "More than 3 authors: the first 3 are stored" in html
    assert not Person.objects.filter(family_name_en="D").exists()


# The admin's and the command's refusal of a file over LABSITE_IMPORT_MAX_ENTRIES, at the
# limit and one past it, is in test_import_jobs.py; the parser counts again as it reads
# (unreadable blocks too), for any caller that parses without the importer's count.
def test_the_entry_limit_counts_unreadable_blocks_too():
    with override_settings(LABSITE_IMPORT_MAX_ENTRIES=2), pytest.raises(parsing.LimitExceeded):
        parsing.parse("@misc{a, title={A}}\n@misc{b, title={B}\n@misc{c, title={C}}\n")


# ------------------------------------------------------------ request bodies


@pytest.mark.parametrize(("lang", "says"), [("en", "larger than"), ("ja", "を超えています")])
def test_a_request_body_over_the_limit_is_refused_before_it_is_read(editor, lang, says):
    editor.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    with override_settings(LABSITE_MAX_REQUEST_BYTES=2000):
        fits = paste(editor, "@misc{a, title={A}, year=2020}\n" + "%" * 1200)
        assert fits.status_code == 302
        response = paste(editor, "@misc{a, title={A}, year=2020}\n" + "%" * 2000)
    assert response.status_code == 413
    html = response.content.decode()
    assert says in html and "2.0" in html
    assert f'<html lang="{lang}">' in html
    assert ImportBatch.objects.count() == 1


# ------------------------------------------------------------ read in pieces

PIECES = r"""@string{jpcl = "J. Phys. Chem. Lett."}
@string{later = jpcl # " (later)"}
@inbook{first, title = {First}, journal = later, year = 2020, crossref = {parent}}
@article{braced, year = 2021, title = {An abstract line
@ that starts with an at sign, \{ and an escaped brace},
  abstract = {Still {braced
@inner} text}}
@article{first, title = {Same key again}, year = 2022}
@article{broken, title = {Unclosed, year = 2023
@article{after, title = {After the broken one}, year = 2024}
@book{parent, title = {The Parent Book}, year = 2019, publisher = {P}}
"""


def summary(result):
    return (
        [(e.key, e.line, e.fields.get("title"), e.fields.get("journal"), e.fields.get("booktitle"))
         for e in result.entries],
        [(p.key, p.line, p.reason) for p in result.problems],
    )  # fmt: skip


@pytest.mark.parametrize("size", [1, 40, 120, 250])
def test_a_file_read_in_pieces_reads_as_it_does_whole(monkeypatch, size):
    whole = summary(parsing.parse(PIECES))
    assert [entry[0] for entry in whole[0]] == ["first", "braced", "after", "parent"]
    assert whole[0][0][3:] == ("J. Phys. Chem. Lett. (later)", "The Parent Book")
    monkeypatch.setattr(parsing, "CHUNK_CHARS", size)
    assert len(list(parsing.chunks(PIECES))) > 1
    assert summary(parsing.parse(PIECES)) == whole


# ------------------------------------------------------------ nesting the decoder recurses on


def test_latex_nested_thousands_deep_is_kept_as_written_not_a_500(editor):
    title = "\\textbf{" * 3000 + "deep" + "}" * 3000
    imported(editor, entry(title=title, year=2020))
    assert Publication.objects.get().title_en.startswith("\\textbf{\\textbf{")


def test_math_nested_hundreds_deep_shows_as_written_on_the_paper_page(client):
    math = "$" + "\\frac{" * 500 + "x" + "}{y}" * 500 + "$"
    paper = Publication.objects.create(
        title_en="Deep math", abstract_en=f"Deep {math}", year=2020, venue="V"
    )
    response = client.get(f"/en/publications/{paper.slug}/")
    assert response.status_code == 200
    description = re.search(r'<meta name="description" content="([^"]*)"', response.text)
    assert description.group(1).startswith("Deep \\frac{\\frac{")
