"""Pages that present the lab and its research themes."""

from django.views.generic import DetailView, ListView, TemplateView

from publications.models import Publication

from .models import LabProfile, ResearchTheme


class HomeView(TemplateView):
    template_name = "research/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lab"] = LabProfile.load()
        context["themes"] = ResearchTheme.objects.published()
        context["latest"] = Publication.objects.published().with_authors().newest_first()[:5]
        return context


class ThemeListView(ListView):
    template_name = "research/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return ResearchTheme.objects.published().prefetch_related("keywords")


class ThemeDetailView(DetailView):
    template_name = "research/theme_detail.html"
    context_object_name = "theme"

    def get_queryset(self):
        return ResearchTheme.objects.published().prefetch_related("keywords")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["representatives"] = (
            Publication.objects.published()
            .filter(representations__theme=self.object)
            .with_authors()
            .order_by("representations__order", "representations__pk")
        )
        return context
