from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "research"
    verbose_name = _("Research")

    def ready(self):
        from publications.filters import register_theme_provider

        from . import cards, signals  # noqa: F401 (the card font's check; the image clean-up)
        from .editors import grant_editor_permissions
        from .providers import ResearchThemeProvider

        post_migrate.connect(grant_editor_permissions, sender=self)
        register_theme_provider(ResearchThemeProvider())
