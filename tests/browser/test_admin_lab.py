"""The admin's helpers in a browser (issue 22, item 6), under the site's CSP: authors
reordered from the keyboard and by dragging, the import form's keyword autocomplete,
slugs filled in as the title is typed."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from publications.models import Keyword
from tests import factories
from tests.browser.test_csp import RECORD_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-password-for-tests"


@pytest.fixture
def admin_page(page, live_server):
    """A logged-in superuser's page, recording CSP violations and script errors."""
    User.objects.create_superuser("pi", password=PASSWORD)
    problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "pi")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.site = live_server.url
    page.problems = lambda: problems + page.evaluate("window.__cspViolations || []")
    return page


def three_authors():
    people = [factories.person(f"Author{n}") for n in (1, 2, 3)]
    return factories.paper("Ordered", authors=people), people


def order(paper):
    return [a.person.family_name_en for a in paper.authorships.order_by("position")]


def author_rows(page):
    return page.locator("#authorships-group tbody tr.form-row.has_original")


def test_keyboard_moves_an_author_and_the_order_is_saved(admin_page):
    page = admin_page
    paper, _people = three_authors()
    page.goto(page.site + reverse("admin:publications_publication_change", args=[paper.pk]))
    first_down = author_rows(page).nth(0).get_by_role("button", name="Move this author down")
    first_down.focus()
    page.keyboard.press("Enter")  # Author1 below Author2
    # The focus stays on the moved row's button: a second press moves it on.
    expect(
        author_rows(page).nth(1).get_by_role("button", name="Move this author down")
    ).to_be_focused()
    page.keyboard.press("Space")  # Author1 last
    positions = [
        author_rows(page).nth(n).locator("input[name$='-position']").input_value() for n in range(3)
    ]
    assert positions == ["1", "2", "3"]
    expect(page.locator("#author-order-status")).to_have_text("Moved to position 3.")
    page.get_by_role("button", name="Move this author up").first.focus()
    page.keyboard.press("Enter")  # the first row cannot move up: nothing changes
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert order(paper) == ["Author2", "Author3", "Author1"]
    assert page.problems() == []


def test_dragging_an_author_reorders_and_the_order_is_saved(admin_page):
    page = admin_page
    paper, _people = three_authors()
    page.goto(page.site + reverse("admin:publications_publication_change", args=[paper.pk]))
    rows = author_rows(page)
    rows.nth(2).locator(".author-order-handle").drag_to(rows.nth(0).locator(".author-order-handle"))
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert order(paper) == ["Author3", "Author1", "Author2"]
    assert page.problems() == []


def test_import_form_picks_keywords_by_typing(admin_page):
    page = admin_page
    factories.keyword("ELNES", "電子エネルギー損失吸収端微細構造", slug="elnes")
    factories.keyword("Phonons", "フォノン", slug="phonons")
    page.goto(page.site + "/admin/")
    page.get_by_role("link", name="Import BibTeX", exact=True).first.click()
    expect(page).to_have_url(page.site + "/admin/publications/publication/import-bibtex/")
    page.locator(".field-keywords .select2-selection").click()
    page.locator(".select2-search__field").fill("ELN")
    option = page.locator(".select2-results__option", has_text="ELNES")
    expect(option).to_have_count(1)
    option.click()
    elnes = Keyword.objects.get(slug="elnes")
    assert page.locator("#id_keywords").evaluate(
        "select => Array.from(select.selectedOptions, o => o.value)"
    ) == [str(elnes.pk)]
    page.fill("#id_text", "@article{k, author={Sato, Ken}, title={T}, journal={J}, year={2024}}")
    page.locator("input[type=submit].default").click()
    page.wait_for_url("**/preview/")
    assert page.problems() == []


def test_slug_is_filled_in_as_the_english_title_is_typed(admin_page):
    page = admin_page
    page.goto(page.site + reverse("admin:news_newsitem_add"))
    page.get_by_role("link", name="en", exact=True).first.click()
    page.locator("#id_title_en").press_sequentially("Prize for Dr. Sato")
    expect(page.locator("#id_slug")).to_have_value("prize-for-dr-sato")
    page.goto(page.site + reverse("admin:publications_publication_add"))
    page.get_by_role("link", name="en", exact=True).first.click()
    page.locator("#id_title_en").press_sequentially("Core loss spectra")
    page.locator("#id_year").fill("2025")
    page.locator("#id_year").dispatch_event("change")
    expect(page.locator("#id_slug")).to_have_value("core-loss-spectra-2025")
    assert page.problems() == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_author_order_controls_and_news_form_have_no_axe_violations(browser, live_server, lang):
    User.objects.create_superuser("axe", password=PASSWORD)
    paper, _people = three_authors()
    # axe-core is injected as an inline script, which the site's CSP rightly forbids.
    context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "axe")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    problems = {}
    for url in [
        reverse("admin:publications_publication_change", args=[paper.pk]),
        reverse("admin:news_newsitem_add"),
        reverse("admin:index"),
    ]:
        page.goto(live_server.url + url)
        expect(page.locator("#content")).to_be_visible()
        # Only what this work added: the order controls, the news form, the index's entry.
        # (Not modeltranslation's ja/en tabs: jQuery UI nests links in tabs, on every form.)
        for selector in [
            "#authorships-group .author-order",
            "#newsitem_form .field-publications, #newsitem_form .field-members",
            "#newsitem_form .field-slug, #newsitem_form .field-date",
            ".model-importbibtex",
        ]:
            if page.locator(selector).count():
                found = axe_violations_in(page, selector)
                if found:
                    problems[f"{url} {selector}"] = found
    context.close()
    assert not problems, "\n".join(f"{k}: {v}" for k, vs in problems.items() for v in vs)


def axe_violations_in(page, selector):
    from tests.browser.test_accessibility import AXE_OPTIONS
    from tests.quality import AXE_JS

    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "([selector, options]) => axe.run(selector, options)", [selector, AXE_OPTIONS]
    )
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
