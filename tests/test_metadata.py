"""What search engines, Google Scholar and reference managers read from the pages."""

import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from publications.models import Keyword, Person, Publication
from research.models import ResearchTheme
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PAGES = [
    "/{lang}/",
    "/{lang}/research/core-loss-spectroscopy/",
    "/{lang}/research/",
    "/{lang}/publications/",
    "/{lang}/keywords/",
    "/{lang}/keywords/elnes/",
    "/{lang}/members/",
    "/{lang}/members/teruyasu-mizoguchi/",
    "/{lang}/access/",
    "/{lang}/achievements/",
    "/{lang}/news/",
]


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def metas(html, attribute="name"):
    return re.findall(rf'<meta {attribute}="([^"]+)" content="([^"]*)"', html)


def json_ld_blocks(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


@pytest.fixture
def paper(db):
    chen = Person.objects.create(family_name_en="Chen", given_name_en="P. Y.", is_lab_member=True)
    mizoguchi = Person.objects.create(
        family_name_en="Mizoguchi",
        given_name_en="Teruyasu",
        family_name_ja="溝口",
        given_name_ja="照康",
    )
    return factories.paper(
        "Prediction of the Ground State </script><script>alert(1)</script> & more",
        year=2023,
        month=6,
        authors=[chen, mizoguchi],
        venue="J. Phys. Chem. Lett.",
        volume="14",
        issue="21",
        pages="4858-4865",
        doi="10.1021/acs.jpclett.3c00142",
        abstract="Machine learning predicts the ground state from core-loss spectra.",
    )


class TestPublicationPage:
    def test_google_scholar_tags_are_complete(self, client, paper):
        tags = metas(get(client, paper.get_absolute_url().replace("/ja/", "/en/")))
        names = [name for name, _ in tags]
        value = dict(tags)
        assert [c for n, c in tags if n == "citation_author"] == [
            "Chen, P. Y.",
            "Mizoguchi, Teruyasu",
        ]
        assert value["citation_title"].startswith("Prediction of the Ground State")
        assert value["citation_publication_date"] == "2023/06"
        assert value["citation_journal_title"] == "J. Phys. Chem. Lett."
        assert (value["citation_volume"], value["citation_issue"]) == ("14", "21")
        assert (value["citation_firstpage"], value["citation_lastpage"]) == ("4858", "4865")
        assert value["citation_doi"] == "10.1021/acs.jpclett.3c00142"
        assert value["citation_abstract_html_url"].startswith("http://testserver/en/publications/")
        assert names.index("citation_title") < names.index("citation_author")

    def test_article_number_is_the_first_page(self, client):
        p = factories.paper("Numbered", article_number="103019", pages="")
        value = dict(metas(get(client, p.get_absolute_url())))
        assert value["citation_firstpage"] == "103019" and "citation_lastpage" not in value

    def test_conference_papers_name_the_conference(self, client):
        p = factories.paper("Talk", type="conference", venue="MRS Fall Meeting")
        value = dict(metas(get(client, p.get_absolute_url())))
        assert value["citation_conference_title"] == "MRS Fall Meeting"
        assert "citation_journal_title" not in value

    def test_json_ld_is_a_scholarly_article_and_cannot_break_out_of_its_script(self, client, paper):
        html = get(client, paper.get_absolute_url())
        assert "<script>alert(1)</script>" not in html
        (data,) = json_ld_blocks(html)
        assert data["@type"] == "ScholarlyArticle"
        assert "</script><script>alert(1)</script> & more" in data["name"]
        assert data["sameAs"] == "https://doi.org/10.1021/acs.jpclett.3c00142"
        assert [a["name"] for a in data["author"]] == ["P. Y. Chen", "溝口 照康"]

    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_the_paper_language_is_the_paper_s_not_the_page_s(self, client, paper, lang):
        japanese = factories.paper(title_ja="走査透過電子顕微鏡による界面の解析", language="ja")
        for publication, language in [(paper, "en"), (japanese, "ja")]:
            html = get(client, publication.get_absolute_url().replace("/ja/", f"/{lang}/"))
            assert dict(metas(html))["citation_language"] == language
            (data,) = json_ld_blocks(html)
            assert data["inLanguage"] == language

    def test_coins_lets_zotero_capture_the_paper(self, client, paper):
        html = get(client, paper.get_absolute_url())
        title = (
            re.search(r'<span class="Z3988" title="([^"]+)"', html).group(1).replace("&amp;", "&")
        )
        fields = parse_qs(title)
        assert fields["rft.jtitle"] == ["J. Phys. Chem. Lett."]
        assert fields["rft.au"] == ["Chen, P. Y.", "Mizoguchi, Teruyasu"]
        assert fields["rft_id"] == ["info:doi/10.1021/acs.jpclett.3c00142"]
        assert fields["rft.spage"] == ["4858"]

    def test_list_pages_carry_no_scholar_tags(self, client, paper):
        assert "citation_title" not in get(client, "/en/publications/")
        assert "citation_title" not in get(client, "/en/")


class TestEveryPage:
    @pytest.mark.parametrize("lang", ["ja", "en"])
    @pytest.mark.parametrize("page", PAGES)
    def test_canonical_hreflang_open_graph_and_description(self, client, lab_content, page, lang):
        url = page.format(lang=lang)
        html = get(client, url)
        assert f'<link rel="canonical" href="http://testserver{url}">' in html
        for code in ("ja", "en"):
            assert f'hreflang="{code}" href="http://testserver{page.format(lang=code)}"' in html
        assert f'hreflang="x-default" href="http://testserver{page.format(lang="ja")}"' in html
        og = dict(metas(html, "property"))
        assert og["og:locale"] == {"ja": "ja_JP", "en": "en_US"}[lang]
        assert og["og:locale:alternate"] == {"ja": "en_US", "en": "ja_JP"}[lang]
        description = dict(metas(html))["description"]
        assert 20 <= len(description) <= 160
        japanese = re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", description)
        assert bool(japanese) == (lang == "ja"), description

    @pytest.mark.parametrize("lang", ["ja", "en"])
    @pytest.mark.parametrize("page", PAGES)
    def test_a_large_card_and_an_x_default_that_answers(self, client, lab_content, page, lang):
        """Shared on a social network, every page shows a picture: its own, or a
        1200×630 card of its title (drawn in the page's script)."""
        html = get(client, page.format(lang=lang))
        assert dict(metas(html))["twitter:card"] == "summary_large_image"
        og = dict(metas(html, "property"))
        card = client.get(og["og:image"].removeprefix("http://testserver"))
        assert card.status_code == 200 and card["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(card.content)).size == (1200, 630)
        assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
        x_default = re.search(r'hreflang="x-default" href="http://testserver([^"]+)"', html)
        assert client.get(x_default.group(1)).status_code == 200

    @pytest.mark.parametrize("lang", ["ja", "en"])
    @pytest.mark.parametrize("page", [*PAGES, "/{lang}/publications/?all=1"])
    def test_titles_name_the_lab_once_and_pages_are_indexed(self, client, lab_content, page, lang):
        html = get(client, page.format(lang=lang))
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        lab = {"ja": "溝口研究室", "en": "Mizoguchi Laboratory"}[lang]
        assert title.count(lab) == 1, title
        if page == "/{lang}/":
            assert title == lab
        assert 'name="robots"' not in html

    @pytest.mark.parametrize(
        "query",
        ["q=ELNES", "keyword=elnes", "year_from=2017&lab=1", "type=review", "keyword=no-such"],
    )
    def test_searches_and_filtered_lists_are_not_indexed(self, client, lab_content, query):
        url = f"/en/publications/?{query}"
        html = get(client, url)
        assert '<meta name="robots" content="noindex">' in html
        assert f'<link rel="canonical" href="http://testserver{url.replace("&", "&amp;")}">' in html

    def test_descriptions_come_from_the_object(self, client, lab_content):
        theme = ResearchTheme.objects.get(slug="core-loss-spectroscopy")
        html = get(client, "/en/research/core-loss-spectroscopy/")
        assert dict(metas(html))["description"][:40] == theme.lead_en[:40]

    @pytest.mark.parametrize("lang", ["ja", "en"])
    def test_a_markdown_description_is_escaped_once(self, client, lang):
        body = "**Li & Na** <in> “ion” conductors: 2 < 3"
        theme = factories.theme(body_ja=body, body_en=body)
        html = get(client, f"/{lang}/research/{theme.slug}/")
        description = dict(metas(html))["description"]
        assert description == "Li &amp; Na &lt;in&gt; “ion” conductors: 2 &lt; 3"
        (data,) = json_ld_blocks(html)
        assert data["description"] == "Li & Na <in> “ion” conductors: 2 < 3"

    def test_theme_image_is_the_open_graph_image(self, client):
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 900), "teal").save(buffer, "PNG")
        theme = factories.theme(image_alt_en="x")
        theme.image.save("t.png", SimpleUploadedFile("t.png", buffer.getvalue()))
        og = dict(metas(get(client, f"/en/research/{theme.slug}/"), "property"))
        assert re.match(r"http://testserver/media/renditions/\w+-1280\.webp$", og["og:image"])

    def test_theme_page_describes_the_project_and_the_lab(self, client, lab_content):
        (data,) = json_ld_blocks(get(client, "/en/research/core-loss-spectroscopy/"))
        assert data["@type"] == "ResearchProject"
        assert data["parentOrganization"] == {
            "@type": "Organization",
            "name": "Mizoguchi Laboratory",
            "url": "http://testserver/en/",
            "description": (
                "Uncovering the structure–function relationships of materials"
                " to realize materials design"
            ),
        }


