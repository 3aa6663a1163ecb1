"""Under the Content-Security-Policy nothing is blocked: public pages and the admin work."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from publications.models import Keyword, Publication
from research.models import ResearchTheme

pytestmark = pytest.mark.django_db(transaction=True)

# Records every violation the browser reports, from before the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations (events and console messages) and page errors."""
    problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def violations():
        return problems + page.evaluate("window.__cspViolations || []")

    page.violations = violations
    return page


def test_public_pages_break_no_rule_of_the_policy(watched, site):
    page = watched
    theme = ResearchTheme.objects.order_by("order").first()
    publication = Publication.objects.published().first()
    keyword = Keyword.objects.filter(publications__isnull=False).first()
    for lang in ("ja", "en"):
        for path in [
            "/",
            "/research/",
            theme.get_absolute_url()[3:],
            "/publications/?q=欠陥",
            "/publications/?q=ELNES",
            publication.get_absolute_url()[3:],  # with its JSON-LD data block
            "/keywords/",
            keyword.get_absolute_url()[3:],
            "/no-such-page/",
        ]:
            response = page.goto(f"{site}/{lang}{path}")
            assert "content-security-policy" in response.headers
            assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
            assert page.violations() == [], f"/{lang}{path}"
    # The stylesheet applies (a blocked one would leave the header unstyled).
    page.goto(f"{site}/en/")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") in {
        "block",
        "flex",
        "grid",
    }


def test_the_admin_works_under_the_policy(watched, site):
    page = watched
    User.objects.create_superuser("pi", password="a-long-password-for-tests")
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "pi")
    page.fill("#id_password", "a-long-password-for-tests")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()

    theme = ResearchTheme.objects.order_by("order").first()
    page.goto(f"{site}{reverse('admin:research_researchtheme_change', args=[theme.pk])}")
    tabs = page.locator(".ui-tabs-nav").first
    expect(tabs).to_be_visible()  # modeltranslation's ja/en tabs (vendored jQuery UI)
    tabs.get_by_role("link", name="ja", exact=True).click()
    expect(page.locator("#id_title_ja")).to_be_visible()
    # Add a representative-paper row: the inline's JavaScript and the autocomplete.
    page.locator(".add-row a").first.click()
    expect(page.locator(".select2-container").last).to_be_visible()

    publication = Publication.objects.first()
    for url in [
        reverse("admin:index"),
        reverse("admin:publications_publication_changelist") + "?q=ELNES",
        reverse("admin:publications_publication_change", args=[publication.pk]),
        reverse("admin:publications_keyword_add"),
        reverse("admin:research_labprofile_changelist"),
    ]:
        page.goto(f"{site}{url}")
        expect(page.locator("#content")).to_be_visible()
    assert page.violations() == []
