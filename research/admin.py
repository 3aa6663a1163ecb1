"""Admin for staff: research themes and the lab profile, with ja/en tabs."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from publications import admin_researchmap
from publications.models import ImportBatch

from .models import LabProfile, Member, RepresentativePublication, ResearchTheme
from .renditions import dimensions, too_many_pixels


class PixelBoundedImageField(forms.ImageField):
    """An image upload refused, with its size, when it has more pixels than
    LABSITE_MAX_IMAGE_PIXELS. The size comes from the file's header, before Pillow
    opens it (Django's ImageField does, and Pillow's bomb guard would refuse the
    largest with only "not a valid image")."""

    def to_python(self, data):
        if data and hasattr(data, "seek"):
            size = dimensions(data)
            if size is not None and too_many_pixels(size):
                raise ValidationError(
                    _(
                        "The image is too large: %(width)s × %(height)s pixels; "
                        "at most %(limit)s pixels (e.g. 6,000 × 4,000)."
                    ),
                    params={
                        "width": f"{size[0]:,}",
                        "height": f"{size[1]:,}",
                        "limit": f"{settings.LABSITE_MAX_IMAGE_PIXELS:,}",
                    },
                    code="image_too_many_pixels",
                )
        return super().to_python(data)


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
    formfield_overrides = {models.ImageField: {"form_class": PixelBoundedImageField}}
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
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "mission", "intro"]}),
        (
            _("Where the lab is"),
            {
                "fields": ["university", "department", "postal_code", "address", "map_url"],
                "description": _(
                    "Shown in the header, the footer and the Access page; leave blank what "
                    "should not be shown."
                ),
            },
        ),
        (_("Access and contact"), {"fields": ["directions", "email", "phone"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not LabProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MemberStatusFilter(admin.SimpleListFilter):
    """Current members or alumni, as of today (as the members page lists them)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("current", _("Current members")), ("alumni", _("Alumni"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.current(today)
        if self.value() == "alumni":
            return queryset.alumni(today)
        return queryset


@admin.register(Member)
class MemberAdmin(TabbedTranslationAdmin):
    # Ordered by hand: the position column is editable in the list, as in the members
    # page's groups (role first, then position).
    list_display = ["__str__", "role", "position", "joined_on", "left_on", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = [MemberStatusFilter, "role", "is_published"]
    ordering = ["position", "pk"]
    search_fields = [
        "family_name_ja", "given_name_ja", "family_name_en", "given_name_en", "reading", "slug",
    ]  # fmt: skip
    autocomplete_fields = ["person"]
    prepopulated_fields = {"slug": ("given_name_en", "family_name_en")}
    readonly_fields = ["photo_preview", "updated_at"]
    formfield_overrides = {models.ImageField: {"form_class": PixelBoundedImageField}}
    actions = ["import_from_researchmap", "import_from_orcid"]
    fieldsets = [
        (None, {"fields": ["family_name", "given_name", "reading", "slug", "role"]}),
        (_("In the lab"), {"fields": ["joined_on", "left_on", "research_interests"]}),
        (
            _("Publications"),
            {
                "fields": ["person"],
                "description": _(
                    "The author this member is: their page lists the author's published"
                    " papers, the themes that list them and their keywords."
                ),
            },
        ),
        (_("Photo"), {"fields": ["photo", "photo_preview"]}),
        (_("Links"), {"fields": ["email", "researchmap", "orcid", "google_scholar"]}),
        (_("Publishing"), {"fields": ["position", "is_published", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=_("preview"))
    @admin.action(description=_("Import papers and achievements from researchmap"))
    def import_from_researchmap(self, request, queryset):
        return admin_researchmap.import_for_members(
            self, request, queryset, ImportBatch.Origin.RESEARCHMAP
        )

    @admin.action(description=_("Import works from ORCID"))
    def import_from_orcid(self, request, queryset):
        return admin_researchmap.import_for_members(
            self, request, queryset, ImportBatch.Origin.ORCID
        )

    def photo_preview(self, obj):
        if not obj.photo:
            return _("No photo: the initials are shown instead.")
        return format_html('<img src="{}" alt="" class="theme-preview">', obj.photo.url)
