"""News (お知らせ): the list, an item's page, the feed, the sitemap, the home page's
block and the admin (issue 22, item 4)."""

import datetime
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from news.models import NewsItem
from research.models import Member
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def news(title_en="Seminar", title_ja="セミナー", date=datetime.date(2026, 4, 1), **fields):
    return NewsItem.objects.create(title_en=title_en, title_ja=title_ja, date=date, **fields)


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text_of(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class TestList:
    def test_lists_published_items_newest_first_in_the_page_language(self, client):
        news("Older", "古い", datetime.date(2025, 1, 10))
        news("Newer", "新しい", datetime.date(2026, 3, 5))
        news("Hidden", "非公開", datetime.date(2026, 6, 1), is_published=False)
        ja = html_of(client, "/ja/news/")
        assert ja.index("新しい") < ja.index("古い")
        assert "非公開" not in ja and "Hidden" not in ja
        assert "2026年3月5日" in text_of(ja)
        en = html_of(client, "/en/news/")
        assert en.index("Newer") < en.index("Older")
        assert '<time datetime="2026-03-05">' in en

    def test_an_item_in_one_language_only_is_shown_marked_with_its_language(self, client):
        news(title_en="", title_ja="日本語だけのお知らせ", body_ja="本文です。")
        html = html_of(client, "/en/news/")
        assert '<span lang="ja">日本語だけのお知らせ</span>' in html
        assert '<span lang="ja">本文です。</span>' in html

    def test_empty_list_says_so_in_both_languages(self, client):
        assert "No news yet." in html_of(client, "/en/news/")
        assert "お知らせはまだありません。" in html_of(client, "/ja/news/")

    def test_pages_of_twenty_and_a_page_out_of_range_shows_the_last(self, client):
        for n in range(25):
            news(f"Item {n:02d}", f"項目{n:02d}", datetime.date(2026, 1, 1) + datetime.timedelta(n))
        first = html_of(client, "/en/news/")
        assert first.count('class="news-item"') == 20
        assert "Item 24" in first and "Item 04" not in first
        last = html_of(client, "/en/news/?page=99")
        assert last.count('class="news-item"') == 5 and "Item 00" in last
        assert "Page 2 of 2" in last

    def test_navigation_marks_the_news_page(self, client):
        html = html_of(client, "/en/news/")
        assert re.search(r'<a href="/en/news/" aria-current="page">News</a>', html)
        assert re.search(r'<a href="/ja/news/">お知らせ</a>', html_of(client, "/ja/"))


@pytest.mark.parametrize("size", [2, 45], ids=["few", "many"])
def test_news_list_query_count_is_constant(client, django_assert_num_queries, size):
    for n in range(size):
        news(f"Item {n}", f"項目{n}", body_en=f"Body **{n}**")
    # The count for the paginator, the page of items; the lab's profile (header, footer).
    with django_assert_num_queries(3):
        client.get("/en/news/")


class TestDetail:
    def test_shows_the_body_as_sanitised_markdown_and_links_papers_and_members(self, client):
        paper = factories.paper("A paper about ELNES")
        hidden = factories.paper("An unpublished paper", is_published=False)
        member = Member.objects.create(family_name_en="Mizoguchi", given_name_en="Teruyasu")
        item = news(
            body_en="We **won** a prize. <script>alert(1)</script> [more](javascript:alert(1))"
        )
        item.publications.set([paper, hidden])
        item.members.set([member])
        html = html_of(client, f"/en/news/{item.slug}/")
        assert "<strong>won</strong>" in html
        assert "<script>alert" not in html and "javascript:" not in html
        assert paper.get_absolute_url() in html and "An unpublished paper" not in html
        assert member.get_absolute_url() in html
        assert "<h1>Seminar</h1>" in html

    def test_japanese_page_shows_the_japanese_text(self, client):
        item = news(body_ja="受賞しました。", body_en="We won.")
        html = html_of(client, f"/ja/news/{item.slug}/")
        assert "<h1>セミナー</h1>" in html and "受賞しました。" in html and "We won." not in html
        assert f'href="/en/news/{item.slug}/"' in html  # the language switch

    def test_unpublished_item_is_404_for_visitors_and_a_preview_for_staff(self, client):
        item = news(is_published=False)
        html_of(client, f"/en/news/{item.slug}/", status=404)
        html_of(client, f"/ja/news/{item.slug}/", status=404)
        client.force_login(User.objects.create_user("staff", is_staff=True))
        assert "Preview: this news item is not published" in html_of(
            client, f"/en/news/{item.slug}/"
        )


@pytest.mark.parametrize("size", [1, 30], ids=["few", "many"])
def test_news_page_query_count_is_constant(client, django_assert_num_queries, size):
    authors = [factories.person() for _ in range(3)]
    item = news()
    item.publications.set([factories.paper(authors=authors) for _ in range(size)])
    item.members.set([Member.objects.create(family_name_en=f"M{n}") for n in range(size)])
    # The item, its papers, their authors, its members, the content version the papers'
    # fragments are kept under; the lab's profile (the header and the footer).
    with django_assert_num_queries(6):
        client.get(f"/en/news/{item.slug}/")


class TestFeed:
    @pytest.mark.parametrize(
        ("lang", "title", "body"), [("ja", "セミナー", "本文"), ("en", "Seminar", "Body")]
    )
    def test_entries_in_the_feed_language_dated_by_the_item(self, client, lang, title, body):
        item = news(body_ja="本文", body_en="Body", date=datetime.date(2024, 2, 29))
        news("Hidden", "非公開", is_published=False)
        response = client.get(f"/{lang}/news/feed/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == [title]
        entry = entries[0]
        assert entry.findtext(f"{ATOM}updated").startswith("2024-02-29T00:00:00")
        assert entry.findtext(f"{ATOM}published").startswith("2024-02-29T00:00:00")
        assert entry.find(f"{ATOM}link").get("href").endswith(f"/{lang}/news/{item.slug}/")
        assert body in entry.findtext(f"{ATOM}summary")

    def test_editing_an_old_item_does_not_redate_its_entry(self, client):
        item = news(date=datetime.date(2020, 5, 1))
        item.body_en = "Corrected."
        item.save()
        feed = ET.fromstring(client.get("/en/news/feed/").content)
        assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}updated").startswith("2020-05-01")

    def test_news_pages_announce_the_feed(self, client):
        assert 'href="/ja/news/feed/"' in html_of(client, "/ja/news/")


def test_sitemap_lists_the_news_list_and_published_items_in_both_languages(client):
    item = news()
    hidden = news("Hidden", "非公開", is_published=False)
    xml = client.get("/sitemap.xml").content.decode()
    for lang in ("ja", "en"):
        assert f"/{lang}/news/</loc>" in xml
        assert f"/{lang}/news/{item.slug}/</loc>" in xml
    assert hidden.slug not in xml


class TestHome:
    def test_home_shows_the_three_latest_news(self, client):
        for n in range(4):
            news(f"News {n}", f"ニュース{n}", datetime.date(2026, 1, 1 + n))
        news("Unpublished", "非公開", datetime.date(2026, 2, 1), is_published=False)
        html = html_of(client, "/en/")
        assert [t for t in re.findall(r"News \d", html)] == ["News 3", "News 2", "News 1"]
        assert "Unpublished" not in html
        assert '<a href="/en/news/">All news</a>' in html

    def test_home_without_news_says_so(self, client):
        assert "お知らせはまだありません。" in html_of(client, "/ja/")


class TestModel:
    def test_slug_from_the_english_title_else_from_the_date(self):
        assert news("Prize for Dr. Sato!").slug == "prize-for-dr-sato"
        assert news("", "受賞", datetime.date(2026, 7, 1)).slug == "news-20260701"
        assert news("Feed", "フィード").slug == "feed-2"

    def test_an_item_needs_a_title(self):
        item = NewsItem(slug="x", date=datetime.date(2026, 1, 1))
        with pytest.raises(ValidationError) as error:
            item.full_clean()
        assert "title_ja" in error.value.message_dict

    def test_the_feed_slug_is_refused(self):
        item = NewsItem(title_en="x", slug="feed", date=datetime.date(2026, 1, 1))
        with pytest.raises(ValidationError) as error:
            item.full_clean()
        assert "slug" in error.value.message_dict


class TestAdmin:
    def test_editor_adds_an_item_with_japanese_and_english_and_links(self, editor_client):
        paper = factories.paper("Linked paper")
        member = Member.objects.create(family_name_en="Mizoguchi")
        form = editor_client.get("/admin/news/newsitem/add/").content.decode()
        # ja/en side by side (tabs) and the slug filled in from the English title.
        assert 'name="title_ja"' in form and 'name="title_en"' in form
        assert "prepopulated_fields" in form or "data-prepopulated-fields" in form
        assert 'data-ajax--url="/admin/autocomplete/"' in form
        response = editor_client.post(
            "/admin/news/newsitem/add/",
            {
                "title_ja": "受賞のお知らせ",
                "title_en": "Award",
                "slug": "award",
                "date": "2026-10-01",
                "body_ja": "**受賞**しました。",
                "body_en": "We won.",
                "publications": [paper.pk],
                "members": [member.pk],
                "is_published": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        item = NewsItem.objects.get(slug="award")
        assert (item.title_ja, item.title_en) == ("受賞のお知らせ", "Award")
        assert list(item.publications.all()) == [paper]
        assert "<strong>受賞</strong>" in html_of(editor_client, "/ja/news/award/")

    def test_an_item_without_a_title_is_refused_with_a_message(self, editor_client):
        response = editor_client.post(
            "/admin/news/newsitem/add/",
            {"slug": "untitled", "date": "2026-10-01", "is_published": "on"},
        )
        assert response.status_code == 200
        assert (
            "お知らせのタイトルを少なくとも一つの言語で入力してください。"
            in response.content.decode()
        )
        assert not NewsItem.objects.exists()
