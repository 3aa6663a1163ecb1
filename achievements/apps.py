from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AchievementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "achievements"
    verbose_name = _("Other achievements")

    def ready(self):
        from research.editors import grant_editor_permissions

        # Editors edit these too: the group gets this app's permissions after migrate.
        post_migrate.connect(grant_editor_permissions, sender=self)
