"""Importing a member's works from ORCID, by command and in the admin.

ORCID is played by pytest-httpserver (the `sources` fixture) with answers written from
ORCID's published API v3.0 format (tests/publications/sources_payloads.py: constructed,
not recorded)."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from werkzeug import Response

from publications.models import ImportBatch, Publication
from research.models import Member
from tests import factories
from tests.publications import sources_payloads as payloads

pytestmark = pytest.mark.django_db
WORKS = f"/orcid/{payloads.ORCID_ID}/works"
PERSON = f"/orcid/{payloads.ORCID_ID}/person"


def bulk(*codes):
    return f"{WORKS}/{','.join(str(code) for code in codes)}"


def test_works_are_imported_with_their_authors_and_citation(sources, capsys):
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works(
            # Two sources of one work: ORCID shows the one with the highest display index.
            [payloads.orcid_summary(9999, "0"), payloads.orcid_summary(1111, "10")],
        )
    )
    sources.expect_request(bulk(1111)).respond_with_json(payloads.orcid_bulk(payloads.SPECTRA))
    call_command("import_orcid", payloads.ORCID_ID)
    out = capsys.readouterr().out
    assert "new       line 1 orcid-1111: Spectra of SrTiO3 grain boundaries" in out
    paper = Publication.objects.get()
    assert paper.title_en == "Spectra of SrTiO3 grain boundaries: a first-principles study"
    assert paper.doi == "10.1103/physrevmaterials.6.000000"
    assert (paper.venue, paper.year, paper.month) == ("Physical Review Materials", 2022, 3)
    # The JSON has no volume or pages: the work's own BibTeX citation gives them.
    assert (paper.volume, paper.issue, paper.pages) == ("6", "3", "034601")
    # The editor is not an author.
    assert [a.as_printed for a in paper.ordered_authorships] == [
        "Hanako Yamada",
        "Teruyasu Mizoguchi",
    ]
    assert not paper.authors_truncated
    batch = ImportBatch.objects.get()
    assert (batch.origin, batch.filename) == ("orcid", f"orcid.org/{payloads.ORCID_ID}")


def test_a_work_without_contributors_is_the_members_and_others(sources):
    factories.person("Mizoguchi", "Teruyasu", lab=True)
    member = Member.objects.create(
        family_name_en="Mizoguchi", given_name_en="Teruyasu", orcid=payloads.ORCID_ID
    )
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works([payloads.orcid_summary(2222)])
    )
    sources.expect_request(bulk(2222)).respond_with_json(
        payloads.orcid_bulk(payloads.NO_CONTRIBUTORS)
    )
    call_command("import_orcid", "--member", member.slug)
    paper = Publication.objects.get()
    assert [a.as_printed for a in paper.ordered_authorships] == ["Teruyasu Mizoguchi"]
    assert paper.authors_truncated  # "and others": the record does not say who else


def test_without_a_member_the_records_public_name_is_the_author(sources):
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works([payloads.orcid_summary(2222)])
    )
    sources.expect_request(bulk(2222)).respond_with_json(
        payloads.orcid_bulk(payloads.NO_CONTRIBUTORS)
    )
    sources.expect_request(PERSON).respond_with_json(payloads.ORCID_PERSON)
    call_command("import_orcid", f"https://orcid.org/{payloads.ORCID_ID}")
    paper = Publication.objects.get()
    assert [a.as_printed for a in paper.ordered_authorships] == ["Teruyasu Mizoguchi"]


def test_works_are_read_a_hundred_at_a_time_and_missing_ones_skipped(sources, capsys):
    codes = list(range(3000, 3150))
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works(*[[payloads.orcid_summary(code)] for code in codes])
    )
    sources.expect_request(bulk(*codes[:100])).respond_with_json(
        payloads.orcid_bulk(*[payloads.orcid_work(code) for code in codes[:99]], missing=[3099])
    )
    sources.expect_request(bulk(*codes[100:])).respond_with_json(
        payloads.orcid_bulk(*[payloads.orcid_work(code) for code in codes[100:]])
    )
    sources.expect_request(PERSON).respond_with_json(payloads.ORCID_PERSON)
    call_command("import_orcid", payloads.ORCID_ID)
    assert Publication.objects.count() == 149
    assert "150/150" in capsys.readouterr().err


def test_a_record_without_works_is_told_so(sources, capsys):
    sources.expect_request(WORKS).respond_with_json(payloads.orcid_works())
    call_command("import_orcid", payloads.ORCID_ID)
    assert "lists no public works: nothing to import" in capsys.readouterr().out
    assert not ImportBatch.objects.exists()


def test_an_unknown_orcid_id_is_an_error_naming_it(sources):
    sources.expect_request(WORKS).respond_with_json({"response-code": 404}, status=404)
    with pytest.raises(CommandError, match=f"ORCID does not know ORCID iD {payloads.ORCID_ID}"):
        call_command("import_orcid", payloads.ORCID_ID)
    assert not ImportBatch.objects.exists()


def test_a_member_without_an_orcid_id_is_an_error():
    member = Member.objects.create(family_name_en="Mizoguchi")
    with pytest.raises(
        CommandError, match="Give an ORCID iD, or --member SLUG of a member who has one"
    ):
        call_command("import_orcid", "--member", member.slug)


@pytest.mark.parametrize(
    "body",
    [
        '{"group": [{"work-summary": [{"put-code": 1',
        '{"group": "none"}',
        '{"group": [{"work-summary": []}]}',
    ],
)
def test_an_unreadable_list_stops_the_import(sources, body):
    sources.expect_request(WORKS).respond_with_data(body, content_type="application/json")
    with pytest.raises(CommandError, match="ORCID sent an answer that cannot be read"):
        call_command("import_orcid", payloads.ORCID_ID)
    assert not ImportBatch.objects.exists()


def test_rate_limiting_is_waited_out(sources):
    sources.expect_ordered_request(WORKS).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "0"})
    )
    sources.expect_ordered_request(WORKS).respond_with_json(
        payloads.orcid_works([payloads.orcid_summary(1111)])
    )
    sources.expect_ordered_request(bulk(1111)).respond_with_json(
        payloads.orcid_bulk(payloads.SPECTRA)
    )
    call_command("import_orcid", payloads.ORCID_ID)
    assert Publication.objects.count() == 1


def test_a_service_that_does_not_answer_in_time_stops_the_import(sources, settings):
    settings.LABSITE_SOURCE_TIMEOUT = 0.2

    def slow(request):
        time.sleep(1)
        return Response("{}", content_type="application/json")

    sources.expect_request(WORKS).respond_with_handler(slow)
    with pytest.raises(CommandError, match=r"ORCID did not answer within 0\.2 seconds"):
        call_command("import_orcid", payloads.ORCID_ID)
    assert not ImportBatch.objects.exists()


def test_the_member_action_opens_the_preview_of_their_works(sources, editor_client):
    member = Member.objects.create(family_name_en="Mizoguchi", orcid=payloads.ORCID_ID)
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works([payloads.orcid_summary(1111)])
    )
    sources.expect_request(bulk(1111)).respond_with_json(payloads.orcid_bulk(payloads.SPECTRA))
    response = editor_client.post(
        reverse("admin:research_member_changelist"),
        {"action": "import_from_orcid", "_selected_action": [member.pk]},
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse(
        "admin:publications_importbatch_preview", args=[batch.pk]
    )
    assert "Spectra of SrTiO3" in editor_client.get(response["Location"]).content.decode()


def test_a_typed_orcid_id_that_is_not_one_is_refused(editor_client):
    response = editor_client.post(
        reverse("admin:publications_publication_import_source"),
        {"service": "orcid", "identifier": "0000-0002-1825"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "is not an ORCID iD" in response.content.decode()


def test_a_work_with_fields_of_unexpected_shapes_is_still_imported(sources):
    """What does not have its documented shape is left out, not a crash."""
    odd = payloads.orcid_work(
        4444,
        contributors="Mizoguchi",
        citation="@article{x}",
        **{"external-ids": [], "publication-date": "2022", "journal-title": ["J"]},
    )
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works([payloads.orcid_summary(4444)])
    )
    sources.expect_request(bulk(4444)).respond_with_json(payloads.orcid_bulk(odd))
    sources.expect_request(PERSON).respond_with_json(payloads.ORCID_PERSON)
    call_command("import_orcid", payloads.ORCID_ID)
    paper = Publication.objects.get()
    assert (paper.title_en, paper.year, paper.doi) == ("Work 4444", None, "")


def test_a_put_code_that_is_not_a_number_is_never_requested(sources):
    summary = payloads.orcid_summary("1/../../secret")
    sources.expect_request(WORKS).respond_with_json(payloads.orcid_works([summary]))
    with pytest.raises(CommandError, match="ORCID sent an answer that cannot be read"):
        call_command("import_orcid", payloads.ORCID_ID)
    assert len(sources.log) == 1


def test_an_author_with_an_orcid_id_is_the_person_with_that_id(sources):
    """By name, "Teruyasu Mizoguchi" could be either of two people; the iD says which."""
    with_id = factories.person("Mizoguchi", "T.", orcid=payloads.ORCID_ID)
    factories.person("Mizoguchi", "Teruyasu")
    sources.expect_request(WORKS).respond_with_json(
        payloads.orcid_works([payloads.orcid_summary(1111)])
    )
    sources.expect_request(bulk(1111)).respond_with_json(payloads.orcid_bulk(payloads.SPECTRA))
    call_command("import_orcid", payloads.ORCID_ID)
    authors = Publication.objects.get().ordered_authorships
    assert authors[1].person == with_id
    assert authors[1].as_printed == "Teruyasu Mizoguchi"
