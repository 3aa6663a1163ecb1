"""Admin for presentations, awards and patents: ja/en tabs, people in order."""

from django.contrib import admin
from django.db import models
from modeltranslation.admin import TabbedTranslationAdmin

from . import admin_import, admin_researchmap  # noqa: F401 (registers the researchmap imports)
from .models import (
    Award,
    AwardRecipient,
    Patent,
    PatentInventor,
    Presentation,
    PresentationAuthor,
)


class ContributorInline(admin.TabularInline):
    extra = 1
    fields = ["position", "person", "as_printed"]
    autocomplete_fields = ["person"]
    ordering = ["position"]


class PresentationAuthorInline(ContributorInline):
    model = PresentationAuthor
    fields = ["position", "person", "as_printed", "is_presenter"]


class AwardRecipientInline(ContributorInline):
    model = AwardRecipient


class PatentInventorInline(ContributorInline):
    model = PatentInventor


class AchievementAdmin(TabbedTranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50


class ImportableAdmin(AchievementAdmin):
    # Adds the "Import BibTeX" button (achievements/admin_import.py): presentations
    # and patents come from one file, so both lists lead to the same page.
    change_list_template = "admin/achievements/change_list.html"


@admin.register(Presentation)
class PresentationAdmin(ImportableAdmin):
    list_display = ["title", "meeting", "date", "format", "is_invited", "is_published"]
    list_filter = ["format", "is_invited", "is_international", "is_published"]
    date_hierarchy = "date"
    search_fields = ["title_ja", "title_en", "meeting_ja", "meeting_en"]
    inlines = [PresentationAuthorInline]

    def get_urls(self):
        return [
            admin_import.url(self.admin_site, "achievements_presentation_import"),
            *super().get_urls(),
        ]

    fieldsets = [
        (None, {"fields": ["title", "meeting", "place", "date"]}),
        (None, {"fields": ["format", "is_invited", "is_international"]}),
        (None, {"fields": ["url", "note", "is_published", "citation_key"]}),
    ]


@admin.register(Award)
class AwardAdmin(AchievementAdmin):
    list_display = ["name", "awarding_body", "date", "is_published"]
    list_filter = ["is_published"]
    date_hierarchy = "date"
    search_fields = ["name_ja", "name_en", "awarding_body_ja", "awarding_body_en"]
    inlines = [AwardRecipientInline]
    fieldsets = [
        (None, {"fields": ["name", "awarding_body", "subject", "date"]}),
        (None, {"fields": ["url", "note", "is_published", "citation_key"]}),
    ]


@admin.register(Patent)
class PatentAdmin(ImportableAdmin):
    list_display = ["title", "application_number", "filed_on", "status", "is_published"]
    list_filter = ["status", "is_published"]
    date_hierarchy = "filed_on"
    search_fields = ["title_ja", "title_en", "application_number", "registration_number"]
    inlines = [PatentInventorInline]
    fieldsets = [
        (None, {"fields": ["title", "applicant", "status"]}),
        (None, {"fields": ["application_number", "filed_on"]}),
        (None, {"fields": ["registration_number", "registered_on"]}),
        (None, {"fields": ["url", "note", "is_published", "citation_key"]}),
    ]
