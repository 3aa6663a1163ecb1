"""Ways tests write content as editors and bulk writers do (tests of freshness use them)."""

from django.db.models.fields.files import FieldFile

from publications.freshness import content_changed
from publications.models import Authorship, Keyword, NameVariant, Person, Publication
from research.models import LabProfile, Member, RepresentativePublication, ResearchTheme
from tests import factories


def admin_form_data(response):
    """The POST data a browser would send back for an admin change form, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False or isinstance(value, FieldFile):
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = value
    return data


def every_content_change():
    """{name: a function making that change}: one of each way public content is written."""
    keyword = factories.keyword()
    person = factories.person()
    paper = factories.paper(authors=[person])
    theme = factories.theme()
    return {
        "Keyword save": lambda: Keyword.objects.filter(pk=keyword.pk).first().save(),
        "Person save": lambda: Person.objects.get(pk=person.pk).save(),
        "NameVariant create": lambda: NameVariant.objects.create(person=person, name="X. Y"),
        "Publication save": lambda: Publication.objects.get(pk=paper.pk).save(),
        "Authorship delete": lambda: Authorship.objects.filter(publication=paper).delete(),
        "Publication keywords add": lambda: paper.keywords.add(keyword),
        "Publication keywords clear": lambda: paper.keywords.clear(),
        "ResearchTheme save": lambda: ResearchTheme.objects.get(pk=theme.pk).save(),
        "Theme keywords add": lambda: theme.keywords.add(keyword),
        "Theme keywords remove": lambda: theme.keywords.remove(keyword),
        "RepresentativePublication create": lambda: RepresentativePublication.objects.create(
            theme=theme, publication=paper, order=1
        ),
        "LabProfile save": lambda: LabProfile.objects.update_or_create(
            pk=1, defaults={"name_en": "Lab"}
        ),
        "Member save": lambda: Member.objects.update_or_create(
            slug="member", defaults={"family_name_en": "Member"}
        ),
        "Keyword delete": lambda: Keyword.objects.filter(pk=keyword.pk).delete(),
        "content_changed() from a bulk writer": lambda: content_changed(),
    }


CHANGES = [
    "Keyword save",
    "Person save",
    "NameVariant create",
    "Publication save",
    "Authorship delete",
    "Publication keywords add",
    "Publication keywords clear",
    "ResearchTheme save",
    "Theme keywords add",
    "Theme keywords remove",
    "RepresentativePublication create",
    "LabProfile save",
    "Member save",
    "Keyword delete",
    "content_changed() from a bulk writer",
]
