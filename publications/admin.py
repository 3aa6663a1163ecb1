"""Admin for staff: keywords, people and publications with ja/en tabs."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import Authorship, Keyword, NameVariant, Person, Publication


@admin.register(Keyword)
class KeywordAdmin(TabbedTranslationAdmin):
    list_display = ["name_ja", "name_en", "slug", "paper_count"]
    search_fields = ["name_ja", "name_en", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(paper_count=Count("publications", distinct=True))
        )

    @admin.display(description=_("papers"), ordering="paper_count")
    def paper_count(self, obj):
        return obj.paper_count


class NameVariantInline(admin.TabularInline):
    model = NameVariant
    extra = 1
    fields = ["name"]


@admin.register(Person)
class PersonAdmin(TabbedTranslationAdmin):
    list_display = ["__str__", "family_name_ja", "given_name_ja", "is_lab_member", "orcid"]
    list_filter = ["is_lab_member"]
    search_fields = [
        "family_name_ja", "given_name_ja", "family_name_en", "given_name_en",
        "variants__name", "orcid",
    ]  # fmt: skip
    prepopulated_fields = {"slug": ("given_name_en", "family_name_en")}
    inlines = [NameVariantInline]


class AuthorshipFormSet(BaseInlineFormSet):
    """Keeps the author list free of repeats; positions are renumbered 1..n on save."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            person = form.cleaned_data.get("person")
            if person is None:
                continue
            if person.pk in seen:
                raise ValidationError(
                    _("%(name)s appears twice in the author list.") % {"name": person}
                )
            seen.add(person.pk)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    formset = AuthorshipFormSet
    extra = 1
    fields = ["position", "person", "as_printed"]
    autocomplete_fields = ["person"]
    ordering = ["position"]


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Publication.objects.order_by("-year").values_list("year", flat=True).distinct()
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(year=int(value))
        return queryset


@admin.register(Publication)
class PublicationAdmin(TabbedTranslationAdmin):
    list_display = ["title", "year", "venue", "type", "status", "is_published"]
    list_filter = [
        YearListFilter,
        "type",
        "status",
        "is_published",
        "keywords",
        "representative_in",
    ]
    search_fields = [
        "title_ja", "title_en", "venue", "doi", "citation_key",
        "authorships__person__family_name_en", "authorships__person__family_name_ja",
    ]  # fmt: skip
    autocomplete_fields = ["keywords"]
    inlines = [AuthorshipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "abstract", "slug", "authors_truncated"]}),
        (
            _("Where"),
            {"fields": ["venue", "volume", "issue", "pages", "article_number", "numpages"]},
        ),
        (_("When"), {"fields": ["year", "month", "day", "status"]}),
        (_("Links"), {"fields": ["doi", "url", "arxiv_id"]}),
        (_("Classification"), {"fields": ["type", "note", "keywords", "is_published"]}),
        (
            _("Source"),
            {
                "classes": ["collapse"],
                "fields": ["citation_key", "bibtex", "created_at", "updated_at"],
            },
        ),
    ]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Authorship:
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            publication = form.instance
            # Move the saved rows out of the way so renumbering cannot collide.
            publication.authorships.update(position=F("position") + 10000)
            changed = {obj.pk for obj in instances if obj.pk}
            kept = [a for a in publication.authorships.all() if a.pk not in changed]
            for a in kept:
                a.position -= 10000
            rows = sorted(kept + list(instances), key=lambda a: (a.position, a.pk or 0))
            for n, authorship in enumerate(rows, start=1):
                authorship.publication = publication
                authorship.position = n
                authorship.save()
            formset.save_m2m()
