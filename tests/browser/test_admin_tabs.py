"""Staff see Japanese and English fields as tabs in the admin, with no internet access."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from research.models import ResearchTheme

pytestmark = pytest.mark.django_db(transaction=True)


def test_theme_change_form_has_working_ja_en_tabs(page, site):
    User.objects.create_superuser("pi", password="a-long-password-for-tests")
    page.route(
        "**/*",
        lambda route: (
            route.abort() if not route.request.url.startswith(site) else route.continue_()
        ),
    )
    theme = ResearchTheme.objects.order_by("order").first()
    change_url = reverse("admin:research_researchtheme_change", args=[theme.pk])
    page.goto(f"{site}/admin/login/?next={change_url}")
    page.fill("#id_username", "pi")
    page.fill("#id_password", "a-long-password-for-tests")
    page.click("input[type=submit]")
    tabs = page.locator(".ui-tabs-nav").first
    expect(tabs).to_be_visible()
    japanese, english = page.locator("#id_title_ja"), page.locator("#id_title_en")
    # The browser asks for English, so the admin opens on the English tab.
    expect(english).to_be_visible()
    expect(japanese).to_be_hidden()
    tabs.get_by_role("link", name="ja", exact=True).click()
    expect(japanese).to_be_visible()
    expect(english).to_be_hidden()
    expect(japanese).to_have_value("マテリアルズインフォマティクスを活用した物質設計と新手法の開発")
