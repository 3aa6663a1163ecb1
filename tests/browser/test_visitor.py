"""A visitor browsing and searching the site in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_opens_a_theme_and_follows_a_keyword(page, site):
    page.goto(f"{site}/ja/")
    page.get_by_role("link", name=re.compile("内殻電子励起スペクトル")).first.click()
    expect(page.locator("h1")).to_contain_text("内殻電子励起スペクトル")
    page.locator(".chips").get_by_role("link", name="ELNES", exact=True).click()
    expect(page.locator("h1")).to_have_text("ELNES")
    expect(page.locator(".publication-title").first).to_be_visible()
    assert page.locator(".publication-title").count() >= 5


def test_visitor_switches_language_and_stays_on_the_same_theme(page, site):
    page.goto(f"{site}/ja/research/core-loss-spectroscopy/")
    page.get_by_role("navigation", name="言語").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/research/core-loss-spectroscopy/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("core-loss spectra")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    expect(page).to_have_url(re.compile(r"/ja/research/core-loss-spectroscopy/$"))


def test_visitor_filters_by_keyword_and_year_and_pages_through(page, site):
    page.goto(f"{site}/en/publications/")
    expect(page.locator(".result-count")).to_contain_text("32 publications")
    page.locator(".pagination").get_by_role("link", name="Next").click()
    expect(page.locator(".pagination")).to_contain_text("Page 2 of 2")
    assert page.locator(".publication-title").count() == 12
    page.locator(".filters-box > summary").click()
    page.get_by_label("Keyword", exact=True).select_option("elnes")
    page.get_by_label("From year", exact=True).fill("2017")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"keyword=elnes"))
    expect(page).to_have_url(re.compile(r"year_from=2017"))
    count = int(
        re.search(r"(\d+) publication", page.locator(".result-count").inner_text()).group(1)
    )
    assert 1 <= count < 32
    years = [int(y) for y in page.locator(".year-heading").all_inner_texts()]
    assert years == sorted(years, reverse=True) and min(years) >= 2017
    # The filters stay when the language changes.
    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    expect(page).to_have_url(re.compile(r"/ja/publications/\?.*keyword=elnes"))
    expect(page.locator(".result-count")).to_contain_text(f"{count} 件")


def test_lists_and_pages_work_at_phone_width(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{site}/ja/publications/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()


@pytest.mark.parametrize(
    ("lang", "box", "button", "count"),
    [("ja", "検索", "検索", r"(\d+) 件"), ("en", "Search", "Search", r"(\d+) publications?")],
)
def test_visitor_searches_japanese_and_english_from_the_search_box(
    page, site, lang, box, button, count
):
    page.goto(f"{site}/{lang}/publications/")
    found = {}
    for q in ["欠陥", "ELNES"]:
        page.get_by_role("searchbox").fill(q)
        page.get_by_role("main").get_by_role("search").get_by_role(
            "button", name=button, exact=True
        ).click()
        expect(page).to_have_url(re.compile(r"\?q="))
        expect(page.get_by_role("searchbox")).to_have_value(q)
        found[q] = int(re.search(count, page.locator(".result-count").inner_text()).group(1))
        assert 1 <= found[q] < 32
        titles = page.locator(".publication-title").all_inner_texts()
        assert len(titles) == min(found[q], 20)
    # 欠陥, a two-character part of 格子欠陥, finds at least every paper that 格子欠陥 finds.
    page.get_by_role("searchbox").fill("格子欠陥")
    page.get_by_role("main").get_by_role("search").get_by_role(
        "button", name=button, exact=True
    ).click()
    whole_word = int(re.search(count, page.locator(".result-count").inner_text()).group(1))
    assert 1 <= whole_word <= found["欠陥"]
