"""Importing a member's published papers from researchmap, by command and in the admin.

researchmap is played by pytest-httpserver (the `sources` fixture) with answers written
from researchmap's published format (tests/publications/sources_payloads.py: constructed,
not recorded)."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from werkzeug import Response

from publications.admin_researchmap import ALL_KINDS
from publications.bibtex import undo
from publications.models import ImportBatch, Publication
from publications.sources import researchmap
from research.models import Member
from tests import factories
from tests.publications import sources_payloads as payloads

pytestmark = pytest.mark.django_db
LIST = f"/researchmap/{payloads.PERMALINK}/published_papers"


@pytest.fixture(autouse=True)
def _no_other_achievements(request):
    """These tests are about the papers: the researcher has no presentations, awards or
    patents on researchmap (the import reads them too; tests/achievements/ tests those)."""
    if "sources" in request.fixturenames:
        sources = request.getfixturevalue("sources")
        for kind in ("presentations", "awards", "industrial_property_rights"):
            sources.expect_request(f"/researchmap/{payloads.PERMALINK}/{kind}").respond_with_json(
                {"total_items": 0, "items": []}
            )


def papers_requests(sources):
    return [entry for entry in sources.log if entry[0].path == LIST]


def serve(sources, *items, total=None, start=1):
    sources.expect_request(
        LIST, query_string={"limit": str(researchmap.PAGE_SIZE), "start": str(start)}
    ).respond_with_json(payloads.researchmap_page(list(items), total))


def test_a_members_papers_are_imported_with_what_researchmap_says(sources, capsys):
    serve(sources, payloads.ELNES, payloads.BULLETIN)
    call_command("import_researchmap", payloads.PERMALINK)
    out = capsys.readouterr().out
    assert "new       line 1 researchmap-40000001: Interpreting ELNES spectra" in out
    assert out.strip().endswith("2 new, 0 updated, 0 duplicates, 0 possible duplicates, "
                                "0 skipped, 0 errors.")  # fmt: skip
    elnes = Publication.objects.get(doi="10.1093/jmicro/dfad000")
    assert elnes.title_en == "Interpreting ELNES spectra by machine learning"
    assert elnes.title_ja == "機械学習による ELNES スペクトルの解釈"
    assert (elnes.venue, elnes.volume, elnes.issue, elnes.pages) == ("Microscopy", "72", "3",
                                                                     "201-215")  # fmt: skip
    assert (elnes.year, elnes.month, elnes.day) == (2023, 6, 1)
    assert elnes.url == "https://example.org/elnes"
    assert elnes.type == Publication.Type.ARTICLE
    assert [a.as_printed for a in elnes.ordered_authorships] == [
        "Teruyasu Mizoguchi", "Hanako Yamada"
    ]  # fmt: skip
    # researchmap's yes/no fields for achievement lists; the paper's language.
    assert (elnes.peer_reviewed, elnes.invited, elnes.international_coauthorship) == (
        True, False, None
    )  # fmt: skip
    assert elnes.language == "en"
    assert "refereed = {true}" in elnes.bibtex  # kept in the stored source too
    bulletin = Publication.objects.get(title_ja="酸化物界面の第一原理計算")
    assert (bulletin.venue, bulletin.year, bulletin.month) == ("生産研究", 2023, 1)
    assert [a.as_printed for a in bulletin.ordered_authorships] == ["溝口 照康"]
    assert (bulletin.peer_reviewed, bulletin.language) == (False, "ja")
    batch = ImportBatch.objects.get()
    assert (batch.origin, batch.filename, batch.status) == (
        "researchmap", f"researchmap.jp/{payloads.PERMALINK}", "applied"
    )  # fmt: skip


def test_the_authors_are_matched_to_the_people_already_there(sources):
    professor = factories.person("Mizoguchi", "Teruyasu", lab=True)
    serve(sources, payloads.ELNES)
    call_command("import_researchmap", payloads.PERMALINK)
    paper = Publication.objects.get()
    assert paper.ordered_authorships[0].person == professor


def test_importing_again_finds_every_paper_already_there(sources, capsys):
    serve(sources, payloads.ELNES, payloads.BULLETIN)
    call_command("import_researchmap", payloads.PERMALINK)
    call_command("import_researchmap", payloads.PERMALINK)
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("0 new, 0 updated, 2 duplicates, 0 possible duplicates, 0 skipped, 0 errors.")
    )
    assert Publication.objects.count() == 2


def test_every_page_of_a_long_list_is_read(sources, monkeypatch, capsys):
    monkeypatch.setattr(researchmap, "PAGE_SIZE", 2)
    items = [payloads.researchmap_item(50000000 + n) for n in range(5)]
    for start in (1, 3, 5):
        serve(sources, *items[start - 1 : start + 1], total=5, start=start)
    call_command("import_researchmap", payloads.PERMALINK)
    assert Publication.objects.count() == 5
    assert len(papers_requests(sources)) == 3
    # The progress bar (standard error) reached the end of the list.
    assert "5/5" in capsys.readouterr().err


def test_a_member_is_imported_by_their_slug(sources):
    member = Member.objects.create(family_name_en="Mizoguchi", researchmap=payloads.PERMALINK)
    serve(sources, payloads.ELNES)
    call_command("import_researchmap", "--member", member.slug)
    assert Publication.objects.count() == 1


def test_a_member_without_papers_is_told_so_and_nothing_is_written(sources, capsys):
    serve(sources)
    call_command("import_researchmap", payloads.PERMALINK)
    assert "lists no published papers: nothing to import" in capsys.readouterr().out
    assert not ImportBatch.objects.exists()


def test_an_unknown_permalink_is_an_error_naming_it(sources):
    sources.expect_request(LIST).respond_with_json({"error": "not found"}, status=404)
    with pytest.raises(CommandError, match=f"does not know researchmap.jp/{payloads.PERMALINK}"):
        call_command("import_researchmap", payloads.PERMALINK)
    assert not ImportBatch.objects.exists()


def test_something_that_is_not_a_permalink_is_refused_before_asking():
    with pytest.raises(CommandError, match="is not a researchmap permalink"):
        call_command("import_researchmap", "not a permalink!")


@pytest.mark.parametrize(
    "body",
    [
        '{"total_items": 1, "items": [',  # cut short
        "<html><body>Maintenance</body></html>",
        '{"total_items": "many", "items": {}}',  # JSON, not the documented shape
        '{"total_items": 1, "items": ["paper"]}',
    ],
)
def test_an_unreadable_answer_stops_the_import_with_a_message(sources, body):
    sources.expect_request(LIST).respond_with_data(body, content_type="application/json")
    with pytest.raises(CommandError, match="researchmap sent an answer that cannot be read"):
        call_command("import_researchmap", payloads.PERMALINK)
    assert not ImportBatch.objects.exists() and not Publication.objects.exists()


def test_rate_limiting_is_waited_out(sources):
    sources.expect_oneshot_request(LIST).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "0"})
    )
    sources.expect_oneshot_request(LIST).respond_with_json(
        payloads.researchmap_page([payloads.ELNES])
    )
    call_command("import_researchmap", payloads.PERMALINK)
    assert Publication.objects.count() == 1
    assert len(papers_requests(sources)) == 2


def test_a_service_that_does_not_answer_in_time_stops_the_import(sources, settings):
    settings.LABSITE_SOURCE_TIMEOUT = 0.2

    def slow(request):
        time.sleep(1)
        return Response("{}", content_type="application/json")

    sources.expect_request(LIST).respond_with_handler(slow)
    with pytest.raises(CommandError, match=r"researchmap did not answer within 0\.2 seconds"):
        call_command("import_researchmap", payloads.PERMALINK)
    assert not ImportBatch.objects.exists()


def test_an_import_from_researchmap_is_undone_like_any_other(sources):
    serve(sources, payloads.ELNES, payloads.BULLETIN)
    call_command("import_researchmap", payloads.PERMALINK)
    undo.undo(ImportBatch.objects.get())
    assert not Publication.objects.exists()


# ---------------------------------------------------------------- admin


def test_the_member_action_opens_the_preview_of_their_papers(sources, editor_client):
    member = Member.objects.create(family_name_en="Mizoguchi", researchmap=payloads.PERMALINK)
    serve(sources, payloads.ELNES)
    changelist = reverse("admin:research_member_changelist")
    response = editor_client.post(
        changelist, {"action": "import_from_researchmap", "_selected_action": [member.pk]}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:publications_importbatch_preview",
                                           args=[batch.pk])  # fmt: skip
    preview = editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert preview.status_code == 200
    assert "<h1>Import from researchmap: preview</h1>" in preview.content.decode()
    assert "Interpreting ELNES spectra by machine learning" in preview.content.decode()
    assert batch.origin == "researchmap" and batch.status == "pending"
    assert not Publication.objects.exists()  # nothing is written before Confirm


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # (the admin writes messages with a capital: "Researchmap")
        ("ja", "esearchmap は現在利用できません（HTTP 503）"),
        ("en", "esearchmap is unavailable at the moment (HTTP 503)"),
    ],
)
def test_the_member_action_says_when_researchmap_is_down(
    sources, editor_client, language, expected
):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    member = Member.objects.create(family_name_en="Mizoguchi", researchmap=payloads.PERMALINK)
    sources.expect_request(LIST).respond_with_data("down", status=503)
    response = editor_client.post(
        reverse("admin:research_member_changelist"),
        {"action": "import_from_researchmap", "_selected_action": [member.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_member_without_a_permalink_is_told_what_to_add(editor_client):
    member = Member.objects.create(family_name_en="Mizoguchi")
    response = editor_client.post(
        reverse("admin:research_member_changelist"),
        {"action": "import_from_researchmap", "_selected_action": [member.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "has no researchmap permalink: add it on the member" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_typed_permalink_opens_the_preview(sources, editor_client):
    serve(sources, payloads.ELNES)
    url = reverse("admin:publications_publication_import_source")
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(
        url,
        {
            "service": "researchmap",
            "identifier": f"https://researchmap.jp/{payloads.PERMALINK}/",
            "kinds": ALL_KINDS,
        },
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("admin:publications_importbatch_preview",
                                           args=[batch.pk])  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        (Response("{}", status=404), 404, "researchmap does not know researchmap.jp/read0123456"),
        (Response("down", status=503), 503, "researchmap is unavailable at the moment"),
    ],
)
def test_a_typed_permalink_the_service_cannot_give_is_a_message(
    sources, editor_client, answer, status, message
):
    sources.expect_request(LIST).respond_with_response(answer)
    response = editor_client.post(
        reverse("admin:publications_publication_import_source"),
        {"service": "researchmap", "identifier": payloads.PERMALINK, "kinds": ALL_KINDS},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_typed_permalink_can_create_the_papers_unpublished(sources, editor_client):
    serve(sources, payloads.ELNES)
    editor_client.post(
        reverse("admin:publications_publication_import_source"),
        {
            "service": "researchmap",
            "identifier": payloads.PERMALINK,
            "unpublished": "on",
            "kinds": ["published_papers"],
        },
    )
    assert ImportBatch.objects.get().is_published is False


def test_an_item_with_fields_of_unexpected_shapes_is_still_imported(sources):
    """What does not have its documented shape is left out, not a crash."""
    odd = payloads.researchmap_item(
        40000009,
        authors="Teruyasu Mizoguchi",
        identifiers=["10.1/x"],
        see_also={"@id": "https://example.org"},
        languages="eng",
        publication_name=None,
    )
    serve(sources, odd)
    call_command("import_researchmap", payloads.PERMALINK)
    paper = Publication.objects.get()
    assert (paper.title_en, paper.year, paper.doi, paper.venue) == ("Paper 40000009", 2021, "", "")
