"""Every UI string has a Japanese translation, and the Japanese pages use it."""

import ast
import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models

from news.models import NewsItem
from publications import search
from publications.models import Keyword, Person, Publication
from publications.views import EXPORT_FORMATS
from research.models import LabProfile, Member, ResearchTheme
from tests import factories

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: list = field(default_factory=list)
    fuzzy: bool = False

    @property
    def english(self):
        return [text for text in (self.msgid, self.msgid_plural) if text]


def po_entries():
    """The catalogue's entries (not its header), strings unquoted and joined."""
    entries, entry, key = [], Entry(), None
    for line in [*PO_FILE.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.msgid:
                entries.append(entry)
            entry, key = Entry(), None
        elif line.startswith("#,"):
            entry.fuzzy = "fuzzy" in line
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key == "msgstr":
                entry.msgstr[-1] += value
            elif key:
                setattr(entry, key, getattr(entry, key) + value)
        elif not line.startswith("#"):
            keyword, _, quoted = line.partition(" ")
            key = keyword if keyword in ("msgid", "msgid_plural", "msgctxt") else "msgstr"
            if key == "msgstr":
                entry.msgstr.append(ast.literal_eval(quoted))
            elif key != "msgctxt":
                setattr(entry, key, ast.literal_eval(quoted))
    return entries


def test_catalogue_is_complete():
    untranslated = [e.msgid for e in po_entries() if not all(e.msgstr) or not e.msgstr]
    assert untranslated == []


def test_catalogue_has_no_fuzzy_guesses():
    """gettext ignores fuzzy entries: the page would show English."""
    assert [e.msgid for e in po_entries() if e.fuzzy] == []


@pytest.mark.django_db
def test_japanese_pages_show_japanese_ui(client):
    html = client.get("/ja/").content.decode()
    assert "研究テーマ" in html and "本文へ移動" in html
    html = client.get("/en/").content.decode()
    assert "Research themes" in html and "Skip to content" in html


# --- Every public page type under /ja/, read as a visitor reads it ---------------------

# Attributes whose values a visitor reads or hears.
SHOWN_ATTRIBUTES = {"alt", "aria-label", "placeholder", "data-copy-label", "data-copied-label"}
SHOWN_METAS = {"description", "og:title", "og:description", "og:site_name"}
# Not prose: scripts, and the citation formats (BibTeX, RIS…) of a paper's cite block.
NOT_PROSE = {"script", "style", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# Names that Japanese pages write in Latin letters too: the formats a list downloads
# as, and the prefixes of a paper's identifiers ("DOI: …", "doi:…", "arXiv:…").
SAME_IN_JAPANESE = {
    *(word for _, label in EXPORT_FORMATS for word in re.findall(r"[A-Za-z]+", label)),
    "DOI",
    "doi",
    "arXiv",
}


class PageText(HTMLParser):
    """The passages a visitor reads on a page, each with the language it is marked in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open = [("", "")]  # (element, language) from the root down
        self.passages = []
        self.hidden = 0  # inside an element that is not prose

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        language = attrs.get("lang") or self.open[-1][1]
        shown = [attrs[name] for name in SHOWN_ATTRIBUTES & attrs.keys()]
        if tag == "meta" and SHOWN_METAS & {attrs.get("name"), attrs.get("property")}:
            shown.append(attrs.get("content", ""))
        if tag == "link" and "title" in attrs:
            shown.append(attrs["title"])
        self.passages += [(language, text) for text in shown]
        if tag not in VOID:
            self.open.append((tag, language))
            self.hidden += tag in NOT_PROSE

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth][0] == tag:
                self.hidden -= sum(element in NOT_PROSE for element, _ in self.open[depth:])
                del self.open[depth:]
                return

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.passages.append((self.open[-1][1], data))


def content_texts(typed=()):
    """Every text of the content (and what the visitor typed): papers, people, keywords,
    themes and the lab's profile, whole and line by line, longest first."""
    texts = set(typed)
    for model in (Publication, Person, Keyword, ResearchTheme, LabProfile, Member, NewsItem):
        for obj in model.objects.all():
            for model_field in model._meta.concrete_fields:
                if isinstance(model_field, models.CharField | models.TextField):
                    value = getattr(obj, model_field.attname) or ""
                    texts.update([value, *value.splitlines()])
            if isinstance(obj, Person | Member):
                texts.update([obj.full_name("ja"), obj.full_name("en")])
            if isinstance(obj, Publication):
                texts.add(obj.pages_or_number)
    return sorted((t.strip() for t in texts if len(t.strip()) > 1), key=len, reverse=True)


def japanese_ui_text(html, content, page_language="ja"):
    """The page's passages in its language (none marked as another), content removed."""
    reader = PageText()
    reader.feed(html)
    passages = []
    for language, text in reader.passages:
        if language == page_language:
            text = " ".join(text.split())
            for value in content:
                if value in text:
                    # Content as whole words: the element symbol Te is not in "BibTeX".
                    whole = r"(?<![A-Za-z])" + re.escape(value) + r"(?![A-Za-z])"
                    text = re.sub(whole, " ", text)
            passages.append(text)
    return passages


def msgid_pattern(msgid):
    """A regular expression for a msgid as a page shows it: its placeholders filled in."""
    parts = re.split(r"%\(\w+\)[sd]|%[sd]", " ".join(msgid.split()))
    return re.compile(r"(?<![A-Za-z])" + ".+?".join(map(re.escape, parts)) + r"(?![A-Za-z])")


TYPED = ["ELNES", "欠陥", "nothing-matches-this", "nope", "nobody", "99999"]


def every_page_type(client, lang, paper, monkeypatch):
    """{url: response} for every public page type in one language, with the states a
    visitor can put the list in (searches, ignored filters, a capped count)."""
    # A member with everything a member page shows, an alumnus (the members page's groups).
    Member.objects.create(
        family_name_ja="山田", given_name_ja="花子", family_name_en="Yamada",
        given_name_en="Hanako", slug="a-student", role=Member.Role.DOCTORAL,
        reading="やまだ はなこ",
        research_interests_ja="第一原理計算", research_interests_en="First-principles calculations",
        joined_on=datetime.date(2019, 4, 1),
        left_on=datetime.date(2024, 3, 31), email="hanako@lab.example.ac.jp",
        researchmap="read0123456", orcid="0000-0002-1825-0097", google_scholar="AbCdEfGhIjKl",
    )  # fmt: skip
    # A news item linking a paper and a member, and one in Japanese only.
    item = NewsItem.objects.create(
        title_ja="受賞のお知らせ", title_en="An award", slug="an-award",
        body_ja="山田さんが**受賞**しました。", body_en="Hanako Yamada won an **award**.",
        date=datetime.date(2026, 4, 1),
    )  # fmt: skip
    item.publications.set([paper])
    item.members.set(Member.objects.filter(slug="a-student"))
    NewsItem.objects.create(title_ja="日本語のみ", slug="ja-only", date=datetime.date(2026, 3, 1))
    pages = [
        f"/{lang}/",
        f"/{lang}/research/",
        f"/{lang}/research/core-loss-spectroscopy/",
        f"/{lang}/publications/",  # two pages: the pagination
        f"/{lang}/publications/?page=2",
        f"/{lang}/publications/?all=1",
        f"/{lang}/publications/?q=ELNES",  # the keyword's papers first
        f"/{lang}/publications/?q=欠陥&year_from=2015",
        f"/{lang}/publications/?q=nothing-matches-this",
        f"/{lang}/publications/?keyword=nope&author=nobody&theme=nope&year=99999",  # ignored
        f"/{lang}/publications/{paper.slug}/",
        f"/{lang}/keywords/",
        f"/{lang}/keywords/elnes/",
        f"/{lang}/members/",
        f"/{lang}/members/teruyasu-mizoguchi/",
        f"/{lang}/members/a-student/",
        f"/{lang}/access/",  # nothing entered yet
        f"/{lang}/news/",
        f"/{lang}/news/an-award/",
        f"/{lang}/news/ja-only/",
        f"/{lang}/no-such-page/",
    ]
    responses = {url: client.get(url) for url in pages}
    with monkeypatch.context() as patch:
        patch.setattr(search, "COUNT_CAP", 3)  # "more than 3 publications"
        capped = f"/{lang}/publications/?q=ELNES"
        responses[f"{capped} (capped)"] = client.get(capped)
    # The lab's address and contact filled in: the header, the footer, the Access page.
    factories.fill_lab_profile()
    for url in (f"/{lang}/", f"/{lang}/access/"):
        responses[f"{url} (profile filled in)"] = client.get(url)
    assert [r.status_code for r in responses.values()] == [200] * (len(pages) - 1) + [404] + [
        200
    ] * 3
    assert 'class="year-chart"' in responses[f"/{lang}/publications/"].content.decode()
    return responses


@pytest.mark.django_db
def test_every_public_page_type_shows_only_japanese_ui_text_on_japanese_pages(
    client, lab_content, monkeypatch
):
    paper = Publication.objects.get(doi="10.1093/jmicro/dfaf038")
    factories.paper("Cut short", authors=[Person.objects.first()], authors_truncated=True)
    responses = every_page_type(client, "ja", paper, monkeypatch)

    catalogue = [
        e for e in po_entries() if e.msgstr != [e.msgid] and re.search("[A-Za-z]", e.msgid)
    ]
    patterns = {text: msgid_pattern(text) for entry in catalogue for text in entry.english}
    content = content_texts(TYPED)
    content_words = {word for text in content for word in re.findall("[A-Za-z]+", text)}
    japanese_words = {
        word
        for entry in po_entries()
        for text in entry.msgstr
        for word in re.findall("[A-Za-z]+", re.sub(r"%\(\w+\)[sd]", "", text))
    }
    allowed_words = SAME_IN_JAPANESE | content_words | japanese_words
    untranslated, english = set(), set()
    for url, response in responses.items():
        for passage in japanese_ui_text(response.content.decode(), content):
            untranslated |= {(url, m) for m, pattern in patterns.items() if pattern.search(passage)}
            if set(re.findall("[A-Za-z]{2,}", passage)) - allowed_words:
                english.add((url, passage))
    assert sorted(untranslated) == [], "msgids shown untranslated on Japanese pages"
    assert sorted(english) == [], "English UI text on Japanese pages"


JAPANESE_SCRIPT = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]+")


@pytest.mark.django_db
def test_every_public_page_type_shows_only_english_ui_text_on_english_pages(
    client, lab_content, monkeypatch
):
    """The same reading of /en/: no msgstr of the catalogue, no Japanese script outside
    the content and the passages marked as Japanese (the language switch, fallbacks)."""
    paper = Publication.objects.get(doi="10.1093/jmicro/dfaf038")
    factories.paper("Cut short", authors=[Person.objects.first()], authors_truncated=True)
    responses = every_page_type(client, "en", paper, monkeypatch)
    patterns = {
        text: msgid_pattern(text)
        for entry in po_entries()
        for text in entry.msgstr
        if JAPANESE_SCRIPT.search(text)
    }
    content = content_texts(TYPED)
    translated, japanese = set(), set()
    for url, response in responses.items():
        for passage in japanese_ui_text(response.content.decode(), content, "en"):
            translated |= {(url, m) for m, pattern in patterns.items() if pattern.search(passage)}
            if JAPANESE_SCRIPT.search(passage):
                japanese.add((url, passage))
    assert sorted(translated) == [], "Japanese msgstrs on English pages"
    assert sorted(japanese) == [], "Japanese UI text on English pages"


def test_the_check_finds_english_ui_text_and_leaves_content_alone():
    html = (
        '<html lang="ja"><head><title>論文 | 研究室</title></head><body>'
        '<p class="matched">Shares keywords: <a href="#">格子欠陥</a></p>'
        '<p><span lang="en">Only English title</span> <span class="venue">Phys. Rev. B</span></p>'
        '<pre>@article{x, year = {2020}}</pre><input placeholder="Search">'
        "<script>var Year = 1;</script></body></html>"
    )
    passages = japanese_ui_text(html, content=["Phys. Rev. B"])
    assert [p for p in passages if p.strip()] == [
        "論文 | 研究室",
        "Shares keywords:",
        "格子欠陥",
        "Search",
    ]
    assert msgid_pattern("Shares keywords:").search("Shares keywords:")
    assert msgid_pattern("%(counter)s paper").search("3 paper")
    assert not msgid_pattern("%(counter)s paper").search("3 papers")
