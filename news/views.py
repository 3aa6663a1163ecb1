"""The news pages: the list, newest first, and one page per item."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from publications import seo
from publications.models import Publication
from publications.views import is_preview
from research.models import Member

from .models import NewsItem

PER_PAGE = 20
# What the list shows of an item: its date, its title and the start of its body.
LIST_COLUMNS = ("slug", "date", "title_ja", "title_en", "body_ja", "body_en")


class NewsListView(ListView):
    template_name = "news/news_list.html"
    context_object_name = "items"
    paginate_by = PER_PAGE
    extra_context = {"nav": "news"}

    def get_queryset(self):
        return NewsItem.objects.published().newest_first().only(*LIST_COLUMNS)

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or not a number shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meta"] = seo.PageMeta(
            title=_("News"),
            description=_(
                "News from the Mizoguchi Laboratory: awards, new papers, talks and events,"
                " newest first."
            ),
            noindex=context["page_obj"].number > 1,
        )
        return context


class NewsDetailView(DetailView):
    template_name = "news/news_detail.html"
    context_object_name = "item"

    def get_queryset(self):
        items = NewsItem.objects.prefetch_related(
            Prefetch(
                "publications",
                queryset=Publication.objects.published().for_list().newest_first(),
            ),
            Prefetch(
                "members",
                queryset=Member.objects.published().only(
                    "slug", "family_name_ja", "given_name_ja", "family_name_en", "given_name_en"
                ),
            ),
        )
        return items if is_preview(self.request) else items.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        context.update(
            preview=not item.is_published,
            nav="news",
            meta=seo.PageMeta(
                title=item.title,
                description=seo.describe(item.body, markdown=True),
                type="article",
            ),
        )
        return context
