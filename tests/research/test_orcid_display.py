"""ORCID iDs on the site, as ORCID's display guidelines ask: the iD icon, linked to the
record, on the member's page (with the whole https://orcid.org/ address) and beside
each author with an ORCID iD on a paper's page."""

import json
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.models import Person, Publication
from research.models import Member
from tests import factories
from tests.quality import JAVA, VNU_JAR

pytestmark = pytest.mark.django_db
ORCID_ID = "0000-0002-1825-0097"  # ORCID's own documented example iD
LINK = f"https://orcid.org/{ORCID_ID}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_member_page_shows_the_icon_and_the_whole_address(client, lang):
    member = Member.objects.create(
        family_name_en="Mizoguchi", given_name_en="Teruyasu", orcid=ORCID_ID
    )
    html = client.get(f"/{lang}/members/{member.slug}/").content.decode()
    assert (
        f'<a href="{LINK}" class="orcid-id"><img src="/static/img/orcid-id.svg" alt="ORCID iD"'
        f' width="16" height="16"> {LINK}</a>'
    ) in html


def test_a_member_without_an_id_of_their_own_shows_their_authors(client):
    person = factories.person("Mizoguchi", "Teruyasu", orcid=ORCID_ID)
    member = Member.objects.create(
        family_name_en="Mizoguchi", given_name_en="Teruyasu", person=person
    )
    html = client.get(f"/en/members/{member.slug}/").content.decode()
    assert f"> {LINK}</a>" in html


@pytest.mark.parametrize(
    ("lang", "alt"),
    [("en", "ORCID iD of Teruyasu Mizoguchi"), ("ja", "Teruyasu Mizoguchi の ORCID iD")],
)
def test_the_paper_page_marks_each_author_with_an_orcid_id(client, lang, alt):
    with_id = factories.person("Mizoguchi", "Teruyasu", orcid=ORCID_ID)
    without = factories.person("Yamada", "Hanako")
    paper = factories.paper("Spectra", authors=[with_id, without])
    html = client.get(f"/{lang}/publications/{paper.slug}/").content.decode()
    assert (
        f'<a href="{LINK}" class="orcid-id" title="{LINK}"><img src="/static/img/orcid-id.svg"'
        f' alt="{alt}" width="16" height="16"></a>'
    ) in html
    assert html.count('class="orcid-id"') == 1  # Yamada has none


def test_the_icon_costs_no_query_on_the_paper_page(client):
    """The paper page reads the iD with the author's name: as many queries as without."""
    marked = factories.paper("Marked", authors=[factories.person(orcid=ORCID_ID)])
    plain = factories.paper("Plain", authors=[factories.person()])
    counts = []
    for paper in (marked, plain):
        client.get(f"/en/publications/{paper.slug}/")  # the per-process caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/en/publications/{paper.slug}/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.skipif(not (JAVA and VNU_JAR.exists()), reason="Java or vnu.jar missing")
def test_pages_with_orcid_ids_are_valid_html(client, lab_content, tmp_path):
    """The lab's professor given ORCID's example iD (in this test only: the seed states
    none), his member page and a paper of his, in both languages, for the Nu checker."""
    person = Person.objects.get(member__slug="teruyasu-mizoguchi")
    Person.objects.filter(pk=person.pk).update(orcid=ORCID_ID)
    paper = Publication.objects.filter(authorships__person=person).first()
    files = []
    for lang in ("ja", "en"):
        for url in (f"/{lang}/members/teruyasu-mizoguchi/", f"/{lang}/publications/{paper.slug}/"):
            response = client.get(url)
            assert 'class="orcid-id"' in response.content.decode()
            path = tmp_path / f"{len(files)}.html"
            path.write_bytes(response.content)
            files.append(str(path))
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    errors = [m for m in json.loads(result.stdout)["messages"] if m["type"] == "error"]
    assert not errors, errors
