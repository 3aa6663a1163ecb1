"""Every UI string has a Japanese translation, and the pages use it."""

from pathlib import Path

import pytest
from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, msgstr) pairs of the catalogue, multi-line strings joined."""
    entries, key, current = [], None, {}
    for line in PO_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            key, _, value = line.partition(" ")
            key = "msgstr" if key.startswith("msgstr") else key
            if key == "msgstr" and "msgstr" in current:
                entries[-1]["msgstr"] = entries[-1]["msgstr"] and value.strip()[1:-1]
                continue
            current[key] = value.strip()[1:-1]
            if key == "msgstr":
                entries.append(current)
                current = {}
        elif line.startswith('"') and key:
            (entries[-1] if key == "msgstr" else current)[key] += line[1:-1]
    return [(e["msgid"], e["msgstr"]) for e in entries if e["msgid"]]


def test_catalogue_is_complete():
    untranslated = [msgid for msgid, msgstr in po_entries() if not msgstr]
    assert untranslated == []


def test_catalogue_has_no_fuzzy_guesses():
    """gettext ignores fuzzy entries: the page would show English."""
    assert "#, fuzzy" not in PO_FILE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_japanese_pages_show_japanese_ui(client):
    html = client.get("/ja/").content.decode()
    assert "研究テーマ" in html and "本文へ移動" in html
    html = client.get("/en/").content.decode()
    assert "Research themes" in html and "Skip to content" in html
