"""Admin for staff: research themes and the lab profile, with ja/en tabs."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import LabProfile, RepresentativePublication, ResearchTheme


class RepresentativePublicationInline(admin.TabularInline):
    model = RepresentativePublication
    extra = 1
    fields = ["order", "publication"]
    autocomplete_fields = ["publication"]
    ordering = ["order"]
    verbose_name = _("representative publication")
    verbose_name_plural = _("representative publications (shown first, in this order)")


@admin.register(ResearchTheme)
class ResearchThemeAdmin(TabbedTranslationAdmin):
    list_display = ["title", "order", "is_published", "thumbnail"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published", "keywords"]
    search_fields = ["title_ja", "title_en", "lead_ja", "lead_en", "slug"]
    autocomplete_fields = ["keywords", "excluded_publications"]
    prepopulated_fields = {"slug": ("title_en",)}
    readonly_fields = ["image_preview", "updated_at"]
    inlines = [RepresentativePublicationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "lead", "body"]}),
        (_("Image"), {"fields": ["image", "image_preview", "image_alt"]}),
        (_("Publishing"), {"fields": ["order", "is_published", "keywords", "updated_at"]}),
        (
            _("Related papers"),
            {
                "fields": ["excluded_publications"],
                "description": _(
                    "The theme's page lists, after the representative papers, every published"
                    " paper sharing one of its keywords, those sharing more and rarer keywords"
                    " first. Keywords marked as too broad to link themes do not count. Exclude"
                    " here a paper that shares a keyword but does not belong to the theme."
                ),
            },
        ),
    ]

    class Media:
        # Image sizes live in a stylesheet: the Content-Security-Policy allows no inline style.
        css = {"all": ["css/admin.css"]}

    @admin.display(description=_("preview"))
    def image_preview(self, obj):
        if not obj.image:
            return _("No image: a generated visual is shown instead.")
        return format_html(
            '<img src="{}" alt="{}" class="theme-preview">',
            obj.image.url,
            obj.image_alt,
        )

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        if not obj.image:
            return "—"
        return format_html('<img src="{}" alt="" class="theme-thumbnail">', obj.image.url)


@admin.register(LabProfile)
class LabProfileAdmin(TabbedTranslationAdmin):
    list_display = ["__str__", "updated_at"]
    fields = ["name", "mission", "intro"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not LabProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
