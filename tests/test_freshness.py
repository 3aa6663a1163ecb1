"""One content version, replaced once a write to public content commits, and the
per-year counts cached under it: a page never shows counts older than its content
(publications/freshness.py)."""

import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from publications import freshness
from publications.bibtex import importer, undo
from publications.freshness import content_changed, content_version
from publications.models import Keyword, Publication
from research.content.loader import load_lab_content
from research.models import RepresentativePublication, ResearchTheme
from tests import factories
from tests.writes import admin_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_cache")]


@pytest.fixture
def bumps(monkeypatch):
    """How many times the content version has been replaced."""
    calls = []
    bump = freshness.bump

    def counted():
        calls.append(1)
        bump()

    monkeypatch.setattr(freshness, "bump", counted)
    return calls


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a write as a transaction that commits (a test's own never does)."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return write()

    return run


# ---------------------------------------------------------------- the version


def test_one_bump_per_transaction_however_many_rows_it_writes(bumps, committed):
    def many_writes():
        keywords = [factories.keyword() for _ in range(20)]
        for keyword in keywords:
            keyword.name_en += " (renamed)"
            keyword.save()
        factories.paper(keywords=keywords)
        Keyword.objects.filter(pk__in=[k.pk for k in keywords[:5]]).delete()
        content_changed()

    before = content_version()
    committed(many_writes)
    assert len(bumps) == 1
    assert content_version() != before


def test_each_transaction_that_commits_bumps_again(bumps, committed):
    committed(factories.keyword)
    committed(factories.keyword)
    assert len(bumps) == 2


def test_a_write_that_rolls_back_bumps_nothing(bumps, django_capture_on_commit_callbacks):
    before = content_version()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        factories.paper(keywords=[factories.keyword()])
        content_changed()
        raise RuntimeError
    assert bumps == []
    assert content_version() == before


def _rolled_back(write):
    try:
        with transaction.atomic():
            write()
            raise RuntimeError
    except RuntimeError:
        pass


@pytest.mark.parametrize("after", [False, True], ids=["alone", "then-a-write"])
def test_a_rolled_back_savepoint_takes_only_its_own_writes_away(bumps, committed, after):
    """The writes that survive a rolled-back savepoint still bump, once."""

    def transaction_with_a_savepoint():
        _rolled_back(factories.keyword)
        if after:
            factories.keyword()

    committed(transaction_with_a_savepoint)
    assert len(bumps) == (1 if after else 0)
    committed(lambda: (factories.keyword(), _rolled_back(factories.keyword)))
    assert len(bumps) == (2 if after else 1)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_write_bumps_as_it_commits(bumps):
    before = content_version()
    factories.keyword()
    assert len(bumps) == 1
    assert content_version() != before
    with transaction.atomic():
        factories.keyword()
        factories.keyword()
        assert len(bumps) == 1  # not before the commit
    assert len(bumps) == 2


def test_an_import_preview_bumps_nothing(bumps, committed):
    committed(lambda: importer.start(text=BIB))
    assert bumps == []


def test_a_lost_version_is_replaced_by_a_new_one():
    old = content_version()
    freshness.shared_cache().delete(freshness.VERSION_KEY)
    new = content_version()
    assert new not in (None, old)
    assert content_version() == new


def test_a_migration_bumps(bumps):
    call_command("migrate", verbosity=0)
    assert len(bumps) == 1


def test_loading_the_lab_content_again_announces_a_new_representative_list(bumps, committed):
    committed(load_lab_content)
    theme = ResearchTheme.objects.order_by("order").first()
    # Only the representative list differs from the content file: it is written in bulk.
    RepresentativePublication.objects.filter(theme=theme).delete()
    bumps.clear()
    committed(load_lab_content)
    assert RepresentativePublication.objects.filter(theme=theme).exists()
    assert len(bumps) == 1


# ---------------------------------------------------------------- counts on pages


def theme_page(client, theme, lang="en"):
    """(the related papers the page counts, the page's HTML)."""
    html = client.get(f"/{lang}/research/{theme.slug}/").content.decode()
    found = re.search(r"(\d+) more papers? shares? (?:a keyword|keywords)|ほかに (\d+) 件", html)
    return int(found.group(1) or found.group(2)) if found else 0, html


def related_count(client, theme):
    return theme_page(client, theme)[0]


def live_related(theme):
    """What the theme page must show, counted from the tables as they are now."""
    return sum(n for _year, n in theme.related_publications().year_counts())


@pytest.fixture
def theme():
    grain = factories.keyword(name_en="Grain boundaries")
    for i in range(5):
        factories.paper(title_en=f"Boundary paper {i}", year=2001 + i % 3, keywords=[grain])
    return factories.theme(keywords=[grain])


def _save(paper, **fields):
    for name, value in fields.items():
        setattr(paper, name, value)
    paper.save()


def test_the_counts_are_read_back_until_the_content_changes(client, theme, committed):
    assert related_count(client, theme) == 5
    paper = Publication.objects.filter(keywords__in=theme.keywords.all()).first()
    # Behind the ORM's back, as a bulk writer that forgot content_changed() would:
    Publication.objects.filter(pk=paper.pk).update(is_published=False)
    assert related_count(client, theme) == 5  # the cached counts
    committed(content_changed)
    assert related_count(client, theme) == 4


def test_each_kind_of_write_shows_at_once_on_the_theme_page(client, theme, committed):
    grain = theme.keywords.get()
    other = factories.keyword(name_en="Other topic")
    papers = list(Publication.objects.filter(keywords=grain).order_by("pk"))
    others = [factories.paper(year=1999, keywords=[other]) for _ in range(2)]
    assert related_count(client, theme) == 5

    writes = [
        ("a new paper with the theme's keyword", lambda: factories.paper(keywords=[grain])),
        ("a paper gains the keyword", lambda: others[0].keywords.add(grain)),
        ("a paper loses it", lambda: others[0].keywords.remove(grain)),
        ("a paper is unpublished", lambda: _save(papers[0], is_published=False)),
        (
            "a paper becomes representative",
            lambda: RepresentativePublication.objects.create(theme=theme, publication=papers[1]),
        ),
        ("the theme gains a keyword", lambda: theme.keywords.add(other)),
        ("a paper is deleted", lambda: others[1].delete()),
        ("a keyword is deleted", lambda: Keyword.objects.filter(pk=other.pk).delete()),
        (
            "QuerySet.update() by a bulk writer",
            lambda: (
                Publication.objects.filter(pk=papers[2].pk).update(is_published=False),
                content_changed(),
            ),
        ),
    ]
    seen = [5]
    for name, write in writes:
        committed(write)
        expected = live_related(theme)
        assert related_count(client, theme) == expected, name
        assert related_count(client, theme) == expected, f"{name}, read back"
        seen.append(expected)
    assert seen == [5, 6, 7, 6, 5, 4, 6, 5, 4, 3]


def test_a_new_year_shows_in_the_chart_at_once(client, theme, committed):
    _count, html = theme_page(client, theme)
    assert "1987" not in html
    paper = Publication.objects.filter(keywords__in=theme.keywords.all()).first()
    committed(lambda: _save(paper, year=1987))
    _count, html = theme_page(client, theme)
    assert "1987" in html


def test_an_admin_save_shows_at_once(
    client, theme, admin_client, django_capture_on_commit_callbacks
):
    paper = Publication.objects.filter(keywords__in=theme.keywords.all()).first()
    assert related_count(client, theme) == 5
    change_url = reverse("admin:publications_publication_change", args=[paper.pk])
    data = admin_form_data(admin_client.get(change_url))
    data.pop("is_published")  # the checkbox unticked
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert related_count(client, theme) == 4


def test_a_write_that_rolls_back_keeps_the_cached_counts(client, theme, bumps):
    assert related_count(client, theme) == 5
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.paper(keywords=list(theme.keywords.all()))
        raise RuntimeError
    assert bumps == []
    assert related_count(client, theme) == 5


def test_the_japanese_theme_page_counts_the_same(client, theme, committed):
    assert related_count(client, theme) == 5
    committed(lambda: factories.paper(keywords=list(theme.keywords.all())))
    count, _html = theme_page(Client(), theme, "ja")
    assert count == 6, "the Japanese page shows the new count"


BIB = """
@article{fresh2031,
  author = {Tanaka, Hanako},
  title = {A freshly imported boundary paper},
  journal = {Physical Review B},
  year = {2031},
  keywords = {Grain boundaries},
}
"""


def _result_count(client, url):
    html = client.get("/en" + url[3:]).content.decode()
    return int(re.search(r'class="result-count"[^>]*>(\d+) (?:paper|publication)', html).group(1))


def test_a_bibtex_import_and_its_undo_show_at_once(client, theme, committed):
    grain = theme.keywords.get()
    pages = {
        "theme": lambda: related_count(client, theme),
        "keyword": lambda: _result_count(client, grain.get_absolute_url()),
        "list": lambda: _result_count(client, reverse("publications:list")),
    }
    before = {name: page() for name, page in pages.items()}
    assert before["theme"] == 5

    batch, _plan = committed(lambda: importer.start(text=BIB))
    assert {name: page() for name, page in pages.items()} == before  # a preview changes nothing
    committed(lambda: importer.confirm(batch))
    assert {name: page() for name, page in pages.items()} == {
        name: n + 1 for name, n in before.items()
    }
    _count, html = theme_page(client, theme)
    assert "2031" in html

    committed(lambda: undo.undo(batch))
    assert {name: page() for name, page in pages.items()} == before
