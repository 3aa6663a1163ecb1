"""Visitors get cached public pages, and never a stale one; editors are never cached."""

import uuid

import pytest
import redis
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse

from labsite import cache as page_cache
from publications import freshness
from publications.models import Keyword, Publication
from research.models import ResearchTheme
from tests import factories
from tests.writes import CHANGES, admin_form_data, every_content_change

pytestmark = pytest.mark.django_db

STATUS = page_cache.STATUS_HEADER


@pytest.fixture(autouse=True)
def page_cache_on(settings, local_cache):
    """The page cache, and each worker's fragments and counts, as in production."""
    settings.LABSITE_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def editor():
    user = User.objects.create_user("secretary", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


def in_ja_and_en(path_name, *args):
    return [f"/{lang}" + reverse(path_name, args=args)[3:] for lang in ("ja", "en")]


def test_a_visitor_gets_the_second_view_from_the_cache(visitor, lab_content):
    url = reverse("publications:list") + "?q=ELNES"
    first = visitor.get(url)
    second = visitor.get(url)
    assert (first.status_code, first[STATUS]) == (200, "miss")
    assert (second.status_code, second[STATUS]) == (200, "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "no-cache" in second["Cache-Control"]


def test_languages_and_query_strings_are_cached_separately(visitor, lab_content):
    ja, en = in_ja_and_en("publications:list")
    assert visitor.get(ja)[STATUS] == "miss"
    english = visitor.get(en)
    assert english[STATUS] == "miss"
    assert english.content.decode().startswith('<!DOCTYPE html>\n<html lang="en">')
    assert visitor.get(en + "?year=2020")[STATUS] == "miss"
    assert visitor.get(en + "?year=2021")[STATUS] == "miss"
    again = visitor.get(en + "?year=2020")
    assert again[STATUS] == "hit"
    assert again.content == visitor.get(en + "?year=2020").content


def test_a_browser_revalidating_gets_304(visitor, lab_content, django_capture_on_commit_callbacks):
    url = reverse("research:theme_list")
    miss = visitor.get(url)
    etag = miss["ETag"]
    hit = visitor.get(url)
    assert (miss[STATUS], hit[STATUS]) == ("miss", "hit")
    assert hit["ETag"] == etag  # stored with the page, the same as the page's own
    assert visitor.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    theme = ResearchTheme.objects.first()
    theme.title_ja = theme.title_en = "A changed title"
    with django_capture_on_commit_callbacks(execute=True):
        theme.save()  # an edit the page shows: a new page, a new ETag
    changed = visitor.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_public_pages_set_no_cookie(visitor, lab_content):
    """A cookie would make the page unshareable; the search form is GET, so no CSRF cookie."""
    theme = ResearchTheme.objects.first()
    publication = Publication.objects.published().first()
    for url in [
        reverse("research:home"),
        theme.get_absolute_url(),
        reverse("publications:list") + "?q=欠陥",
        publication.get_absolute_url(),
        reverse("publications:keyword_list"),
        "/sitemap.xml",
        "/robots.txt",
    ]:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert visitor.get(url)[STATUS] == "hit", url


def test_errors_and_the_admin_are_never_cached(visitor, lab_content):
    missing = "/en/publications/no-such-paper/"
    assert visitor.get(missing).status_code == 404
    assert STATUS not in visitor.get(missing)
    login = reverse("admin:login")
    assert visitor.get(login).status_code == 200
    assert STATUS not in visitor.get(login)


def test_an_editor_is_never_served_nor_stored(visitor, editor, lab_content):
    url = reverse("research:home")
    assert STATUS not in editor.get(url)
    assert visitor.get(url)[STATUS] == "miss"  # the editor's view was not stored
    assert STATUS not in editor.get(url)  # nor is the visitor's served to the editor


def test_a_staff_preview_never_reaches_a_visitor(visitor, editor, lab_content):
    draft = factories.paper(title_en="A draft nobody may see yet", is_published=False)
    url = draft.get_absolute_url()
    preview = editor.get(url)
    assert preview.status_code == 200
    assert "A draft nobody may see yet" in preview.content.decode()
    assert visitor.get(url).status_code == 404


def test_an_admin_save_is_visible_at_once(
    visitor, editor, lab_content, django_capture_on_commit_callbacks
):
    theme = ResearchTheme.objects.order_by("order").first()
    url = "/en" + theme.get_absolute_url()[3:]
    assert visitor.get(url)[STATUS] == "miss"
    assert visitor.get(url)[STATUS] == "hit"

    change_url = reverse("admin:research_researchtheme_change", args=[theme.pk])
    data = admin_form_data(editor.get(change_url))
    data["title_en"] = "A freshly edited title"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    fresh = visitor.get(url)
    assert fresh[STATUS] == "miss"
    assert "A freshly edited title" in fresh.content.decode()


def test_an_admin_delete_is_visible_at_once(
    visitor, editor, lab_content, django_capture_on_commit_callbacks
):
    publication = Publication.objects.published().newest_first().first()
    title = publication.title_en
    pages = [reverse("publications:list"), reverse("research:home")]
    for url in pages:
        assert title in visitor.get(url).content.decode()
        assert visitor.get(url)[STATUS] == "hit"

    delete_url = reverse("admin:publications_publication_delete", args=[publication.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not Publication.objects.filter(pk=publication.pk).exists()

    for url in pages:
        fresh = visitor.get(url)
        assert fresh[STATUS] == "miss"
        assert title not in fresh.content.decode()
    assert visitor.get(publication.get_absolute_url()).status_code == 404


def test_an_edit_that_rolls_back_keeps_the_cache(visitor, lab_content):
    url = reverse("publications:keyword_list")
    visitor.get(url)
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.keyword(name_en="Never committed")
        raise RuntimeError
    assert visitor.get(url)[STATUS] == "hit"


@pytest.mark.parametrize("name", CHANGES)
def test_no_stale_page_after_any_content_change(visitor, name, django_capture_on_commit_callbacks):
    changes = every_content_change()
    assert set(changes) == set(CHANGES)
    url = reverse("publications:keyword_list")
    visitor.get(url)
    assert visitor.get(url)[STATUS] == "hit"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        changes[name]()
    assert visitor.get(url)[STATUS] == "miss"


@pytest.mark.parametrize("name", CHANGES)
def test_no_stale_fragment_after_any_content_change(
    visitor, settings, name, django_capture_on_commit_callbacks
):
    """With the page cache off, the pages still draw list items, the filters and the
    theme cards from each worker's fragments: a change shows on the next view."""
    settings.LABSITE_PAGE_CACHE_SECONDS = 0
    changes = every_content_change()
    paper = Publication.objects.get()
    urls = [reverse("research:home"), reverse("publications:list")]
    before = [visitor.get(url).content for url in urls]
    assert [visitor.get(url).content for url in urls] == before  # drawn from fragments
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        changes[name]()
        # Whatever the change, the paper's title changes with it behind the ORM's back
        # (no signal): only the version the change bumps can bring it to the page.
        Publication.objects.filter(pk=paper.pk).update(title_en="Renamed quietly")
    assert all(b"Renamed quietly" in visitor.get(url).content for url in urls)


def test_a_lost_version_never_revives_old_pages(visitor, lab_content):
    url = reverse("publications:keyword_list")
    visitor.get(url)
    caches["default"].delete(freshness.VERSION_KEY)
    assert visitor.get(url)[STATUS] == "miss"


DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "labsite_cache",
    "KEY_PREFIX": "labsite",
}


def new_worker(settings, cache=DATABASE_CACHE):
    """A new cache client sharing only the store with the previous one, as another
    gunicorn worker has (changing CACHES makes Django drop its clients)."""
    before = caches["default"]
    settings.CACHES = {
        "default": dict(cache),
        # A worker's own memory: nothing of the previous one's fragments and counts.
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"worker-{id(before)}",
        },
    }
    assert caches["default"] is not before


def test_a_save_in_one_worker_invalidates_the_other(
    visitor, editor, lab_content, settings, django_capture_on_commit_callbacks
):
    url = reverse("publications:keyword_list")
    new_worker(settings)
    assert visitor.get(url)[STATUS] == "miss"
    new_worker(settings)
    assert visitor.get(url)[STATUS] == "hit"  # stored by the first worker

    new_worker(settings)
    keyword = Keyword.objects.with_published_papers().first()  # one the index lists
    change_url = reverse("admin:publications_keyword_change", args=[keyword.pk])
    data = admin_form_data(editor.get(change_url))
    data["name_en"] = "Renamed in worker one"
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(change_url, data).status_code == 302

    new_worker(settings)
    fresh = visitor.get("/en" + url[3:])
    assert "Renamed in worker one" in fresh.content.decode()
    assert visitor.get(url)[STATUS] == "miss"


def _redis_url():
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return None
    return url


def test_redis_backend_when_redis_url_names_one(
    visitor, lab_content, settings, django_capture_on_commit_callbacks
):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    prefix = f"labsite-test-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
    }
    new_worker(settings, redis_cache)
    try:
        page = reverse("publications:keyword_list")
        assert visitor.get(page)[STATUS] == "miss"
        new_worker(settings, redis_cache)
        assert visitor.get(page)[STATUS] == "hit"
        new_worker(settings, redis_cache)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            # The index lists keywords with a published paper.
            factories.paper(keywords=[factories.keyword(name_ja="新しいキーワード")])
        new_worker(settings, redis_cache)
        fresh = visitor.get(page)
        assert fresh[STATUS] == "miss"
        assert "新しいキーワード" in fresh.content.decode()
    finally:
        # This test's keys only: another checkout's tests may share the Redis database.
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


BIB = """@article{fresh2026,
  title = {Core-loss spectra of a freshly imported oxide},
  author = {Mizoguchi, Teruyasu and Tanaka, Hanako},
  journal = {Phys. Rev. B},
  year = {2026},
  keywords = {ELNES},
}
"""


def test_a_bibtex_import_and_its_undo_are_visible_at_once(
    visitor, lab_content, django_capture_on_commit_callbacks
):
    from publications.bibtex import importer, undo

    pages = [reverse("publications:list"), "/en/publications/?q=freshly", reverse("research:home")]
    for url in pages:
        visitor.get(url)
        assert visitor.get(url)[STATUS] == "hit"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        batch, _plan = importer.start(text=BIB)
    for url in pages:  # a preview changes nothing a visitor sees
        assert visitor.get(url)[STATUS] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        importer.confirm(batch)
    for url in pages:
        fresh = visitor.get(url)
        assert fresh[STATUS] == "miss", url
        # (the search's page marks the matched word: "<mark>freshly</mark> imported oxide")
        assert "imported oxide" in fresh.content.decode(), url
        assert visitor.get(url)[STATUS] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        undo.undo(batch)
    for url in pages:
        fresh = visitor.get(url)
        assert fresh[STATUS] == "miss", url
        assert "imported oxide" not in fresh.content.decode(), url


def test_a_broken_cache_serves_pages_uncached(visitor, lab_content, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }
    theme = ResearchTheme.objects.first()
    for url in [reverse("research:home"), theme.get_absolute_url(), reverse("publications:list")]:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert STATUS not in response, url
    assert "page cache unavailable" in caplog.text
    assert "cache unavailable; year-counts:" in caplog.text  # a theme's counts, computed