class TestSitemapAndRobots:
    def test_sitemap_lists_every_public_page_in_both_languages_with_alternates(
        self, client, lab_content
    ):
        factories.paper("Hidden", is_published=False)
        xml = get(client, "/sitemap.xml")
        root = ET.fromstring(xml)
        ns = {
            "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
            "x": "http://www.w3.org/1999/xhtml",
        }
        locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
        keywords = Keyword.objects.filter(publications__is_published=True).distinct().count()
        # home+themes index, themes, lists, papers, keywords, the members page, one member,
        # the Access page
        expected = 2 * (2 + 6 + 2 + 32 + keywords + 1 + 1 + 1)
        assert len(locs) == expected == len(set(locs))
        assert "http://testserver/en/research/core-loss-spectroscopy/" in locs
        assert "http://testserver/ja/members/teruyasu-mizoguchi/" in locs
        assert not any("hidden" in loc for loc in locs)
        for url in root.findall("s:url", ns):
            assert url.findtext("s:lastmod", namespaces=ns)
            links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
            assert links.keys() == {"ja", "en", "x-default"}
            # The same x-default as the page's own hreflang link: the Japanese page.
            assert links["x-default"] == links["ja"]
        page = get(client, "/en/research/core-loss-spectroscopy/")
        x_default = "http://testserver/ja/research/core-loss-spectroscopy/"
        assert f'hreflang="x-default" href="{x_default}"' in page
        assert client.get(x_default).status_code == 200

    def test_robots_points_to_the_sitemap(self, client):
        robots = get(client, "/robots.txt")
        assert "Sitemap: http://testserver/sitemap.xml" in robots
        assert "Disallow: /admin/" in robots


