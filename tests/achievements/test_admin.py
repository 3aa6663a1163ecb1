"""Editors edit presentations, awards and patents in the admin, ja and en side by side."""

import pytest
from django.urls import reverse

from achievements.models import Award, Patent, Presentation
from tests import factories
from tests.achievements import factories as made

pytestmark = pytest.mark.django_db

MODELS = [Presentation, Award, Patent]


def url(model, view, *args):
    return reverse(f"admin:achievements_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_editor_sees_the_list_and_an_add_page_with_ja_en_tabs(editor_client, model):
    assert editor_client.get(url(model, "changelist")).status_code == 200
    html = editor_client.get(url(model, "add")).content.decode()
    assert "_ja" in html and "_en" in html and "modeltranslation" in html


def test_editor_adds_a_presentation_with_its_authors(editor_client):
    person = factories.person("Mizoguchi", "Teruyasu", lab=True)
    data = {
        "title_ja": "機械学習によるスペクトル解析", "title_en": "", "meeting_ja": "日本顕微鏡学会",
        "meeting_en": "", "place_ja": "", "place_en": "", "date": "2025-05-12",
        "format": "poster", "url": "", "note_ja": "", "note_en": "", "is_published": "on",
        "citation_key": "",
        "contributors-TOTAL_FORMS": "1", "contributors-INITIAL_FORMS": "0",
        "contributors-0-position": "1", "contributors-0-person": str(person.pk),
        "contributors-0-as_printed": "溝口 照康", "contributors-0-is_presenter": "on",
    }  # fmt: skip
    response = editor_client.post(url(Presentation, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    talk = Presentation.objects.get()
    assert talk.people()[0].person == person and talk.people()[0].is_presenter


def test_a_presentation_needs_a_title_in_one_language(editor_client):
    data = {
        "title_ja": "", "title_en": "", "date": "2025-05-12", "format": "oral",
        "contributors-TOTAL_FORMS": "0", "contributors-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = editor_client.post(url(Presentation, "add"), data)
    assert response.status_code == 200
    assert not Presentation.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client):
    made.award()
    response = client.get(url(Award, "changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
