"""The news pages in a browser: no axe violation, in either language, at both widths."""

import pytest

from tests import factories
from tests.browser.test_accessibility import axe_violations
from tests.quality import AXE_JS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not AXE_JS.exists(), reason="axe-core missing: accessibility checks skipped (npm ci)"
    ),
]


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as an inline script, which the site's CSP rightly forbids."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_news_pages_have_no_violations(page, site, lang, width):
    factories.lab_news()
    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for path in ("/", "/news/", "/news/paper-in-microscopy/", "/news/open-lab/"):
        url = f"{site}/{lang}{path}"
        page.goto(url)
        assert page.locator("main").is_visible()
        if violations := axe_violations(page):
            problems[url] = violations
    assert not problems, "\n".join(f"{url}: {v}" for url, vs in problems.items() for v in vs)
