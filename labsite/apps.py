"""The project package as an app, for glue that belongs to neither content app."""

from django.apps import AppConfig


class LabsiteConfig(AppConfig):
    name = "labsite"
    verbose_name = "labsite"

    def ready(self):
        from . import cache

        cache.connect_signals()
