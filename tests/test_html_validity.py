"""Every public page type, in both languages, is valid HTML for the Nu Html Checker (vnu.jar)."""

import json
import subprocess

import pytest

from tests import factories
from tests.quality import JAVA, NOT_FOUND_PAGE, PROFILE_PAGES, PUBLIC_PAGES, VNU_JAR

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (JAVA and VNU_JAR.exists()),
        reason="Java or vnu.jar missing: HTML validation skipped (npm ci installs vnu-jar)",
    ),
]


def page_of(files, message):
    url = message.get("url", "")
    return files.get(url.removeprefix("file:"), url)


def test_every_public_page_validates(client, lab_content, tmp_path):
    files = {}
    for lang in ("ja", "en"):
        for n, page in enumerate(PUBLIC_PAGES):
            url = page.format(lang=lang)
            response = client.get(url)
            assert response.status_code == (404 if page == NOT_FOUND_PAGE else 200), url
            path = tmp_path / f"{lang}-{n}.html"
            path.write_bytes(response.content)
            files[str(path)] = url
    # Again with the lab's address and contact filled in (header, footer, Access page).
    factories.fill_lab_profile()
    for lang in ("ja", "en"):
        for n, page in enumerate(PROFILE_PAGES):
            url = page.format(lang=lang)
            path = tmp_path / f"{lang}-profile-{n}.html"
            path.write_bytes(client.get(url).content)
            files[str(path)] = f"{url} (profile filled in)"
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{page_of(files, m)}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)


def test_the_data_health_screens_validate(editor_client, lab_content, sources, tmp_path):
    """The admin's data-health page and a paper's DOI candidates (Crossref played by the
    constructed answers of tests/publications/data/crossref/), in both languages."""
    from publications.models import Publication
    from tests.publications.crossref_fixtures import serve

    serve(sources)
    paper = Publication.objects.get(title_en__startswith="Basics and Applications of ELNES")
    files = {}
    for lang in ("ja", "en"):
        for n, url in enumerate(
            [
                "/admin/publications/publication/data-health/",
                f"/admin/publications/publication/{paper.pk}/find-doi/",
            ]
        ):
            response = editor_client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 200, url
            path = tmp_path / f"{lang}-{n}.html"
            path.write_bytes(response.content)
            files[str(path)] = url
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [
        f"{page_of(files, m)}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)
