"""Admin for staff: news items with ja/en tabs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(TabbedTranslationAdmin):
    list_display = ["title", "date", "is_published"]
    list_editable = ["is_published"]
    list_filter = ["is_published"]
    date_hierarchy = "date"
    search_fields = ["title_ja", "title_en", "body_ja", "body_en", "slug"]
    prepopulated_fields = {"slug": ("title_en",)}
    autocomplete_fields = ["publications", "members"]
    readonly_fields = ["created_at", "updated_at"]

    class Media:
        js = ["js/select2-labels.js"]  # names the paper and member pickers' search boxes

    fieldsets = [
        (None, {"fields": ["title", "slug", "date", "body"]}),
        (_("Links"), {"fields": ["publications", "members"]}),
        (_("Publishing"), {"fields": ["is_published", "created_at", "updated_at"]}),
    ]
