"""Staff edit everything in the admin; an Editor cannot manage users or groups."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.urls import reverse

from publications.models import Keyword, Person, Publication
from research.models import LabProfile, Member, ResearchTheme

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [Keyword, Person, Publication, ResearchTheme, LabProfile, Member]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_editor_sees_every_changelist(editor_client, lab_content, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize(
    "model", [Keyword, Person, Publication, ResearchTheme, Member], ids=lambda m: m.__name__
)
def test_editor_sees_every_add_page_with_ja_en_tabs(editor_client, lab_content, model):
    response = editor_client.get(admin_url(model, "add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "tabbed_translation_fields.js" in html
    assert (
        f"{settings.STATIC_URL}{settings.JQUERY_UI_URL}" in html
    )  # served locally, not from a CDN


def test_lab_profile_add_page_while_there_is_none(editor_client):
    assert editor_client.get(admin_url(LabProfile, "add")).status_code == 200


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_editor_sees_every_change_page(editor_client, lab_content, model):
    obj = model.objects.first()
    response = editor_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert f"{obj}".split()[0] in response.content.decode()


def test_vendored_jquery_ui_exists():
    assert finders.find(settings.JQUERY_UI_URL)


@pytest.mark.parametrize("model", [User, Group], ids=lambda m: m.__name__)
def test_editor_cannot_manage_users_or_groups(editor_client, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == 403
    assert editor_client.get(admin_url(model, "add")).status_code == 403


def test_editor_group_can_change_every_content_model():
    group = Group.objects.get(name="Editor")
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    for model in CONTENT_MODELS:
        for action in ("add", "change", "delete", "view"):
            assert (model._meta.app_label, f"{action}_{model._meta.model_name}") in perms
    assert not any(app == "auth" for app, _ in perms)


def test_admin_search_finds_publication_by_author(editor_client, lab_content):
    response = editor_client.get(admin_url(Publication, "changelist"), {"q": "Kikumasa"})
    assert response.status_code == 200
    assert "Quantification of the Properties of Organic Molecules" in response.content.decode()


def test_publication_view_on_site_link_opens_the_public_page(editor_client, lab_content):
    paper = Publication.objects.first()
    response = editor_client.get(admin_url(Publication, "change", paper.pk))
    content_type = ContentType.objects.get_for_model(Publication)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, paper.pk])
    assert view_on_site in response.content.decode()
    public = editor_client.get(view_on_site, follow=True)
    assert public.status_code == 200
    assert paper.title_en in public.content.decode()


def authorship_post(paper, rows):
    """The change form's POST data, with `rows` = [(position, person_pk)] in the author inline."""
    data = {
        "title_ja": paper.title_ja or "", "title_en": paper.title_en, "slug": paper.slug,
        "venue": paper.venue, "year": paper.year, "type": paper.type, "status": paper.status,
        "is_published": "on", "authorships-TOTAL_FORMS": len(rows), "authorships-INITIAL_FORMS": 0,
        "authorships-MIN_NUM_FORMS": 0, "authorships-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for n, (position, person_pk) in enumerate(rows):
        data[f"authorships-{n}-position"] = position
        data[f"authorships-{n}-person"] = person_pk
        data[f"authorships-{n}-publication"] = paper.pk
    return data


def test_author_inline_renumbers_positions_without_gaps(editor_client):
    paper = Publication.objects.create(title_en="Paper", year=2020, venue="V")
    a, b, c = (Person.objects.create(family_name_en=n) for n in "ABC")
    response = editor_client.post(
        admin_url(Publication, "change", paper.pk),
        authorship_post(paper, [(7, c.pk), (2, a.pk), (5, b.pk)]),
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    assert [(x.position, x.person) for x in paper.ordered_authorships] == [(1, a), (2, b), (3, c)]


def test_author_inline_refuses_the_same_person_twice(editor_client):
    paper = Publication.objects.create(title_en="Paper", year=2020, venue="V")
    a = Person.objects.create(family_name_en="A")
    response = editor_client.post(
        admin_url(Publication, "change", paper.pk), authorship_post(paper, [(1, a.pk), (2, a.pk)])
    )
    assert response.status_code == 200
    assert paper.authorships.count() == 0


def theme_post(theme, **fields):
    """The theme's change form as POST data (no representative papers)."""
    data = {
        "title_ja": theme.title_ja, "title_en": theme.title_en, "slug": theme.slug,
        "lead_ja": "", "lead_en": "", "body_ja": "", "body_en": "", "image_alt_ja": "",
        "image_alt_en": "", "order": theme.order, "is_published": "on",
        "keywords": [k.pk for k in theme.keywords.all()],
        "representatives-TOTAL_FORMS": 0, "representatives-INITIAL_FORMS": 0,
        "representatives-MIN_NUM_FORMS": 0, "representatives-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    data.update(fields)
    return data


def test_editor_excludes_a_paper_from_a_theme_with_an_autocomplete(editor_client):
    keyword = Keyword.objects.create(name_en="Glasses", name_ja="ガラス", slug="glasses")
    stray = Publication.objects.create(title_en="Glass-like stray paper", year=2020, venue="V")
    stray.keywords.add(keyword)
    theme = ResearchTheme.objects.create(title_ja="ガラス", title_en="Glass", slug="glass")
    theme.keywords.add(keyword)
    html = editor_client.get(admin_url(ResearchTheme, "change", theme.pk)).content.decode()
    # Django's autocomplete widget (a select that searches papers as the editor types).
    widget = re.search(r'<select[^>]*name="excluded_publications"[^>]*>', html).group(0)
    assert "admin-autocomplete" in widget
    assert "テーマに属さない論文は、ここで除外" in html  # the fieldset explains it (in Japanese)
    found = editor_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "research",
            "model_name": "researchtheme",
            "field_name": "excluded_publications",
            "term": "stray",
        },
    ).json()
    assert [r["id"] for r in found["results"]] == [str(stray.pk)]
    response = editor_client.post(
        admin_url(ResearchTheme, "change", theme.pk),
        theme_post(theme, excluded_publications=[stray.pk]),
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    assert list(theme.excluded_publications.all()) == [stray]
    assert "Glass-like stray paper" not in editor_client.get("/en/research/glass/").content.decode()
