"""The project package as an app, for glue that belongs to neither content app."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig
from django_tasks_db.apps import TasksAppConfig

from publications import freshness


def prepare_cache(sender, using, verbosity=1, **kwargs):
    """`migrate` also creates the DatabaseCache table, so no command after it can fail
    on it, and retires everything cached: a data migration writes through historical
    models, which send no signals, and a deploy (which migrates) may change what a
    page shows.

    (`createcachetable` does nothing for other backends, or when the table exists.)
    """
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
    freshness.bump()


class LabAdminConfig(admin_apps.AdminConfig):
    """Django's admin with labsite's site: two-factor login for enrolled staff."""

    default = False  # named in INSTALLED_APPS; LabsiteConfig is the app "labsite"

    default_site = "labsite.admin.LabAdminSite"


# Third-party apps under names an editor reads in the admin's index and sidebar, in
# both languages: their own are English only, or made from the label ("Otp_Totp",
# "Tasks Database Backend" on a Japanese page).


class AxesConfig(AxesAppConfig):
    default = False
    verbose_name = _("Login records")


class TOTPConfig(TOTPAppConfig):
    default = False
    verbose_name = _("Two-factor login")


class TasksDatabaseConfig(TasksAppConfig):
    default = False
    verbose_name = _("Background tasks")


class LabsiteConfig(AppConfig):
    default = True
    name = "labsite"
    verbose_name = "labsite"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)

        # The project package has no models, so Django sends it no post_migrate of its
        # own: hang the cache on the app whose saves bump the content version.
        post_migrate.connect(
            prepare_cache,
            sender=apps.get_app_config("publications"),
            dispatch_uid="labsite.prepare_cache",
        )
