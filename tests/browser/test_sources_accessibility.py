"""axe-core finds no WCAG 2.1 AA violation where ORCID iDs are shown, nor on the admin
screens of the researchmap / ORCID import (with an error shown) and the researchmap
export, in either language."""

import pytest

from tests.browser.test_accessibility import axe_violations
from tests.quality import AXE_JS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not AXE_JS.exists(), reason="axe-core missing: accessibility checks skipped (npm ci)"
    ),
]
ORCID_ID = "0000-0002-1825-0097"  # ORCID's own documented example iD


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as an inline script, which the site's CSP rightly forbids."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pages_with_orcid_ids_have_no_violations(page, site, lang):
    from publications.models import Person, Publication

    # The professor given ORCID's example iD in this test only (the seed states none).
    person = Person.objects.get(member__slug="teruyasu-mizoguchi")
    Person.objects.filter(pk=person.pk).update(orcid=ORCID_ID)
    paper = Publication.objects.filter(authorships__person=person).first()
    problems = {}
    for path in (f"/{lang}/members/teruyasu-mizoguchi/", f"/{lang}/publications/{paper.slug}/"):
        page.goto(site + path)
        assert page.locator("a.orcid-id").count() >= 1
        if violations := axe_violations(page):
            problems[path] = violations
    assert not problems, problems


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_admin_source_screens_have_no_violations(browser, site, lang):
    from django.contrib.auth.models import User

    User.objects.create_superuser("axe", password="axe-password")
    context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "axe")
    page.fill("#id_password", "axe-password")
    page.click("input[type=submit]")
    problems = {}
    page.goto(f"{site}/admin/publications/publication/import-source/")
    problems["import form"] = axe_violations(page)
    # Not an identifier: the form comes back with the error (nothing is fetched).
    page.fill("#id_identifier", "not a permalink!")
    page.click("input[type=submit].default")
    assert page.locator(".errorlist").count() == 1
    problems["import form with an error"] = axe_violations(page)
    page.goto(f"{site}/admin/publications/publication/export-researchmap/")
    problems["export form"] = axe_violations(page)
    page.goto(
        f"{site}/admin/publications/publication/export-researchmap/"
        "?download=1&year_from=2024&year_to=2020"
    )
    problems["export form with an error"] = axe_violations(page)
    context.close()
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems
