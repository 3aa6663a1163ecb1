"""Public pages of the publications database. Views stay thin: queries live on the models."""

from django.db.models import Count, Q
from django.views.generic import DetailView, ListView

from .models import Keyword, Publication


class PublicationListView(ListView):
    template_name = "publications/publication_list.html"
    context_object_name = "publications"
    paginate_by = 20

    def get_queryset(self):
        return Publication.objects.published().with_authors().newest_first()


class PublicationDetailView(DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_queryset(self):
        return Publication.objects.published().with_authors()


class KeywordListView(ListView):
    template_name = "publications/keyword_list.html"
    context_object_name = "keywords"

    def get_queryset(self):
        return Keyword.objects.annotate(
            paper_count=Count("publications", filter=Q(publications__is_published=True))
        ).order_by("slug")


class KeywordDetailView(DetailView):
    model = Keyword
    template_name = "publications/keyword_detail.html"
    context_object_name = "keyword"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["publications"] = (
            Publication.objects.published()
            .filter(keywords=self.object)
            .with_authors()
            .newest_first()
        )
        return context
