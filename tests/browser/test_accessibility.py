"""axe-core finds no WCAG 2.1 AA violation on any public page type, in either language."""

import pytest

from tests.quality import AXE_JS, PUBLIC_PAGES

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not AXE_JS.exists(), reason="axe-core missing: accessibility checks skipped (npm ci)"
    ),
]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page):
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_public_pages_have_no_violations(page, site, lang):
    problems = {}
    for path in PUBLIC_PAGES:
        url = site + path.format(lang=lang)
        page.goto(url)
        # Open every collapsed part, so that what it hides is checked too.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        violations = axe_violations(page)
        if violations:
            problems[url] = violations
    assert not problems, "\n".join(f"{url}: {v}" for url, vs in problems.items() for v in vs)
