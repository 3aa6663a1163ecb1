"""Per-year counts are stored and read back, and no page ever shows counts older than
its content (publications/counts.py)."""

import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from publications.bibtex import importer, undo
from publications.freshness import content_changed
from publications.models import ContentRevision, Keyword, Publication, StoredYearCounts
from research.content.loader import load_lab_content
from research.models import RepresentativePublication, ResearchTheme
from tests import factories
from tests.writes import CHANGES, admin_form_data, every_content_change

pytestmark = pytest.mark.django_db


def revision():
    return ContentRevision.objects.get(pk=1).number


def theme_page(client, theme):
    """(the related papers the page counts, its year-chart's text), from the English page."""
    html = client.get(f"/en/research/{theme.slug}/").content.decode()
    found = re.search(r"(\d+) more papers? shares? a keyword", html)
    return int(found.group(1)) if found else 0, html


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


@pytest.mark.parametrize("name", CHANGES)
def test_every_content_change_raises_the_revision(name):
    changes = every_content_change()
    before = revision()
    changes[name]()
    assert revision() > before


def _revision_seen_before_a_paper_is_written():
    """The revision a receiver connected after counts.py's sees before a paper is written."""
    seen = []

    def receiver(sender, **kwargs):
        seen.append(revision())

    pre_save.connect(receiver, sender=Publication, dispatch_uid="test-counts")
    try:
        before = revision()
        factories.paper()
    finally:
        pre_save.disconnect(receiver, sender=Publication, dispatch_uid="test-counts")
    return before, seen[0], revision()


def test_in_a_transaction_the_revision_is_raised_before_the_row_is_written():
    """So the revision is the first row every writer locks: no two writers wait on
    each other through it."""
    with transaction.atomic():
        before, during, after = _revision_seen_before_a_paper_is_written()
    assert before < during <= after


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_revision_is_raised_after_the_row_is_committed():
    """A save outside a transaction commits the paper first: a reader in between sees
    old counts only under the old revision."""
    ContentRevision.objects.get_or_create(pk=1)
    before, during, after = _revision_seen_before_a_paper_is_written()
    assert before == during < after


def test_an_import_preview_changes_no_revision():
    before = revision()
    importer.start(text=BIB)
    assert revision() == before


def test_the_second_view_reads_the_counts_back(client, theme, django_assert_num_queries):
    assert related_count(client, theme) == 5
    stored = StoredYearCounts.objects.get()
    assert stored.revision == revision()
    assert stored.key == f"1:theme:{theme.pk}:related"
    with django_assert_num_queries(8):  # the theme page's queries, one of them the counts
        assert related_count(client, theme) == 5


def test_each_kind_of_write_shows_at_once_on_the_theme_page(client, theme):
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
        write()
        expected = live_related(theme)
        assert related_count(client, theme) == expected, name
        assert related_count(client, theme) == expected, f"{name}, read back"
        seen.append(expected)
    assert seen == [5, 6, 7, 6, 5, 4, 6, 5, 4, 3]


def _save(paper, **fields):
    for name, value in fields.items():
        setattr(paper, name, value)
    paper.save()


def test_a_new_year_shows_in_the_chart_at_once(client, theme):
    _count, html = theme_page(client, theme)
    assert "1987" not in html
    paper = Publication.objects.filter(keywords__in=theme.keywords.all()).first()
    _save(paper, year=1987)
    _count, html = theme_page(client, theme)
    assert "1987" in html


def test_an_admin_save_shows_at_once(client, theme, admin_client):
    paper = Publication.objects.filter(keywords__in=theme.keywords.all()).first()
    assert related_count(client, theme) == 5
    change_url = reverse("admin:publications_publication_change", args=[paper.pk])
    data = admin_form_data(admin_client.get(change_url))
    data.pop("is_published")  # the checkbox unticked
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert related_count(client, theme) == 4


BIB = """
@article{fresh2031,
  author = {Tanaka, Hanako},
  title = {A freshly imported boundary paper},
  journal = {Physical Review B},
  year = {2031},
  keywords = {Grain boundaries},
}
"""


def test_a_bibtex_import_and_its_undo_show_at_once(client, theme):
    grain = theme.keywords.get()
    pages = {
        "theme": lambda: related_count(client, theme),
        "keyword": lambda: _result_count(client, grain.get_absolute_url()),
        "list": lambda: _result_count(client, reverse("publications:list")),
    }
    before = {name: page() for name, page in pages.items()}
    assert before["theme"] == 5

    batch, _plan = importer.start(text=BIB)
    importer.confirm(batch)
    assert {name: page() for name, page in pages.items()} == {
        name: n + 1 for name, n in before.items()
    }
    _count, html = theme_page(client, theme)
    assert "2031" in html

    undo.undo(batch)
    assert {name: page() for name, page in pages.items()} == before


def _result_count(client, url):
    html = client.get("/en" + url[3:]).content.decode()
    return int(re.search(r'class="result-count"[^>]*>(\d+) (?:paper|publication)', html).group(1))


def test_a_write_that_rolls_back_keeps_the_stored_counts(client, theme, django_assert_num_queries):
    assert related_count(client, theme) == 5
    before = revision()
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.paper(keywords=list(theme.keywords.all()))
        raise RuntimeError
    assert revision() == before
    with django_assert_num_queries(8):  # read back, not counted again
        assert related_count(client, theme) == 5


def test_counts_stored_under_an_older_revision_are_never_read(client, theme):
    key = f"1:theme:{theme.pk}:related"
    StoredYearCounts.objects.create(key=key, revision=revision() - 1, counts="[[1999, 99]]")
    assert related_count(client, theme) == 5
    # The page stored what it counted, under the current revision.
    assert StoredYearCounts.objects.get(key=key).revision == revision()


def test_counts_stored_under_another_key_format_are_never_read(client, theme, monkeypatch):
    from publications import counts

    assert related_count(client, theme) == 5
    monkeypatch.setattr(counts, "KEY_FORMAT", "2")  # a deploy that changed a definition
    StoredYearCounts.objects.filter(key__startswith="1:").update(counts="[[1999, 99]]")
    assert related_count(client, theme) == 5


def test_the_whole_list_only_is_stored_not_a_filtered_one(client, theme):
    grain = theme.keywords.get()
    factories.paper(title_en="Unrelated")
    assert _result_count(client, reverse("publications:list")) == 6
    assert _result_count(client, reverse("publications:list") + "?year=2001") == 2
    assert _result_count(client, reverse("publications:list") + f"?keyword={grain.slug}") == 5
    assert set(StoredYearCounts.objects.values_list("key", flat=True)) == {"1:published"}


def test_a_migration_raises_the_revision():
    before = revision()
    call_command("migrate", verbosity=0)
    assert revision() > before


def test_loading_the_lab_content_again_announces_a_new_representative_list():
    load_lab_content()
    theme = ResearchTheme.objects.order_by("order").first()
    # Only the representative list differs from the content file: it is written in bulk.
    RepresentativePublication.objects.filter(theme=theme).delete()
    before = revision()
    load_lab_content()
    assert RepresentativePublication.objects.filter(theme=theme).exists()
    assert revision() > before


def test_the_japanese_theme_page_counts_the_same(client, theme):
    assert related_count(client, theme) == 5
    factories.paper(keywords=list(theme.keywords.all()))
    html = Client().get(f"/ja/research/{theme.slug}/").content.decode()
    assert "ほかに 6 件" in html, "the Japanese page shows the new count"
