"""What the layout shows a visitor, measured in Chromium: the year chart's text on a
phone, the unfolded author list, and a page's height (issue 22)."""

import itertools

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# The lab's paper with twelve authors: ten shown, two folded.
PAPER = (
    "/{lang}/publications/"
    "charge-disproportionation-at-twisted-srtio3-bilayer-interface-driven-2025/"
)

CHART_TEXT = """svg => [...svg.querySelectorAll('text')]
    .filter(t => t.checkVisibility())
    .map(t => {
        const box = t.getBoundingClientRect();
        const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
        return {text: t.textContent, cls: t.getAttribute('class'), size,
                left: box.left, right: box.right};
    })"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_year_chart_is_readable_on_a_phone(page, site, lang):
    """Labels at 11 units of a 640-wide viewBox were about 6 px at 390 px, with no counts."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/{lang}/research/core-loss-spectroscopy/")
    texts = page.locator(".year-chart svg").evaluate(CHART_TEXT)
    years = [t for t in texts if t["cls"] == "tick"]
    counts = [t for t in texts if t["cls"] == "value"]
    assert len(years) >= 2 and counts, texts
    assert min(t["size"] for t in texts) >= 12, texts
    boxes = sorted((t["left"], t["right"]) for t in years)
    assert all(right <= left for (_, right), (left, _) in itertools.pairwise(boxes))
    # Every bar's count is shown: they add up to the chart's total.
    table = page.locator(".year-table tbody td:nth-child(2)").all_text_contents()
    assert sum(int(t["text"]) for t in counts) == sum(int(n) for n in table)


@pytest.mark.parametrize(("lang", "folded"), [("en", "et al. (show 2"), ("ja", "他 (ほか 2")])
def test_unfolded_authors_continue_the_line(page, site, lang, folded):
    page.goto(site + PAPER.format(lang=lang))
    authors = page.locator(".authors").first
    hidden = authors.get_by_role("link", name="Chang-Beom Eom")
    expect(hidden).to_be_hidden()
    name = {"en": "Teruyasu Mizoguchi", "ja": "溝口 照康"}[lang]
    summary = authors.locator("summary")
    # The words a visitor sees (those for screen readers taken out), as one line.
    text = authors.evaluate(
        """a => { const c = a.cloneNode(true);
        c.querySelectorAll('.visually-hidden').forEach(e => e.remove());
        return c.textContent.replace(/\\s+/g, ' '); }"""
    )
    assert f"{name} {folded}" in text, text
    summary.click()
    expect(hidden).to_be_visible()
    # Right after the summary, on its line: not at the start of a new line.
    end = summary.evaluate(
        "s => { const r = s.getClientRects(); return r[r.length - 1].toJSON(); }"
    )
    first = hidden.evaluate("a => a.getClientRects()[0].toJSON()")
    assert first["left"] > end["right"] - 1 and abs(first["top"] - end["top"]) < 4


def test_a_long_list_is_as_tall_at_first_as_when_scrolled(page, site):
    """content-visibility's placeholders made the list twice as tall until scrolled."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site}/en/publications/?all=1")
    before = page.evaluate("document.documentElement.scrollHeight")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    after = page.evaluate("document.documentElement.scrollHeight")
    assert abs(before - after) <= 1, (before, after)


HEADER_BOXES = """() => {
    const box = el => el.getBoundingClientRect();
    const items = [...document.querySelectorAll('.language li')].map(li => box(li));
    return {items: items.map(b => ({top: b.top, bottom: b.bottom})),
            brand: box(document.querySelector('.brand')),
            search: box(document.querySelector('.site-search')),
            width: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("width", [390, 768, 1024, 1150, 1280])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_language_switch_stays_on_one_line(page, site, lang, width):
    """English pages narrower than about 1150 px once put "日本語" on a second line."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site}/{lang}/publications/")
    boxes = page.evaluate(HEADER_BOXES)
    tops = {round(item["top"]) for item in boxes["items"]}
    assert len(tops) == 1, boxes
    assert boxes["width"] <= width  # nothing in the header overflows sideways
    if width >= 1024:  # a desktop: the name, the search box and the switch on one row
        for item in boxes["items"]:
            assert boxes["brand"]["top"] <= item["top"] < boxes["brand"]["bottom"], boxes
        assert boxes["search"]["top"] < boxes["brand"]["bottom"], boxes


@pytest.mark.parametrize("width", [390, 1280])
def test_theme_cards_are_equally_tall(page, site, width):
    """The six theme cards once took the heights of their leads (issue 22)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/ja/")
    heights = page.locator(".cards > .card").evaluate_all(
        "cards => cards.map(c => Math.round(c.getBoundingClientRect().height))"
    )
    assert len(heights) == 6 and len(set(heights)) == 1, heights
