"""People (authors) and the spellings of their names in citations."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .. import names
from .slugs import unique_slug

# What an author list and a filter's choice show of a person: the name in either
# language, the link to the person's papers, the lab member's highlight.
PERSON_NAME_COLUMNS = (
    "slug", "family_name_ja", "given_name_ja", "family_name_en", "given_name_en", "is_lab_member",
    "orcid",  # the paper page shows the ORCID iD icon by an author who has one
)  # fmt: skip


class PersonQuerySet(models.QuerySet):
    def lab_members(self):
        return self.filter(is_lab_member=True)

    def names_only(self):
        """People with only what their name and a link to their papers need."""
        return self.only(*PERSON_NAME_COLUMNS)

    def with_published_papers(self):
        """People who author a published paper: the ones visitors may be shown (a person
        known only from unpublished papers, an import kept unpublished, stays hidden)."""
        authorship = self.model._meta.get_field("authorships").related_model
        return self.filter(
            models.Exists(
                authorship.objects.filter(
                    person=models.OuterRef("pk"), publication__is_published=True
                )
            )
        )

    def resolve(self, printed):
        """The person a printed name refers to, or None.

        Looks first for a recorded name variant with the same key ("PY. Chen" =
        "P. Y. Chen"), then for exactly one person with the same family name and
        a compatible given name ("T. Mizoguchi" = "Teruyasu Mizoguchi", see
        `names.given_compatible`), preferring lab members when several match.
        """
        key = names.name_key(printed)
        if not key:
            return None
        variant = NameVariant.objects.filter(key=key).select_related("person").first()
        if variant is not None:
            return variant.person
        family, given = names.split_name(printed)
        if names.is_cjk(family):
            return None  # kanji names match by their full key only, never by initials
        fkey = names.family_key(family)
        candidates = [
            person
            for person in self.filter(
                models.Q(family_name_en__iexact=family) | models.Q(family_name_ja__iexact=family)
            ).order_by("-is_lab_member", "pk")
            if fkey
            in {names.family_key(person.family_name_en), names.family_key(person.family_name_ja)}
            and names.given_compatible(given, person.given_name_en or person.given_name_ja)
        ]
        if not candidates:
            return None
        lab = [p for p in candidates if p.is_lab_member]
        if len(lab) == 1 or len(candidates) == 1:
            return (lab or candidates)[0]
        return None  # ambiguous: better a new person than the wrong one

    def resolve_or_create(self, printed):
        """Resolve a printed name, creating the person when nobody matches; records the variant."""
        person = self.resolve(printed)
        if person is None:
            family, given = names.split_name(printed)
            lang = "ja" if names.is_cjk(printed) else "en"
            person = self.create(**{f"family_name_{lang}": family, f"given_name_{lang}": given})
        person.add_variant(printed)
        return person


class Person(models.Model):
    """An author. Lab members are highlighted in every author list."""

    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_lab_member = models.BooleanField(
        _("lab member"), default=False, help_text=_("Lab members are highlighted in author lists.")
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", _("An ORCID iD looks like 0000-0002-1825-0097.")
            )
        ],
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name_en", "given_name_en", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~models.Q(orcid=""), name="person_orcid_unique"
            ),
        ]

    def __str__(self):
        return self.full_name()

    def save(self, *args, **kwargs):
        if not self.slug:
            text = f"{self.given_name_en} {self.family_name_en}"
            self.slug = unique_slug(Person, text, "person", self.pk, 100)
        super().save(*args, **kwargs)
        # Every spelling of the name the record itself carries resolves to it.
        for printed in {self.full_name("en"), self.full_name("ja")}:
            if printed and names.name_key(printed):
                NameVariant.objects.get_or_create(
                    key=names.name_key(printed), defaults={"person": self, "name": printed}
                )

    def clean(self):
        super().clean()
        if not (self.family_name_ja or self.family_name_en):
            raise ValidationError(_("Give the family name in at least one script."))

    def full_name(self, language=None):
        """Japanese: 姓 名 (family first) when a Japanese-script name is known.

        English and Western names: "Given Family". Never reduced to initials.
        """
        return names.full_name(
            (language or get_language() or "ja")[:2],
            self.family_name_ja,
            self.given_name_ja,
            self.family_name_en,
            self.given_name_en,
        )

    @property
    def initials(self):
        return names.initials(self.given_name_en or self.given_name_ja)

    def add_variant(self, printed):
        key = names.name_key(printed)
        if key:
            NameVariant.objects.get_or_create(key=key, defaults={"person": self, "name": printed})


class NameVariant(models.Model):
    """A spelling of a person's name as it appears in citations ("PY. Chen")."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="variants", verbose_name=_("person")
    )
    name = models.CharField(_("name as printed"), max_length=200)
    key = models.CharField(
        _("matching key"),
        max_length=200,
        unique=True,
        editable=False,
        help_text=_("Case-, width- and punctuation-insensitive form of the name."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("name variant")
        verbose_name_plural = _("name variants")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = names.name_key(self.name)
        super().save(*args, **kwargs)
