"""Staff edit the vocabulary in the Keyword admin: names and other spellings in ja/en tabs."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from publications.admin import KeywordForm
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:publications_keyword_changelist")


def change_url(keyword):
    return reverse("admin:publications_keyword_change", args=[keyword.pk])


def form_data(keyword, **changes):
    data = {
        "name_ja": keyword.name_ja, "name_en": keyword.name_en, "slug": keyword.slug,
        "aliases_ja": keyword.aliases_ja or "", "aliases_en": keyword.aliases_en or "",
        "links_themes": "on" if keyword.links_themes else "",
    }  # fmt: skip
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def test_change_page_shows_names_and_spellings_in_both_languages(editor_client):
    keyword = factories.keyword("Grain boundaries", "粒界")
    html = editor_client.get(change_url(keyword)).content.decode()
    for field in ("name_ja", "name_en", "aliases_ja", "aliases_en", "links_themes"):
        assert f'name="{field}"' in html
    assert "tabbed_translation_fields.js" in html  # ja/en tabs, like every translated field
    for help_text in KeywordForm._meta.help_texts.values():  # what each language's box takes
        assert escape(str(help_text)) in html


def test_staff_edit_spellings_in_both_languages(editor_client):
    keyword = factories.keyword("Electron energy-loss spectroscopy", "電子エネルギー損失分光法")
    response = editor_client.post(
        change_url(keyword),
        form_data(
            keyword,
            aliases_ja="電子線エネルギー損失分光法\r\n\r\n 電子エネルギー損失分光 \r\n",
            aliases_en="EELS\r\nelectron energy loss spectroscopy\r\nEELS",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    keyword.refresh_from_db()
    # Tidied: one per line, blank lines and repeats dropped.
    assert keyword.aliases_ja == "電子線エネルギー損失分光法\n電子エネルギー損失分光"
    assert keyword.aliases_en == "EELS\nelectron energy loss spectroscopy"


def test_a_spelling_of_another_keyword_is_refused(editor_client):
    tem = factories.keyword("Transmission electron microscopy", "透過型電子顕微鏡法")
    tem.aliases_en = "TEM"
    tem.save()
    keyword = factories.keyword("Scanning TEM", "走査透過型電子顕微鏡法")
    response = editor_client.post(change_url(keyword), form_data(keyword, aliases_en="tem"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "aliases_en" in errors
    assert str(tem) in str(errors["aliases_en"])  # names the keyword that has it
    keyword.refresh_from_db()
    assert not keyword.aliases_en


def test_links_themes_is_edited_and_filtered_in_the_list(editor_client):
    broad = factories.keyword("Spectral analysis", "スペクトル解析")
    specific = factories.keyword("ELNES", "ELNES")
    response = editor_client.post(
        change_url(broad), form_data(broad, links_themes="")
    )  # unticked: too broad
    assert response.status_code == 302
    broad.refresh_from_db()
    assert not broad.links_themes
    html = editor_client.get(CHANGELIST, {"links_themes__exact": "0"}).content.decode()
    assert "Spectral analysis" in html and f">{specific.name_en}<" not in html


def test_changelist_searches_aliases_and_counts_papers(editor_client):
    keyword = factories.keyword("Electron energy-loss spectroscopy", "電子エネルギー損失分光法")
    keyword.aliases_en = "EELS"
    keyword.save()
    factories.keyword("Grain boundaries", "粒界")
    factories.paper(keywords=[keyword])
    factories.paper(keywords=[keyword])
    response = editor_client.get(CHANGELIST, {"q": "eels"})
    html = response.content.decode()
    assert "電子エネルギー損失分光法" in html and "粒界" not in html
    (found,) = response.context["cl"].result_list
    assert found.paper_count == 2


@pytest.mark.parametrize("count", [5, 60])
def test_changelist_query_count_does_not_grow_with_the_vocabulary(
    editor_client, django_assert_num_queries, count
):
    for _ in range(count):
        factories.keyword()
    editor_client.get(CHANGELIST)  # the session and permissions, read once
    with django_assert_num_queries(9):  # with the lab's name in the header
        assert editor_client.get(CHANGELIST).status_code == 200


# --- broader and narrower terms ------------------------------------------------------------


def test_staff_set_a_broader_term_and_see_the_narrower_ones(editor_client):
    eels = factories.keyword("Electron energy-loss spectroscopy", "電子エネルギー損失分光法")
    elnes = factories.keyword("ELNES", "エネルギー損失吸収端近傍構造")
    html = editor_client.get(change_url(elnes)).content.decode()
    assert 'name="broader"' in html
    assert "admin-autocomplete" in html  # a search box, not a list of hundreds of terms
    response = editor_client.post(change_url(elnes), form_data(elnes, broader=[eels.pk]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(elnes.broader.all()) == [eels]
    # The broader term's page lists its narrower terms, read-only, linked.
    html = editor_client.get(change_url(eels)).content.decode()
    assert f'<a href="{change_url(elnes)}">エネルギー損失吸収端近傍構造</a>' in html  # admin in ja
    assert 'name="narrower' not in html


def test_a_broader_term_that_would_close_a_cycle_is_refused(editor_client):
    tem = factories.keyword("Transmission electron microscopy", "透過電子顕微鏡法")
    stem = factories.keyword("STEM", "走査透過電子顕微鏡法")
    haadf = factories.keyword("HAADF-STEM", "高角度環状暗視野法")
    stem.broader.add(tem)
    haadf.broader.add(stem)
    for term in (tem, haadf):  # the term itself, or a narrower term two levels down
        response = editor_client.post(change_url(tem), form_data(tem, broader=[term.pk]))
        assert response.status_code == 200
        assert "broader" in response.context["adminform"].form.errors
    assert not tem.broader.exists()
