"""Admin for staff: keywords, people and publications with ja/en tabs."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from . import (
    admin_bulk,
    admin_health,
    admin_import,
    admin_lists,
    admin_researchmap,
    admin_sources,
    data_health,
)
from .formfields import IdsAutocomplete, IdsChoiceField
from .models import (
    Authorship,
    EditBatch,
    EditItem,
    ImportBatch,
    ImportItem,
    Keyword,
    NameVariant,
    Person,
    Publication,
    alias_lines,
)
from .search import spelling_key


class KeywordForm(forms.ModelForm):
    """Aliases tidied to one per line, and refused when another keyword has that spelling:
    a query naming it would otherwise widen to two unrelated terms."""

    class Meta:
        model = Keyword
        fields = [
            "name_ja",
            "name_en",
            "aliases_ja",
            "aliases_en",
            "slug",
            "broader",
            "links_themes",
        ]
        help_texts = {
            "aliases_ja": _(
                "Other Japanese spellings of this same concept, one per line: kanji and "
                "katakana forms, with or without 法 or 型 (e.g. 電子線エネルギー損失分光, "
                "電子エネルギー損失分光法)."
            ),
            "aliases_en": _(
                "Other spellings in Latin letters, one per line: abbreviations and their "
                "expansions, hyphen and spelling variants (e.g. EELS, electron energy loss "
                "spectroscopy). Not a broader or narrower concept: make that a keyword of its own."
            ),
        }

    def _clean_aliases(self, name):
        lines = alias_lines(self.cleaned_data.get(name))
        return "\n".join(dict.fromkeys(lines))

    def clean_aliases_ja(self):
        return self._clean_aliases("aliases_ja")

    def clean_aliases_en(self):
        return self._clean_aliases("aliases_en")

    def clean_broader(self):
        """Refuse the keyword itself and any of its narrower terms (at any depth): either
        would make a cycle, and a query for one term would widen to all the others."""
        broader = self.cleaned_data.get("broader")
        if broader is None or self.instance.pk is None:
            return broader
        below, frontier = {self.instance.pk}, {self.instance.pk}
        while frontier:
            frontier = (
                set(
                    Keyword.broader.through.objects.filter(to_keyword__in=frontier).values_list(
                        "from_keyword", flat=True
                    )
                )
                - below
            )
            below |= frontier
        loops = [term for term in broader if term.pk in below]
        if loops:
            raise ValidationError(
                _(
                    "A broader term cannot be this keyword or one of its narrower terms (that "
                    "would make a cycle): %(terms)s."
                )
                % {"terms": ", ".join(str(term) for term in loops)}
            )
        return broader

    def clean(self):
        cleaned = super().clean()
        own = {}
        for name in ("aliases_ja", "aliases_en"):
            for alias in alias_lines(cleaned.get(name)):
                own.setdefault(spelling_key(alias), (name, alias))
        others = Keyword.objects.exclude(pk=self.instance.pk).only(
            "slug", "name_ja", "name_en", "aliases_ja", "aliases_en"
        )
        for other in others:
            for spelling in other.spellings():
                name, alias = own.pop(spelling_key(spelling), (None, None))
                if name is not None:
                    self.add_error(
                        name,
                        _("“%(alias)s” is already a spelling of the keyword “%(other)s”.")
                        % {"alias": alias, "other": other},
                    )
        return cleaned


@admin.register(Keyword)
class KeywordAdmin(TabbedTranslationAdmin):
    form = KeywordForm
    list_display = ["name_ja", "name_en", "spellings_shown", "links_themes", "paper_count"]
    list_editable = ["links_themes"]
    list_filter = ["links_themes"]
    search_fields = ["name_ja", "name_en", "aliases_ja", "aliases_en", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}
    autocomplete_fields = ["broader"]
    readonly_fields = ["narrower_shown"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}
    fieldsets = [
        (None, {"fields": ["name", "aliases", "slug"]}),
        (
            _("Broader and narrower terms"),
            {
                "fields": ["broader", "narrower_shown"],
                "description": _(
                    "A query naming a term also finds the papers of its narrower terms, at any "
                    "depth (EELS finds ELNES papers), never those of its broader ones. Give a "
                    "broader term only when this one is a kind or a part of it."
                ),
            },
        ),
        (
            _("Research themes"),
            {
                "fields": ["links_themes"],
                "description": _(
                    "A keyword shared by papers of unrelated themes (such as “Spectral "
                    "analysis”) still tags papers and widens search, but should not make a "
                    "theme list every paper that carries it."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(paper_count=Count("publications", distinct=True))
        )

    @admin.display(description=_("papers"), ordering="paper_count")
    def paper_count(self, obj):
        return obj.paper_count

    @admin.display(description=_("narrower terms"))
    def narrower_shown(self, obj):
        """The terms naming this one as broader, linked to their pages here."""
        terms = obj.narrower.order_by("slug") if obj.pk else []
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:publications_keyword_change", args=[term.pk]), str(term))
                for term in terms
            ),
        )
        return links or "—"

    @admin.display(description=_("other spellings"))
    def spellings_shown(self, obj):
        return " / ".join(alias_lines(obj.aliases_ja) + alias_lines(obj.aliases_en)) or "—"


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


class AuthorPositionInput(forms.NumberInput):
    """The author's position, with a drag handle and ↑ ↓ buttons (js/author-order.js)
    that reorder the rows and renumber the positions."""

    template_name = "publications/widgets/author_position.html"


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    formset = AuthorshipFormSet
    extra = 1
    fields = ["position", "person", "as_printed"]
    autocomplete_fields = ["person"]
    ordering = ["position"]
    formfield_overrides = {
        models.PositiveSmallIntegerField: {
            # The table's column heading is no label for screen readers (axe: label).
            "widget": AuthorPositionInput(attrs={"min": 1, "aria-label": _("Author's position")})
        }
    }

    class Media:
        js = ["js/author-order.js"]
        css = {"all": ["css/admin.css"]}


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = list(
            Publication.objects.order_by("-year").values_list("year", flat=True).distinct()
        )
        choices = [(str(y), str(y)) for y in years if y is not None]
        if None in years:
            choices.append(("undated", _("Undated")))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "undated":
            return queryset.filter(year__isnull=True)
        if value and value.isdigit():
            return queryset.filter(year=int(value))
        return queryset


class MissingFilter(admin.SimpleListFilter):
    """The papers a data-health check lists (data_health.MISSING): its "show all" link."""

    title = _("missing")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return list(data_health.MISSING_LABELS.items())

    def queryset(self, request, queryset):
        condition = data_health.MISSING.get(self.value())
        return queryset if condition is None else queryset.filter(condition).distinct()


@admin.register(Publication)
class PublicationAdmin(TabbedTranslationAdmin):
    list_display = ["title", "year", "venue", "type", "status", "is_published"]
    list_filter = [
        YearListFilter,
        MissingFilter,
        "type",
        "status",
        "is_published",
        "peer_reviewed",
        "invited",
        "language",
        "keywords",
        "representative_in",
    ]
    search_fields = [
        "title_ja", "title_en", "venue", "doi", "citation_key",
        "authorships__person__family_name_en", "authorships__person__family_name_ja",
    ]  # fmt: skip
    autocomplete_fields = ["keywords"]
    # The slug as the lab's papers have it: the English title and the year.
    prepopulated_fields = {"slug": ("title_en", "year")}
    inlines = [AuthorshipInline]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ManyToManyField: {"form_class": IdsChoiceField},
    }
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    actions = admin_bulk.ACTIONS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug":
            # A paper with a Japanese title only leaves the slug empty (it is made from
            # the English title): the editor was told "This field is required" and had
            # to invent an address. Left empty, save() makes one (unique_slug).
            field.required = False
            field.help_text = _(
                "The paper's address. Left empty, it is made from the English title and"
                " the year (paper-<year> for a paper with a Japanese title only)."
            )
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:  # hostile ids: a form error, not a 500
            kwargs.setdefault("widget", IdsAutocomplete(db_field, self.admin_site))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Adds the "Import BibTeX" button to the changelist's object tools.
    change_list_template = "admin/publications/publication/change_list.html"

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "import-bibtex/",
                site.admin_view(admin_import.import_view(site)),
                name="publications_publication_import",
            ),
            path(
                "add-by-identifier/",
                site.admin_view(admin_sources.identifiers_view(site)),
                name="publications_publication_add_by_identifier",
            ),
            path(
                "data-health/",
                site.admin_view(admin_health.data_health_view(site)),
                name="publications_publication_data_health",
            ),
            path(
                "data-health/find-dois/",
                site.admin_view(admin_health.doi_search_start_view(site)),
                name="publications_publication_doi_search_start",
            ),
            path(
                "data-health/find-dois/<int:search_id>/",
                site.admin_view(admin_health.doi_search_view(site)),
                name="publications_publication_doi_search",
            ),
            path(
                "<int:paper_id>/find-doi/",
                site.admin_view(admin_health.find_doi_view(site)),
                name="publications_publication_find_doi",
            ),
            path(
                "import-source/",
                site.admin_view(admin_researchmap.import_view(site)),
                name="publications_publication_import_source",
            ),
            path(
                "export-researchmap/",
                site.admin_view(admin_researchmap.export_view(site)),
                name="publications_publication_export_researchmap",
            ),
            path(
                "achievement-list/",
                site.admin_view(admin_lists.achievement_list_view(site)),
                name="publications_publication_achievements",
            ),
            *super().get_urls(),
        ]

    fieldsets = [
        (None, {"fields": ["title", "abstract", "slug", "authors_truncated"]}),
        (
            _("Where"),
            {"fields": ["venue", "volume", "issue", "pages", "article_number", "numpages"]},
        ),
        (_("When"), {"fields": ["year", "month", "day", "status"]}),
        (_("Links"), {"fields": ["doi", "url", "arxiv_id", "license"]}),
        (_("Classification"), {"fields": ["type", "note", "keywords", "is_published"]}),
        (
            _("For achievement lists"),
            {
                "fields": [
                    "language",
                    "peer_reviewed",
                    "invited",
                    "international_coauthorship",
                    "open_access",
                ],
                "description": _(
                    "What the yearly achievement lists (業績リスト) ask. “Unknown” leaves the"
                    " column empty in a list."
                ),
            },
        ),
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


class ImportItemInline(admin.TabularInline):
    model = ImportItem
    fields = ["kind", "object_link"]
    readonly_fields = ["kind", "object_link"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("what this import did")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch").defer("before", "after")

    @admin.display(description=_("object"))
    def object_link(self, item):
        urls = {
            ImportItem.Kind.PUBLICATION_CREATED: "admin:publications_publication_change",
            ImportItem.Kind.PUBLICATION_UPDATED: "admin:publications_publication_change",
            ImportItem.Kind.PERSON_CREATED: "admin:publications_person_change",
            ImportItem.Kind.KEYWORD_CREATED: "admin:publications_keyword_change",
        }
        if item.kind in urls and item.batch.status == ImportBatch.Status.APPLIED:
            return format_html(
                '<a href="{}">{}</a>', reverse(urls[item.kind], args=[item.object_id]), item.label
            )
        return item.label


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Every BibTeX import, with what it did and a way to undo it. Read-only."""

    list_display = [
        "created_at", "filename_or_paste", "origin", "status", "created_count", "updated_count",
        "duplicate_count", "error_count", "created_by", "undo_link",
    ]  # fmt: skip
    list_filter = ["status", "origin", "source"]
    search_fields = ["filename"]
    date_hierarchy = "created_at"
    fields = [
        "status", "origin", "source", "filename", "encoding", "created_at", "created_by",
        "applied_at", "is_published", "keywords", "created_count", "updated_count",
        "duplicate_count", "error_count", "skipped_list", "undone_at", "undone_by", "undo_link",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [ImportItemInline]

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "<int:batch_id>/preview/",
                site.admin_view(admin_import.preview_view(site)),
                name="publications_importbatch_preview",
            ),
            path(
                "<int:batch_id>/progress/",
                site.admin_view(admin_import.progress_view(site)),
                name="publications_importbatch_progress",
            ),
            path(
                "<int:batch_id>/undo/",
                site.admin_view(admin_import.undo_view(site)),
                name="publications_importbatch_undo",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").defer("source_text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened: viewed, undone, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"), ordering="filename")
    def filename_or_paste(self, batch):
        return batch.filename or _("pasted text")

    @admin.display(description=_("skipped entries"))
    def skipped_list(self, batch):
        if not batch.skipped:
            return "—"
        template = _("line %(line)s, %(key)s: %(reason)s")
        rows = format_html_join(
            "",
            "<li>{}</li>",
            ((template % {"line": n, "key": k or "?", "reason": r},) for n, k, r in batch.skipped),
        )
        return format_html("<ul>{}</ul>", rows)

    @admin.display(description=_("undo"))
    def undo_link(self, batch):
        if batch.status == ImportBatch.Status.APPLIED:
            url = reverse("admin:publications_importbatch_undo", args=[batch.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, _("Undo this import"))
        if batch.job:
            url = reverse("admin:publications_importbatch_progress", args=[batch.pk])
            return format_html('<a href="{}">{}</a>', url, batch.get_job_display())
        if batch.status == ImportBatch.Status.PENDING:
            url = reverse("admin:publications_importbatch_preview", args=[batch.pk])
            return format_html('<a href="{}">{}</a>', url, _("Open the preview"))
        return "—"


class EditItemInline(admin.TabularInline):
    model = EditItem
    fields = ["publication_link", "before", "after"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("papers this edit changed")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("publication")

    @admin.display(description=_("publication"))
    def publication_link(self, item):
        url = reverse("admin:publications_publication_change", args=[item.publication_id])
        return format_html('<a href="{}">{}</a>', url, item.publication)


@admin.register(EditBatch)
class EditBatchAdmin(admin.ModelAdmin):
    """Every bulk edit of the publication list, with the papers it changed and its undo."""

    list_display = [
        "created_at", "action", "target_label", "selected_count", "changed_count", "status",
        "created_by", "undo_link",
    ]  # fmt: skip
    list_filter = ["action", "status"]
    date_hierarchy = "created_at"
    fields = [
        "action", "target_label", "status", "selected_count", "changed_count", "created_at",
        "created_by", "undone_at", "undone_by", "undo_link",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [EditItemInline]

    def get_urls(self):
        return [
            path(
                "<int:batch_id>/undo/",
                self.admin_site.admin_view(admin_bulk.undo_view(self.admin_site)),
                name="publications_editbatch_undo",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "undone_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened: viewed, undone, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("undo"))
    def undo_link(self, batch):
        if batch.status == EditBatch.Status.APPLIED:
            url = reverse("admin:publications_editbatch_undo", args=[batch.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, _("Undo this edit"))
        return "—"
