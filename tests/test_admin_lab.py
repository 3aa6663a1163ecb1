"""The admin speaks the lab's language (issue 22, item 6): the lab's name in the header,
the BibTeX import on the admin index, the import form's keyword autocomplete, slugs
filled in from titles, and authors reordered with ↑ ↓ buttons (the browser side of the
last three: tests/browser/test_admin_lab.py)."""

import json
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from news.models import NewsItem
from publications.models import Keyword, Person, Publication
from research.models import LabProfile, Member, ResearchTheme
from tests import factories

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/publications/publication/import-bibtex/"


def html_of(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


class TestHeader:
    def test_header_and_title_name_the_lab_in_the_admin_language(self, editor_client):
        LabProfile.objects.create(name_ja="溝口研究室", name_en="Mizoguchi Lab (test)")
        ja = html_of(editor_client, "/admin/", HTTP_ACCEPT_LANGUAGE="ja")
        assert re.search(r'<div id="site-name"><a href="/admin/">溝口研究室</a></div>', ja)
        assert re.search(r"<title>[^<]*\| 溝口研究室</title>", ja)
        en = html_of(editor_client, "/admin/", HTTP_ACCEPT_LANGUAGE="en")
        assert '<a href="/admin/">Mizoguchi Lab (test)</a>' in en
        assert "labsite" not in re.search(r"<title>(.*?)</title>", en).group(1)

    def test_a_name_in_one_language_serves_both(self, editor_client):
        LabProfile.objects.create(name_ja="溝口研究室")
        en = html_of(editor_client, "/admin/", HTTP_ACCEPT_LANGUAGE="en")
        assert '<a href="/admin/">溝口研究室</a>' in en

    def test_without_a_profile_the_header_names_the_lab_as_the_site_does(self, client):
        login = html_of(client, "/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
        assert '<a href="/admin/">Mizoguchi Laboratory</a>' in login


class TestAppNames:
    def test_every_app_on_the_index_is_named_in_the_admins_language(self, client):
        """A Japanese editor read "Otp_Totp", "Tasks Database Backend", "Axes" and "Task
        Results" among the Japanese names of the index and of every page's sidebar."""
        superuser = User.objects.create_superuser("root", "root@example.org", "pw")
        client.force_login(superuser)
        ja = html_of(client, "/admin/", HTTP_ACCEPT_LANGUAGE="ja")
        for english in ("Otp_Totp", "Tasks Database Backend", ">Axes<", "Task Results"):
            assert english not in ja
        for japanese in ("2 段階認証", "バックグラウンド処理", "ログインの記録", "処理の結果"):
            assert f">{japanese}</a>" in ja
        en = html_of(client, "/admin/", HTTP_ACCEPT_LANGUAGE="en")
        for english in ("Two-factor login", "Background tasks", "Login records"):
            assert f">{english}</a>" in en


class TestImportOnTheIndex:
    def test_the_index_links_the_import_form_among_the_publications(self, editor_client):
        html = html_of(editor_client, "/admin/", HTTP_ACCEPT_LANGUAGE="en")
        publications = re.search(r'<div class="app-publications.*?</table>', html, re.S).group(0)
        first_row = re.search(r'<tr class="model-[^"]*">.*?</tr>', publications, re.S).group(0)
        assert f'<a href="{IMPORT_URL}"' in first_row and "Import BibTeX" in first_row
        # A form has nothing to "View": the row's name is its only link (Django's
        # index offered a "View" link to the same form, as if it were a list).
        assert first_row.count("<a ") == 1
        assert "viewlink" not in first_row and "changelink" not in first_row
        # The past imports' "Add" opens the form too.
        past = re.search(r'<tr class="model-importbatch">.*?</tr>', publications, re.S).group(0)
        assert f'<a href="{IMPORT_URL}" class="addlink"' in past
        # The form, not the list of past imports.
        form = html_of(editor_client, IMPORT_URL)
        assert 'enctype="multipart/form-data"' in form

    def test_in_japanese_too(self, editor_client):
        html = html_of(editor_client, "/admin/", HTTP_ACCEPT_LANGUAGE="ja")
        assert re.search(rf'<a href="{IMPORT_URL}"[^>]*>BibTeX を読み込む</a>', html)

    def test_staff_who_cannot_import_do_not_see_it(self, client):
        user = User.objects.create_user("viewer", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_publication"))
        client.force_login(user)
        html = html_of(client, "/admin/")
        assert IMPORT_URL not in html


class TestImportForm:
    def test_keywords_are_picked_with_the_admin_autocomplete(self, editor_client):
        html = html_of(editor_client, IMPORT_URL)
        select = re.search(r'<select name="keywords"[^>]*>', html).group(0)
        assert 'class="admin-autocomplete' in select
        assert 'data-ajax--url="/admin/autocomplete/"' in select
        assert 'data-app-label="publications"' in select
        assert 'data-field-name="keywords"' in select
        assert "admin/js/vendor/select2/select2.full" in html
        assert "admin/js/autocomplete.js" in html

    def test_the_autocomplete_finds_keywords_by_what_is_typed(self, editor_client):
        factories.keyword("ELNES", "電子エネルギー損失吸収端微細構造", slug="elnes")
        factories.keyword("Phonons", "フォノン", slug="phonons")
        response = editor_client.get(
            "/admin/autocomplete/",
            {
                "term": "ELN",
                "app_label": "publications",
                "model_name": "publication",
                "field_name": "keywords",
            },
        )
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [
            str(Keyword.objects.get(slug="elnes").pk)
        ]

    def test_chosen_keywords_are_added_to_the_imported_papers(self, editor_client):
        keyword = factories.keyword("ELNES", slug="elnes")
        bibtex = "@article{k1, author = {Sato, Ken}, title = {T}, journal = {J}, year = {2024}}"
        response = editor_client.post(IMPORT_URL, {"text": bibtex, "keywords": [keyword.pk]})
        assert response.status_code == 302
        assert response["Location"].endswith("/preview/")

    def test_a_keyword_that_does_not_exist_is_an_error_not_a_crash(self, editor_client):
        bibtex = "@article{k1, author = {Sato, Ken}, title = {T}, journal = {J}, year = {2024}}"
        response = editor_client.post(
            IMPORT_URL, {"text": bibtex, "keywords": ["999999"]}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400
        assert 'class="errorlist"' in response.content.decode()

    def test_the_form_groups_the_bibtex_and_what_every_paper_gets(self, editor_client):
        html = html_of(editor_client, IMPORT_URL, HTTP_ACCEPT_LANGUAGE="en")
        assert "<h2>The BibTeX</h2>" in html and "<h2>For every imported paper</h2>" in html
        assert "css/bibtex-admin.css" in html


def prepopulated(html):
    """{slug field id: [the ids of the fields it is made from]} of an admin form."""
    data = re.search(r'data-prepopulated-fields="([^"]*)"', html).group(1)
    fields = json.loads(data.replace("&quot;", '"'))
    return {field["id"]: field["dependency_ids"] for field in fields}


@pytest.mark.parametrize(
    ("model", "sources"),
    [
        (Publication, ["#id_title_en", "#id_year"]),
        (ResearchTheme, ["#id_title_en"]),
        (Member, ["#id_given_name_en", "#id_family_name_en"]),
        (Keyword, ["#id_name_en"]),
        (Person, ["#id_given_name_en", "#id_family_name_en"]),
        (NewsItem, ["#id_title_en"]),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_slug_is_filled_in_from_the_title_or_name(editor_client, model, sources):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert prepopulated(html_of(editor_client, url)) == {"#id_slug": sources}


class TestAuthorOrder:
    def paper(self):
        people = [factories.person(f"Author{n}") for n in range(1, 4)]
        return factories.paper("Ordered", authors=people), people

    def test_each_author_row_has_move_buttons_and_a_drag_handle(self, editor_client):
        paper, _people = self.paper()
        url = reverse("admin:publications_publication_change", args=[paper.pk])
        html = html_of(editor_client, url, HTTP_ACCEPT_LANGUAGE="en")
        group = html[html.index('id="authorships-group"') :]
        assert group.count('aria-label="Move this author up"') == 3 + 1 + 1  # rows, extra, template
        assert group.count('aria-label="Move this author down"') == 5
        assert group.count('class="author-order-handle"') == 5
        assert re.search(r'<script src="/static/js/author-order\.js"></script>', html)
        ja = html_of(editor_client, url, HTTP_ACCEPT_LANGUAGE="ja")
        assert 'aria-label="この著者を上へ移動"' in ja

    def test_positions_posted_in_a_new_order_are_saved_in_that_order(self, editor_client):
        """What the buttons (and dragging) send: the rows' positions renumbered."""
        paper, people = self.paper()
        url = reverse("admin:publications_publication_change", args=[paper.pk])
        html = html_of(editor_client, url)
        data = form_data(html)
        for n, (authorship, position) in enumerate(
            zip(paper.authorships.order_by("position"), [3, 1, 2], strict=True)
        ):
            assert data[f"authorships-{n}-id"] == str(authorship.pk)
            data[f"authorships-{n}-position"] = str(position)
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        order = [a.person for a in paper.authorships.order_by("position")]
        assert order == [people[1], people[2], people[0]]


def form_data(html):
    """The change form's fields as a browser would post them (inputs, selects, textareas)."""
    form = html[html.index('id="publication_form"') :]
    data = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "__prefix__" in name.group(1):
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        if kind in ("submit", "button", "file"):
            continue
        if kind == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        if "__prefix__" in name:
            continue
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen:
            data[name] = chosen if len(chosen) > 1 else chosen[0]
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = body.strip("\n")
    return data


class TestAddingAPaperByHand:
    def test_a_paper_with_a_japanese_title_only_needs_no_invented_slug(self, editor_client):
        """The slug fills itself from the English title; a Japanese paper has none, and
        the editor was told the slug is required (and save() would have named it 2026)."""
        form = html_of(editor_client, reverse("admin:publications_publication_add"))
        assert re.search(r'<input type="text" name="slug"[^>]*>', form)
        assert "required" not in re.search(r'<input type="text" name="slug"[^>]*>', form)[0]
        data = {
            "title_ja": "粒界の第一原理計算", "year": "2026", "type": "article",
            "status": "published", "is_published": "on", "peer_reviewed": "unknown",
            "invited": "unknown", "international_coauthorship": "unknown",
            "open_access": "unknown", "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
        }  # fmt: skip
        response = editor_client.post(reverse("admin:publications_publication_add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        paper = Publication.objects.get(title_ja="粒界の第一原理計算")
        assert paper.slug == "paper-2026"
        assert editor_client.get("/ja/publications/paper-2026/").status_code == 200
