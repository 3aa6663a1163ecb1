"""Root URLconf: every public page under /ja/ and /en/; admin, set_language,
sitemap.xml and robots.txt outside."""

import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from achievements.sitemaps import AchievementIndexSitemap
from news.sitemaps import NewsIndexSitemap, NewsSitemap
from publications.sitemaps import KeywordSitemap, PublicationIndexSitemap, PublicationSitemap
from research import cards
from research.sitemaps import (
    AccessSitemap,
    MemberIndexSitemap,
    MemberSitemap,
    ResearchIndexSitemap,
    ThemeSitemap,
)

# The admin site is labsite.admin.LabAdminSite (two-factor login; labsite/apps.py).
# A database outage is a 503 in the page's language, any other error the 500 page.
handler500 = "labsite.outage.server_error"

sitemaps = {
    "pages": ResearchIndexSitemap,
    "themes": ThemeSitemap,
    "lists": PublicationIndexSitemap,
    "publications": PublicationSitemap,
    "keywords": KeywordSitemap,
    "member-index": MemberIndexSitemap,
    "members": MemberSitemap,
    "access": AccessSitemap,
    "achievements": AchievementIndexSitemap,
    "news-index": NewsIndexSitemap,
    "news": NewsSitemap,
}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Open Graph cards of page titles (research/cards.py), in either language.
    path("card/<str:token>.png", cards.card, name="card"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("research.urls")),
    path("", include("publications.urls")),
    path("", include("achievements.urls")),
    path("", include("news.urls")),
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.LABSITE_SERVE_MEDIA:
    # Production without a separate web server for uploads (docker-compose): theme
    # images and their renditions, from MEDIA_ROOT. SERVE_MEDIA=0 when a proxy does it.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
