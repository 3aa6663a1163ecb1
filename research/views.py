"""Pages that present the lab and its research themes."""

from collections import Counter

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from news.models import NewsItem
from publications import exports, seo
from publications.charts import by_year, year_chart
from publications.models import Keyword, Publication, authors_in_order
from publications.views import export_response, group_by_year, is_preview, paginate_by_year

from .context_processors import lab_profile
from .models import Member, ResearchTheme, member_groups
from .renditions import portraits, rendition

LATEST_ON_HOME = 5
LATEST_NEWS_ON_HOME = 3


class HomeView(TemplateView):
    template_name = "research/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lab"] = lab_profile(self.request)
        context["themes"] = ResearchTheme.objects.published()
        context["latest"] = (
            Publication.objects.published().for_list().newest_first()[:LATEST_ON_HOME]
        )
        news = NewsItem.objects.published().newest_first()
        context["latest_news"] = news.only("slug", "date", "title_ja", "title_en")[
            :LATEST_NEWS_ON_HOME
        ]
        lab = context["lab"]
        context["meta"] = seo.PageMeta(
            title=lab.name or _("Mizoguchi Laboratory"),
            description=f"{lab.mission or ''} {seo.describe(lab.intro, markdown=True)}",
        )
        return context


class AccessView(TemplateView):
    """Where the lab is and how to reach it, from the lab's profile: only what staff
    entered, and a plain sentence when nothing is entered yet."""

    template_name = "research/access.html"
    extra_context = {"nav": "access"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lab = lab_profile(self.request)
        lab_name = lab.name or _("Mizoguchi Laboratory")
        where = ", ".join(part for part in (lab.department, lab.university) if part)
        context["lab"] = lab
        context["meta"] = seo.PageMeta(
            title=_("Access"),
            description=(
                _("How to reach the %(lab)s, %(where)s: address, map and directions.")
                % {"lab": lab_name, "where": where}
                if where
                else _("How to reach the %(lab)s: address, map and directions.") % {"lab": lab_name}
            ),
        )
        return context


class ThemeListView(ListView):
    template_name = "research/theme_list.html"
    context_object_name = "themes"
    extra_context = {"nav": "research"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meta"] = seo.PageMeta(
            title=_("Research themes"),
            description=" / ".join(theme.title for theme in context["themes"]),
        )
        return context

    def get_queryset(self):
        return (
            ResearchTheme.objects.published()
            .prefetch_related(visible_keywords())
            .annotate(
                representative_count=Count(
                    "representatives", filter=Q(representatives__publication__is_published=True)
                )
            )
        )


class ThemeDetailView(DetailView):
    template_name = "research/theme_detail.html"
    context_object_name = "theme"

    def get_queryset(self):
        themes = ResearchTheme.objects.prefetch_related(visible_keywords())
        return themes if is_preview(self.request) else themes.published()

    def get(self, request, *args, **kwargs):
        if "format" in request.GET:
            theme = self.get_object()

            def papers():
                listed = list(theme.representative_list().for_export())
                return listed + list(theme.ranked_related().for_export())

            def count():
                return theme.representative_list().count() + theme.ranked_related().count()

            key = exports.export_key("theme", theme.pk)
            return export_response(request, papers, theme.slug, key=key, count=count)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        theme = self.object
        representatives = list(theme.representative_list().for_list(authors=False))
        related = theme.related_publications()
        # The chart counts the related papers and adds the representatives' years; the
        # page lists them most closely related first.
        related_page, related_years = paginate_by_year(
            self.request,
            related,
            theme.ranked_related().for_list(authors=False),
            counts_key=f"theme:{theme.pk}:related",
        )
        related_page.object_list = list(related_page.object_list)
        # The authors of both lists in one query; each related paper's keywords that
        # tie it to the theme (the linking ones it shares), in the keywords' order.
        prefetch_related_objects([*representatives, *related_page.object_list], authors_in_order())
        shared = Keyword.objects.filter(pk__in=list(theme.keyword_weights()))
        prefetch_related_objects(
            related_page.object_list,
            Prefetch(
                "keywords",
                queryset=shared.only("slug", "name_ja", "name_en"),
                to_attr="matched_keywords",
            ),
        )
        context.update(
            preview=not theme.is_published,
            representatives=representatives,
            related_page=related_page,
            chart=year_chart(merge_year_counts(related_years, representatives)),
            nav="research",
        )
        image = rendition(theme.image, "hero")
        context["meta"] = seo.PageMeta(
            title=theme.title,
            description=theme.lead or seo.describe(theme.body, markdown=True),
            image=self.request.build_absolute_uri(image.url) if image else "",
            type="article",
        )
        context["json_ld"] = seo.json_ld(
            theme_json_ld(self.request, theme, lab_profile(self.request))
        )
        return context


def visible_keywords():
    """A theme's keywords as visitors see them: those that tag a published paper."""
    return Prefetch("keywords", queryset=Keyword.objects.with_published_papers())


def merge_year_counts(year_counts, papers):
    """[(year, n)] with the papers added (they are not among those counted)."""
    counts = Counter(dict(year_counts))
    counts.update(paper.year for paper in papers)
    return by_year(counts.items())


def theme_json_ld(request, theme, lab):
    """schema.org: the theme as a ResearchProject, run by the lab as an Organization."""
    organization = {
        "@type": "Organization",
        "name": lab.name or _("Mizoguchi Laboratory"),
        "url": request.build_absolute_uri(reverse("research:home")),
    }
    if lab.mission:
        organization["description"] = lab.mission
    return {
        "@context": "https://schema.org",
        "@type": "ResearchProject",
        "name": theme.title,
        "description": seo.describe(theme.lead or theme.body, markdown=True),
        "url": request.build_absolute_uri(theme.get_absolute_url()),
        "keywords": ", ".join(str(k) for k in theme.keywords.all()),
        "parentOrganization": organization,
        "sponsor": organization,
    }


# What the members page shows of each member (no research interests' Markdown, no links).
MEMBER_LIST_COLUMNS = (
    "slug", "family_name_ja", "given_name_ja", "family_name_en", "given_name_en", "reading",
    "role", "joined_on", "left_on", "photo", "position", "research_interests_ja",
    "research_interests_en",
)  # fmt: skip


class MemberListView(ListView):
    """Current members by role, then alumni by year of leaving, as of today.

    Who is an alumnus is decided from the date at request time; the page cache keys
    pages on the date (labsite/cache.py), so a member moves on the day after leaving.
    """

    template_name = "research/member_list.html"
    context_object_name = "members"
    extra_context = {"nav": "members"}

    def get_queryset(self):
        return Member.objects.published().only(*MEMBER_LIST_COLUMNS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current, alumni = member_groups(context["members"], timezone.localdate())
        lab = lab_profile(self.request)
        context.update(
            current=current,
            alumni=alumni,
            any_role=any(group.role for group in current),
            meta=seo.PageMeta(
                title=_("Members"),
                description=_("The members of the %(lab)s by role, and its alumni.")
                % {"lab": lab.name or _("Mizoguchi Laboratory")},
            ),
        )
        return context


class MemberDetailView(DetailView):
    template_name = "research/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        members = Member.objects.select_related("person")
        return members if is_preview(self.request) else members.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.object
        papers = member.publications()
        page, year_counts = paginate_by_year(
            self.request,
            papers,
            papers.for_list().newest_first(),
            counts_key=f"member:{member.pk}",
        )
        lab = lab_profile(self.request)
        lab_name = lab.name or _("Mizoguchi Laboratory")
        photos = portraits(member.photo)
        context.update(
            preview=not member.is_published,
            alumnus=member.is_alumnus(timezone.localdate()),
            page_obj=page,
            groups=group_by_year(page.object_list),
            result_count=page.paginator.count,
            chart=year_chart(year_counts),
            themes=member.themes().only("slug", "title_ja", "title_en"),
            keywords=member.keywords(),
            links=member_links(member),
            nav="members",
            meta=seo.PageMeta(
                title=member.full_name(),
                description=member.research_interests
                or _("%(name)s, %(lab)s: publications, research themes and keywords.")
                % {"name": member.full_name(), "lab": lab_name},
                image=self.request.build_absolute_uri(photos[-1].url) if photos else "",
                type="profile",
            ),
            json_ld=seo.json_ld(member_json_ld(self.request, member, lab_name, photos)),
        )
        return context


def member_json_ld(request, member, lab_name, photos):
    """schema.org: the member as a Person, a member (or alumnus) of the lab."""
    today = timezone.localdate()
    lab = {
        "@type": "Organization",
        "name": lab_name,
        "url": request.build_absolute_uri(reverse("research:home")),
    }
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": member.full_name(),
        "url": request.build_absolute_uri(member.get_absolute_url()),
        ("alumniOf" if member.is_alumnus(today) else "affiliation"): lab,
    }
    if other := member.other_name():
        data["alternateName"] = other
    if member.role:
        data["jobTitle"] = member.get_role_display()
    if member.research_interests:
        data["knowsAbout"] = seo.describe(member.research_interests)
    if photos:
        data["image"] = request.build_absolute_uri(photos[-1].url)
    if links := [url for _label, url in member_links(member)]:
        data["sameAs"] = links
    return data


def member_links(member):
    """[(label, URL)] of the member's pages elsewhere."""
    links = []
    if member.researchmap:
        links.append(("researchmap", f"https://researchmap.jp/{member.researchmap}"))
    if member.orcid_id:
        links.append(("ORCID", f"https://orcid.org/{member.orcid_id}"))
    if member.google_scholar:
        links.append(
            (
                "Google Scholar",
                f"https://scholar.google.com/citations?user={member.google_scholar}",
            )
        )
    return links