class TestFeeds:
    @pytest.mark.parametrize("lang", ["ja", "en"])
    @pytest.mark.parametrize(
        ("feed", "page", "count"),
        [
            ("/{lang}/publications/feed/", "/{lang}/publications/", 32),
            (
                "/{lang}/research/core-loss-spectroscopy/feed/",
                "/{lang}/research/core-loss-spectroscopy/",
                None,
            ),
            ("/{lang}/keywords/elnes/feed/", "/{lang}/keywords/elnes/", None),
        ],
    )
    def test_atom_feeds_are_linked_from_their_pages(
        self, client, lab_content, lang, feed, page, count
    ):
        feed_url, page_url = feed.format(lang=lang), page.format(lang=lang)
        response = client.get(feed_url)
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        entries = root.findall(f"{ATOM}entry")
        assert entries if count is None else len(entries) == count
        assert all(
            e.find(f"{ATOM}link").get("href").startswith(f"http://testserver/{lang}/publications/")
            for e in entries
        )
        assert 'type="application/atom+xml" title="' in get(client, page_url)
        assert f'href="{feed_url}"' in get(client, page_url)

    def test_feed_of_an_unpublished_theme_is_404(self, client, lab_content):
        ResearchTheme.objects.filter(slug="core-loss-spectroscopy").update(is_published=False)
        assert client.get("/en/research/core-loss-spectroscopy/feed/").status_code == 404

    def test_feed_entries_are_newest_first(self, client, lab_content):
        root = ET.fromstring(client.get("/en/publications/feed/").content)
        years = [e.findtext(f"{ATOM}published")[:4] for e in root.findall(f"{ATOM}entry")]
        assert years == sorted(years, reverse=True)
        newest = Publication.objects.published().newest_first().first()
        assert root.find(f"{ATOM}entry").findtext(f"{ATOM}title") == newest.title_en

    def test_feed_entries_name_every_author_in_order(self, client):
        people = [factories.person(family_en=f"Author{i}", given_en="A.") for i in range(12)]
        factories.paper("Many hands", authors=people)
        root = ET.fromstring(client.get("/en/publications/feed/").content)
        entry = root.find(f"{ATOM}entry")
        names = [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
        assert names == [str(p) for p in people]

    def test_feed_dates_are_the_paper_s_not_the_import_s(self, client):
        imported = factories.paper("Imported", year=2019, month=3, day=5)
        corrected = factories.paper("Corrected later", year=2018)
        edited_at = corrected.created_at + datetime.timedelta(days=30)
        Publication.objects.filter(pk=corrected.pk).update(updated_at=edited_at)
        root = ET.fromstring(client.get("/en/publications/feed/").content)
        entries = {e.findtext(f"{ATOM}title"): e for e in root.findall(f"{ATOM}entry")}
        first = entries["Imported"]
        assert first.findtext(f"{ATOM}published").startswith("2019-03-05")
        assert first.findtext(f"{ATOM}updated").startswith("2019-03-05")
        second = entries["Corrected later"]
        assert second.findtext(f"{ATOM}published").startswith("2018-01-01")
        updated = datetime.datetime.fromisoformat(second.findtext(f"{ATOM}updated"))
        assert updated == edited_at
        assert imported.updated_at.date() != datetime.date(2019, 3, 5)  # the import's date
