"""The header's search box in a real Chromium: suggestions as the visitor types, under
the site's CSP (no inline script or style), with the keyboard and the mouse; and a
plain search without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def problems(page):
    """CSP violations and script errors the page reports while the test runs."""
    found = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


@pytest.mark.parametrize(
    ("lang", "box", "typed", "option", "detail"),
    [
        ("en", "Search publications", "機械", "Machine learning", "機械学習"),
        ("ja", "論文を検索", "machine", "機械学習", "Machine learning"),
    ],
)
def test_typing_suggests_terms_in_both_languages_and_a_click_searches(
    page, site, problems, lang, box, typed, option, detail
):
    page.goto(f"{site}/{lang}/research/")
    combobox = page.get_by_role("combobox", name=box)
    combobox.press_sequentially(typed, delay=30)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    suggestion = listbox.get_by_role("option").filter(has_text=option).first
    expect(suggestion).to_contain_text(detail)  # the term in the other language too
    suggestion.click()
    expect(page).to_have_url(re.compile(rf"/{lang}/publications/\?q="))
    expect(page.locator(".result-count")).to_contain_text(option)
    assert page.locator(".publication-title").count() >= 1
    assert problems == []


def test_the_keyboard_chooses_a_suggestion_and_escape_closes_them(page, site, problems):
    page.goto(f"{site}/en/keywords/")
    combobox = page.get_by_role("combobox", name="Search publications")
    combobox.press_sequentially("elne", delay=30)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text("ELNES")
    combobox.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    combobox.press("ArrowDown")
    expect(listbox).to_be_visible()
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    combobox.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/publications/\?q=ELNES$"))
    assert page.locator(".publication-title").count() >= 5
    assert problems == []


def test_without_javascript_the_box_is_a_plain_search(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/ja/")
    box = page.get_by_role("banner").get_by_role("searchbox", name="論文を検索")
    box.fill("ELNES")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/ja/publications/\?q=ELNES$"))
    assert page.locator(".publication-title").count() >= 5
    context.close()
