"""Keywords: one concept with a Japanese and an English name."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import names, search
from .slugs import unique_slug


def alias_lines(text):
    """The aliases stored in one language's field: one per line, blank lines ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class KeywordQuerySet(models.QuerySet):
    def by_name(self, language):
        """Keywords in the order of their names in `language`, with only what a link shows."""
        return self.only("slug", "name_ja", "name_en").order_by(Lower(f"name_{language}"), "slug")

    def with_published_papers(self):
        """Keywords that tag at least one published paper: the ones visitors are offered.

        Vocabulary terms that tag no paper only widen search (docs/search.md); they
        get no page, no place in the keyword index, the filters or the sitemap.
        """
        return self.filter(self.has_published_papers())

    def has_published_papers(self):
        """The condition "tags at least one published paper", to filter or annotate with."""
        through = self.model.publications.through
        return models.Exists(
            through.objects.filter(keyword=models.OuterRef("pk"), publication__is_published=True)
        )

    def has_papers(self):
        """The condition "tags at least one paper", published or not."""
        through = self.model.publications.through
        return models.Exists(through.objects.filter(keyword=models.OuterRef("pk")))

    def matching(self, q):
        """Keywords whose name (either language, NFKC + casefold) equals the search query `q`."""
        return search.keywords_matching(self, q)


class Keyword(models.Model):
    """One concept with a Japanese and an English name; ties themes and papers together."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # Other spellings widen search: a query naming any of them searches for all the
    # keyword's names in both languages (docs/search.md). Translated like the name,
    # so staff see Japanese and English spellings side by side.
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_(
            "One per line: synonyms, abbreviations and their expansions, variants "
            "(e.g. EELS, electron energy-loss spectroscopy)."
        ),
    )
    # A thesaurus's broader/narrower relation: a query naming a term also searches for
    # its narrower terms (EELS finds ELNES papers, perovskite finds SrTiO3), never the
    # other way round, which would widen every specific query to the whole field.
    broader = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="narrower",
        verbose_name=_("broader terms"),
        help_text=_(
            "Terms this one is a kind or part of: searching for a broader term also finds "
            "papers with this one (e.g. ELNES under EELS)."
        ),
    )
    # Some keywords (e.g. "Spectral analysis") are shared by papers of every theme;
    # they still tag papers and widen search but would make themes list unrelated work.
    links_themes = models.BooleanField(
        _("links themes to papers"),
        default=True,
        help_text=_(
            "Untick for a keyword too broad to tie a research theme to the papers sharing it."
        ),
    )
    # The names as search compares them with a whole query (NFKC, casefold); set on save.
    name_key_ja = models.CharField(
        _("normalised Japanese name"), max_length=300, blank=True, editable=False, db_index=True
    )
    name_key_en = models.CharField(
        _("normalised English name"), max_length=300, blank=True, editable=False, db_index=True
    )

    objects = KeywordQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self):
        return self.name or self.slug

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Keyword, self.name_en or "", "keyword", self.pk, 100)
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_key_ja", "name_key_en"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("publications:keyword", kwargs={"slug": self.slug})

    def set_name_keys(self):
        """The normalised names, set by save() (call it before bulk_create, which skips save)."""
        self.name_key_ja = search.normalise_key(self.name_ja)
        self.name_key_en = search.normalise_key(self.name_en)

    def spellings(self):
        """Its names and aliases in both languages, each once, names first."""
        found = [self.name_ja, self.name_en]
        found += alias_lines(self.aliases_ja) + alias_lines(self.aliases_en)
        return list(dict.fromkeys(filter(None, found)))

    def clean(self):
        super().clean()
        if not (self.name_ja or self.name_en):
            raise ValidationError(_("Give the keyword a name in at least one language."))
        for field in ("name_ja", "name_en"):
            value = names.normalise(getattr(self, field)).casefold()
            if not value:
                continue
            clash = (
                Keyword.objects.exclude(pk=self.pk)
                .filter(models.Q(name_ja__iexact=value) | models.Q(name_en__iexact=value))
                .first()
            )
            if clash is None:
                # iexact folds ASCII only on SQLite: compare normalised values too.
                clash = next(
                    (
                        k
                        for k in Keyword.objects.exclude(pk=self.pk)
                        if value
                        in {
                            names.normalise(k.name_ja).casefold(),
                            names.normalise(k.name_en).casefold(),
                        }
                    ),
                    None,
                )
            if clash is not None:
                raise ValidationError(
                    {field: _("The keyword “%(other)s” already has this name.") % {"other": clash}}
                )
