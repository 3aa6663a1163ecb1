"""The news pages, with items, are valid HTML (Nu Html Checker) in both languages."""

import json
import subprocess

import pytest

from tests.quality import JAVA, VNU_JAR

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (JAVA and VNU_JAR.exists()),
        reason="Java or vnu.jar missing: HTML validation skipped (npm ci installs vnu-jar)",
    ),
]

NEWS_PAGES = [
    "/{lang}/",
    "/{lang}/news/",
    "/{lang}/news/paper-in-microscopy/",
    "/{lang}/news/open-lab/",
]


def test_news_pages_validate(client, lab_news, tmp_path):
    files = {}
    for lang in ("ja", "en"):
        for n, page in enumerate(NEWS_PAGES):
            url = page.format(lang=lang)
            response = client.get(url)
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
        f"{files.get(m.get('url', '').removeprefix('file:'))}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)
