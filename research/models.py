"""Research themes and the lab's profile: the pages that present the papers."""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from publications import freshness, names
from publications.models import Keyword, Person, Publication
from publications.models.slugs import unique_slug

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]


def validate_image_size(image):
    limit = settings.LABSITE_MAX_IMAGE_BYTES
    if image and image.size > limit:
        raise ValidationError(
            _("The image is %(size).1f MB; the limit is %(limit)d MB."),
            params={"size": image.size / 1_048_576, "limit": limit // 1_048_576},
            code="image_too_large",
        )


class SubqueryCount(models.Subquery):
    """The number of rows of a queryset, as an expression (a scalar subquery)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = models.IntegerField()


def body_repeats_lead(lead, body):
    """Whether a theme's body starts with its lead (spacing aside): shown twice on its page."""
    lead, body = " ".join((lead or "").split()), " ".join((body or "").split())
    return bool(lead) and body.startswith(lead)


class ResearchThemeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def listing_any_of(self, papers):
        """Themes whose page lists at least one of `papers` (a queryset of published papers):

        as a representative, or as a related paper (sharing a linking keyword, not
        excluded by the editors) — the set `ResearchTheme.publications()` gives, tested
        for all themes in one query.
        """
        paper_ids = papers.order_by().values("pk")
        links = Publication.keywords.through.objects.filter(
            publication__in=paper_ids,
            keyword__links_themes=True,
            keyword__themes=models.OuterRef("pk"),
        ).exclude(
            models.Exists(
                ResearchTheme.excluded_publications.through.objects.filter(
                    researchtheme=models.OuterRef(models.OuterRef("pk")),
                    publication=models.OuterRef("publication"),
                )
            )
        )
        return self.filter(
            models.Exists(
                RepresentativePublication.objects.filter(
                    theme=models.OuterRef("pk"), publication__in=paper_ids
                )
            )
            | models.Exists(links)
        )


class ResearchTheme(models.Model):
    title = models.CharField(_("title"), max_length=200, blank=True)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One or two sentences shown on cards.")
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    image = models.ImageField(
        _("image"),
        upload_to="themes/",
        blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS), validate_image_size],
        help_text=_(
            "JPEG, PNG, WebP or GIF, at most 5 MB. Without one, a generated visual is shown."
        ),
    )
    image_alt = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("Alt text for screen readers."),
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_published = models.BooleanField(_("published on the site"), default=True)
    keywords = models.ManyToManyField(
        Keyword, blank=True, related_name="themes", verbose_name=_("keywords")
    )
    representative_publications = models.ManyToManyField(
        Publication,
        through="RepresentativePublication",
        blank=True,
        related_name="representative_in",
        verbose_name=_("representative publications"),
    )
    # Papers sharing a keyword with the theme that editors judged not to belong to it.
    excluded_publications = models.ManyToManyField(
        Publication,
        blank=True,
        related_name="excluded_from_themes",
        verbose_name=_("papers not related to the theme"),
        help_text=_("Papers that share a keyword with the theme but are not listed on it."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResearchThemeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("research theme")
        verbose_name_plural = _("research themes")

    def __str__(self):
        return self.title or self.slug

    def get_absolute_url(self):
        return reverse("research:theme", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if not (self.title_ja or self.title_en):
            raise ValidationError(_("Give the theme a title in at least one language."))
        repeated = {
            f"body_{code}": _(
                "The body begins with the lead, which the page already shows above it:"
                " start the body after the lead."
            )
            for code in ("ja", "en")
            if body_repeats_lead(getattr(self, f"lead_{code}"), getattr(self, f"body_{code}"))
        }
        if repeated:
            raise ValidationError(repeated)
        if self.image and not (self.image_alt_ja or self.image_alt_en):
            raise ValidationError(
                {"image_alt_ja": _("Describe the image for readers who cannot see it.")}
            )

    def representative_list(self):
        """The editors' representative papers, in their order (published ones only)."""
        return (
            Publication.objects.published()
            .filter(representations__theme=self)
            .order_by("representations__order", "representations__pk")
        )

    def linking_keywords(self):
        """The theme's keywords that tie it to papers (not marked too broad)."""
        return Keyword.objects.filter(themes=self, links_themes=True)

    def related_publications(self):
        """Other published papers sharing a linking keyword with the theme, newest first.

        Not the representatives, nor the papers the editors excluded from the theme.
        `ranked_related()` orders the same papers by how much they share.
        """
        return (
            Publication.objects.published()
            .sharing_keywords(self.linking_keywords())
            .exclude(pk__in=self.representatives.values("publication_id"))
            .exclude(
                pk__in=self.excluded_publications.through.objects.filter(researchtheme=self).values(
                    "publication_id"
                )
            )
            .newest_first()
        )

    def keyword_weights(self):
        """{keyword id: weight} of the linking keywords that tag a published paper.

        A keyword many papers share says less about a paper than a rare one: its
        weight is ln((N + 1) / df), N the published papers, df those it tags (an
        inverse document frequency, smoothed so that a keyword tagging every paper
        still weighs a little). Kept as integers (thousandths) so that sums, and
        the order they give, are exact and the same on every database. One query,
        kept by each worker until the content changes.
        """

        def compute():
            # The number of published papers rides along as a subquery: one query.
            published = SubqueryCount(Publication.objects.published().order_by().values("pk"))
            counts = (
                Publication.keywords.through.objects.filter(
                    publication__is_published=True,
                    keyword__in=self.linking_keywords(),
                )
                .values("keyword_id")
                .annotate(
                    df=models.Count("pk"),
                    total=published,
                )
                .values_list("keyword_id", "df", "total")
            )
            return {
                keyword_id: round(1000 * math.log((total + 1) / df))
                for keyword_id, df, total in counts
            }

        return freshness.cached(f"theme:{self.pk}:keyword-weights", compute)

    def ranked_related(self):
        """`related_publications()`, the most closely related first.

        A paper's `theme_score` is the sum of the weights (`keyword_weights`) of the
        linking keywords it shares with the theme: sharing more keywords, and more
        specific ones, ranks a paper higher; ties go newest first. No minimum score:
        every paper sharing a linking keyword is listed (docs/pages.md says why).
        """
        weights = self.keyword_weights()
        if not weights:
            return self.related_publications().none()
        through = Publication.keywords.through
        score = (
            through.objects.filter(publication=models.OuterRef("pk"), keyword_id__in=weights)
            .order_by()
            .values("publication")
            .annotate(
                total=models.Sum(
                    models.Case(
                        *(
                            models.When(keyword_id=keyword_id, then=models.Value(weight))
                            for keyword_id, weight in sorted(weights.items())
                        ),
                        default=models.Value(0),
                        output_field=models.IntegerField(),
                    )
                )
            )
            .values("total")
        )
        return (
            self.related_publications()
            .annotate(theme_score=models.Subquery(score, output_field=models.IntegerField()))
            .order_by(
                models.F("theme_score").desc(nulls_last=True),
                models.F("year").desc(nulls_last=True),  # undated papers last
                models.F("month").desc(nulls_last=True),
                "-pk",
            )
        )

    def publications(self):
        """Every published paper of the theme: representative or related (as listed)."""
        return Publication.objects.published().filter(
            models.Q(pk__in=self.representatives.values("publication_id"))
            | models.Q(pk__in=self.related_publications().order_by().values("pk"))
        )

    @property
    def hue(self):
        """A stable hue for the generated visual of a theme without an image."""
        return (sum(map(ord, self.slug)) * 47) % 360


class RepresentativePublication(models.Model):
    """A paper the editors chose to represent a theme, in their order."""

    theme = models.ForeignKey(
        ResearchTheme,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("theme"),
    )
    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="representations",
        verbose_name=_("publication"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["theme", "order", "pk"]
        verbose_name = _("representative publication")
        verbose_name_plural = _("representative publications")
        constraints = [
            models.UniqueConstraint(fields=["theme", "publication"], name="representative_unique"),
        ]

    def __str__(self):
        return f"{self.theme}: {self.publication}"


def normalise_postal_code(value):
    """The code alone: the Access page writes 〒 before it in Japanese (and nothing in
    English), so a code typed as Japanese addresses write it ("〒153-8505", "〒 １５３－８５０５")
    showed as "〒〒153-8505". Full-width digits and hyphens become ASCII."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    return re.sub(r"^〒\s*", "", value).replace("−", "-").replace("ー", "-")


class LabProfile(models.Model):
    """The lab's name, mission statement and introduction, and where it is and how to
    reach it (one row). The header, the footer and the Access page show what is
    entered here and nothing else: the lab's content states no university, address
    or contact, so none is loaded (docs/content.md)."""

    name = models.CharField(_("lab name"), max_length=200, blank=True)
    mission = models.CharField(_("mission statement"), max_length=300, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    university = models.CharField(_("university"), max_length=200, blank=True)
    department = models.CharField(
        _("department"),
        max_length=200,
        blank=True,
        help_text=_("Graduate school, faculty or institute, as it should appear under the name."),
    )
    postal_code = models.CharField(
        _("postal code"), max_length=20, blank=True, help_text=_("For example 153-8505.")
    )
    address = models.TextField(
        _("address"), blank=True, help_text=_("One line per line of the address.")
    )
    map_url = models.URLField(
        _("map link"), blank=True, help_text=_("A link to the lab's building on a map.")
    )
    directions = models.TextField(
        _("directions"),
        blank=True,
        help_text=_("Markdown: how to get there (stations, buildings, rooms)."),
    )
    email = models.EmailField(
        _("e-mail"),
        blank=True,
        help_text=_("Shown as “name [at] domain”, never as a link that harvesters read."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("lab profile")
        verbose_name_plural = _("lab profile")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="labprofile_singleton")
        ]

    def __str__(self):
        return self.name or str(_("Lab profile"))

    def save(self, *args, **kwargs):
        self.pk = 1
        self.postal_code = normalise_postal_code(self.postal_code)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        self.postal_code = normalise_postal_code(self.postal_code)
        super().clean_fields(exclude)

    @classmethod
    def load(cls):
        """The profile, or an unsaved empty one when none was entered yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def email_parts(self):
        """(user, domain) of the lab's e-mail, for text that harvesters do not read as one."""
        user, _at, domain = self.email.rpartition("@")
        return (user, domain) if user else None

    @property
    def has_contact(self):
        return bool(self.address or self.postal_code or self.email or self.phone)

    @property
    def has_access(self):
        """Whether the Access page has anything to say beyond "not entered yet"."""
        return self.has_contact or bool(self.map_url or self.directions)


# Where each service keeps a researcher's page, and what its identifier looks like.
ORCID_PATTERN = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$")
RESEARCHMAP_PATTERN = re.compile(
    r"^(?:https?://(?:www\.)?researchmap\.jp/)?([A-Za-z0-9][A-Za-z0-9_.-]{1,62})/?$"
)
SCHOLAR_PATTERN = re.compile(r"^[A-Za-z0-9_-]{12}$")


def orcid_checksum_ok(orcid):
    """ISO 7064 11-2, the check digit every ORCID iD ends with."""
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def scholar_id(value):
    """A Google Scholar profile's id from the id itself or a profile URL; "" if neither."""
    value = (value or "").strip()
    if SCHOLAR_PATTERN.match(value):
        return value
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc.startswith("scholar.google."):
        found = parse_qs(parts.query).get("user", [""])[0]
        if SCHOLAR_PATTERN.match(found):
            return found
    return ""


class MemberQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def current(self, today):
        """Members on `today`: not yet left (a member is still one on their last day)."""
        return self.filter(models.Q(left_on__isnull=True) | models.Q(left_on__gte=today))

    def alumni(self, today):
        return self.filter(left_on__lt=today)


class Member(models.Model):
    """A member of the lab, current or former, with a public page of their own."""

    class Role(models.TextChoices):
        # In the order Japanese labs list their members.
        PROFESSOR = "professor", _("Professor")
        ASSOCIATE_PROFESSOR = "associate-professor", _("Associate Professor")
        LECTURER = "lecturer", _("Lecturer")
        ASSISTANT_PROFESSOR = "assistant-professor", _("Assistant Professor")
        RESEARCHER = "researcher", _("Project Researcher / Postdoctoral Researcher")
        DOCTORAL = "doctoral", _("Doctoral student")
        MASTERS = "masters", _("Master's student")
        UNDERGRADUATE = "undergraduate", _("Undergraduate student")
        STAFF = "staff", _("Technical staff / Secretary")
        VISITING = "visiting", _("Visiting researcher")

    family_name = models.CharField(
        _("family name"),
        max_length=100,
        blank=True,
        help_text=_("Japanese: in kanji (or kana); English: in Latin script."),
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    reading = models.CharField(
        _("reading"),
        max_length=200,
        blank=True,
        help_text=_("The name in kana (みぞぐち てるやす), shown with the Japanese name."),
    )
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("The member page's address.")
    )
    # Blank: the role is not stated (the lab's content states none): no role is shown.
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    research_interests = models.TextField(_("research interests"), blank=True)
    joined_on = models.DateField(
        _("joined"), null=True, blank=True, help_text=_("Only the year is shown.")
    )
    left_on = models.DateField(
        _("left"),
        null=True,
        blank=True,
        help_text=_(
            "The last day in the lab. From the next day the member is listed among the"
            " alumni, by the year of leaving. Only the year is shown."
        ),
    )
    person = models.OneToOneField(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("author"),
        help_text=_("The author this member is in the publications: their papers are listed."),
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="members/",
        blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS), validate_image_size],
        help_text=_(
            "JPEG, PNG, WebP or GIF, at most 5 MB; a portrait is cropped to a square."
            " Without one, the initials are shown."
        ),
    )
    email = models.EmailField(
        _("lab e-mail"),
        blank=True,
        help_text=_("Shown as “name [at] domain”, never as a link that harvesters read."),
    )
    # Room for a pasted address: clean_fields() keeps only the identifier.
    researchmap = models.CharField(
        _("researchmap"),
        max_length=200,
        blank=True,
        help_text=_("The permalink (researchmap.jp/…) or the whole address."),
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=200,
        blank=True,
        help_text=_("0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097."),
    )
    google_scholar = models.CharField(
        _("Google Scholar"),
        max_length=200,
        blank=True,
        help_text=_("The profile's address (…citations?user=…) or its 12-character id."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order within the member's group.")
    )
    is_published = models.BooleanField(_("published on the site"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.full_name() or self.slug

    def save(self, *args, **kwargs):
        if not self.slug:
            text = f"{self.given_name_en} {self.family_name_en}"
            self.slug = unique_slug(Member, text, "member", self.pk, 100)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("research:member", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None):
        # Pasted addresses become the identifiers stored (and checked below).
        self.researchmap = self.researchmap.strip()
        if found := RESEARCHMAP_PATTERN.match(self.researchmap):
            self.researchmap = found.group(1)
        self.orcid = self.orcid.strip()
        if found := ORCID_PATTERN.match(self.orcid):
            self.orcid = found.group(1)
        self.google_scholar = scholar_id(self.google_scholar) or self.google_scholar.strip()[:200]
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        errors = {}
        if not (self.family_name_ja or self.family_name_en):
            errors["family_name_ja"] = _("Give the family name in at least one script.")
        if self.researchmap and not RESEARCHMAP_PATTERN.match(self.researchmap):
            errors["researchmap"] = _(
                "A researchmap permalink is letters, digits, “_”, “-” or “.”, as in"
                " https://researchmap.jp/read0123456."
            )
        if self.orcid and not (ORCID_PATTERN.match(self.orcid) and orcid_checksum_ok(self.orcid)):
            errors["orcid"] = _(
                "Not an ORCID iD: it looks like 0000-0002-1825-0097 and its last character"
                " is a check digit."
            )
        if self.google_scholar and not SCHOLAR_PATTERN.match(self.google_scholar):
            errors["google_scholar"] = _(
                "Paste the profile's address (https://scholar.google.com/citations?user=…)"
                " or its 12-character id."
            )
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            errors["left_on"] = _("The member cannot leave before joining.")
        if errors:
            raise ValidationError(errors)

    def full_name(self, language=None):
        """Japanese: 姓 名; English: "Given Family" (as for authors, publications.Person)."""
        return names.full_name(
            (language or get_language() or "ja")[:2],
            self.family_name_ja,
            self.given_name_ja,
            self.family_name_en,
            self.given_name_en,
        )

    def other_name(self, language=None):
        """The name in the other script, when it differs from `full_name()`."""
        language = (language or get_language() or "ja")[:2]
        other = self.full_name("en" if language == "ja" else "ja")
        return "" if other == self.full_name(language) else other

    @property
    def initials(self):
        """Up to two letters for the placeholder tile: the Latin initials, else the kanji."""
        if self.family_name_en:
            # Translated columns may hold NULL (modeltranslation leaves them nullable).
            given = (self.given_name_en or "").replace(".", " ").split()
            return "".join(part[0] for part in [*given[:1], self.family_name_en]).upper()
        return (self.family_name_ja or "")[:2]

    def publications(self):
        """The published papers of the author this member is (none without one)."""
        papers = Publication.objects.published()
        if self.person_id is None:
            return papers.none()
        return papers.filter(authorships__person_id=self.person_id)

    def themes(self):
        """Published themes whose page lists any of the member's papers, in their order."""
        return ResearchTheme.objects.published().listing_any_of(self.publications())

    def keywords(self):
        """Keywords of the member's papers (so visitors' keywords), those on most of them
        first, each with `paper_count`."""
        language = (get_language() or "ja")[:2]
        return (
            Keyword.objects.filter(publications__in=self.publications().order_by().values("pk"))
            .annotate(paper_count=models.Count("pk"))
            .only("slug", "name_ja", "name_en")
            .order_by("-paper_count", Lower(f"name_{language}"), "slug")
        )

    def is_alumnus(self, today):
        return self.left_on is not None and self.left_on < today

    def email_parts(self):
        """(user, domain) of the lab e-mail, for text that harvesters do not read as one."""
        user, _at, domain = self.email.rpartition("@")
        return (user, domain) if user else None

    @property
    def orcid_id(self):
        """The member's ORCID iD, else the one of the author they are."""
        return self.orcid or (self.person.orcid if self.person_id and self.person else "")


@dataclass
class MemberGroup:
    """Members under one heading of the members page: a role, or a year of leaving."""

    role: str = ""  # a Member.Role value; "" for current members whose role is not stated
    year: int | None = None  # alumni: the year they left
    members: list = field(default_factory=list)

    @property
    def is_alumni(self):
        return self.year is not None

    @property
    def label(self):
        return Member.Role(self.role).label if self.role else ""

    @property
    def anchor(self):
        return f"left-{self.year}" if self.is_alumni else (self.role or "members")


def member_groups(members, today):
    """(current, alumni): the members page's groups, as of `today` (the request's date).

    Current members by role in the order Japanese labs list them, then those whose
    role is not stated; alumni (left before `today`) by year of leaving, newest
    first, each year by role. Within a group, the editors' order (position).
    """
    role_order = {role: n for n, role in enumerate(Member.Role.values)}

    def rank(member):
        return role_order.get(member.role, len(role_order)), member.position, member.pk

    current, alumni = {}, {}
    for member in sorted(members, key=rank):
        if member.is_alumnus(today):
            alumni.setdefault(member.left_on.year, MemberGroup(year=member.left_on.year))
            alumni[member.left_on.year].members.append(member)
        else:
            current.setdefault(member.role, MemberGroup(role=member.role)).members.append(member)
    return list(current.values()), [alumni[year] for year in sorted(alumni, reverse=True)]
