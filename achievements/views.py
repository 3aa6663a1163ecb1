"""The public list of presentations, awards and patents, filtered, and its exports."""

import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from publications import seo

from . import exports
from .forms import AchievementFilterForm
from .models import KINDS, fiscal_year_bounds

# Plenty for a lab's yearly list; the whole history is filtered by year to be read.
MAX_PER_KIND = 500


def achievements(kind, filters):
    """The published achievements of one kind matching the filters, people prefetched."""
    model = KINDS[kind]
    queryset = model.objects.published()
    if "year" in filters:
        year = filters["year"]
        queryset = queryset.in_period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if "fiscal_year" in filters:
        queryset = queryset.in_period(*fiscal_year_bounds(filters["fiscal_year"]))
    if "member" in filters:
        queryset = queryset.of_person(filters["member"].person_id).distinct()
    link = model._meta.get_field("contributors").related_model
    people = link.objects.select_related("person").order_by("position", "pk")
    return queryset.prefetch_related(Prefetch("contributors", people, to_attr="ordered"))


class AchievementListView(TemplateView):
    template_name = "achievements/achievement_list.html"

    def get(self, request, *args, **kwargs):
        form = AchievementFilterForm(request.GET or None)
        self.filters, self.ignored = form.values()
        self.form = form.shown(self.filters)
        kinds = [self.filters["type"]] if "type" in self.filters else list(KINDS)
        self.sections = {kind: achievements(kind, self.filters) for kind in kinds}
        export = request.GET.get("format", "")
        if export:
            return exports.response(request, export, self.sections)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        for kind, queryset in self.sections.items():
            items = list(queryset[: MAX_PER_KIND + 1])
            sections.append(
                {
                    "kind": kind,
                    "items": items[:MAX_PER_KIND],
                    "capped": len(items) > MAX_PER_KIND,
                }
            )
        context.update(
            form=self.form,
            ignored=self.ignored,
            filtered=bool(self.filters),
            sections=sections,
            nav="achievements",
            export_query=self.request.GET.urlencode(),
            meta=seo.PageMeta(
                title=_("Presentations, awards and patents"),
                description=_(
                    "The lab's conference presentations, awards and patents, by year and member."
                ),
                noindex=bool(self.filters),
            ),
        )
        return context
