from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("News")

    def ready(self):
        from research.editors import grant_editor_permissions

        # After this app's permissions exist (research's signal comes before them).
        post_migrate.connect(grant_editor_permissions, sender=self)
