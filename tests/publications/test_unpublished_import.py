"""Keywords and people that only an unpublished import brought stay hidden from
visitors — no suggestion, no keyword page, no author filter naming them — until a
published paper uses them."""

import pytest
from django.urls import reverse

from publications.models import Keyword, Person, Publication
from tests.jobs import confirm

pytestmark = pytest.mark.django_db

DRAFT = """@article{draft2026,
  author = {Zanzibar, Quentin},
  title = {A paper not out yet},
  journal = {J. Test},
  year = {2026},
  keywords = {Secret topic},
}
"""


@pytest.fixture
def drafted(editor_client):
    """DRAFT imported through the admin with "create new papers unpublished" ticked."""
    url = reverse("admin:publications_publication_import")
    preview = editor_client.post(url, {"text": DRAFT, "unpublished": "on"}).url
    html = editor_client.get(preview).content.decode()
    digest = html.split('name="digest" value="')[1].split('"')[0]
    assert confirm(editor_client, preview, {"digest": digest}).status_code == 302  # the worker ran
    paper = Publication.objects.get(citation_key="draft2026")
    assert not paper.is_published
    return paper, Keyword.objects.get(name_en="Secret topic"), Person.objects.get()


def visible(client, paper, keyword, person):
    """What a visitor can learn of the keyword and the person, in both languages."""
    client.logout()
    seen = {}
    for lang in ("ja", "en"):
        suggestions = client.get(f"/{lang}/publications/suggest/", {"q": "secret"}).json()
        seen[f"suggested {lang}"] = "Secret topic" in str(suggestions)
        page = client.get(f"/{lang}/keywords/{keyword.slug}/")
        seen[f"keyword page {lang}"] = page.status_code == 200
        listing = client.get(f"/{lang}/publications/", {"author": person.slug}).content.decode()
        seen[f"author filter {lang}"] = "Zanzibar" in listing
    return seen


def test_they_stay_hidden_while_the_paper_is_unpublished(client, drafted):
    assert not any(visible(client, *drafted).values())


def test_they_appear_once_the_paper_is_published(client, drafted):
    paper, keyword, person = drafted
    paper.is_published = True
    paper.save()
    assert all(visible(client, paper, keyword, person).values())


def test_a_vocabulary_term_that_tags_no_paper_is_still_suggested(client):
    Keyword.objects.create(name_en="Secret sauce", slug="secret-sauce")
    assert "Secret sauce" in str(client.get("/en/publications/suggest/", {"q": "secret"}).json())
