"""Adding papers by DOI or arXiv id (#20 item 1): what an editor pastes, what is looked up,
what the preview shows and what is stored. The services are played by a local server
(the `sources` fixture) answering in each one's documented format
(tests/publications/data/sources/README.md)."""

import io
import json
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from werkzeug import Response

from publications.markup import math_html
from publications.models import ImportBatch, ImportRecord, Person, Publication
from publications.sources import jats, lookup
from publications.sources.identifiers import ARXIV, DOI, Identifier, find
from tests.jobs import confirm, run_tasks

DATA = Path(__file__).parent / "data" / "sources"
DOI_APS = "10.5555/PhysRevB.109.014101"
DOI_ZENODO = "10.5555/zenodo.1234567"


def payload(name):
    return (DATA / name).read_text(encoding="utf-8")


def serve_crossref(sources, doi=DOI_APS, name="crossref_work.json"):
    sources.expect_request(f"/crossref/works/{doi}").respond_with_data(
        payload(name), content_type="application/json"
    )


def serve_not_found(sources, doi):
    sources.expect_request(f"/crossref/works/{doi}").respond_with_data(
        "Resource not found.", status=404
    )
    sources.expect_request(f"/datacite/dois/{doi}").respond_with_json(
        {"errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]},
        status=404,
    )


# --- What is picked out of a paste -------------------------------------------------


def test_identifiers_are_picked_out_of_a_reference_list():
    text = """
    [1] H. Quastel, T. Mizoguchi, Phys. Rev. B 109, 014101 (2024). https://doi.org/10.5555/PhysRevB.109.014101.
    [2] A. Author, Acta Metall. 31, 1 (1983), doi:10.1016/0001-6160(83)90012-3
    [3] H. Quastel, arXiv:2401.00001v2 [cond-mat.mtrl-sci]; see also (https://arxiv.org/abs/cond-mat/0211159v1).
    [4] pp. 1234.5678-1240; 10.48550/arXiv.2101.00001
    2312.12345
    """
    assert find(text) == [
        Identifier(DOI, DOI_APS),
        Identifier(DOI, "10.1016/0001-6160(83)90012-3"),
        Identifier(ARXIV, "2401.00001"),
        Identifier(ARXIV, "cond-mat/0211159"),
        Identifier(ARXIV, "2101.00001"),
        Identifier(ARXIV, "2312.12345"),
    ]


def test_the_same_paper_pasted_twice_is_looked_up_once():
    pasted = f"{DOI_APS}\nhttps://doi.org/{DOI_APS}\ndoi:{DOI_APS.lower()}"
    assert find(pasted) == [Identifier(DOI, DOI_APS)]


def test_text_without_identifiers_says_what_to_paste():
    with pytest.raises(lookup.NoIdentifiers, match="No DOI or arXiv id was found"):
        translation.activate("en")
        lookup.identifiers_in("Mizoguchi et al., Phys. Rev. B (2024)")


# --- JATS → text ------------------------------------------------------------------------


def test_jats_becomes_clean_text_keeping_sub_and_superscripts():
    title = jats.to_text(
        "Fe<jats:sup>3+</jats:sup> in SrTiO<jats:sub>3</jats:sub>, "
        "<jats:italic>in situ</jats:italic>"
    )
    assert title == "Fe$^{3+}$ in SrTiO$_{3}$, in situ"
    assert str(math_html(title)) == "Fe<sup>3+</sup> in SrTiO<sub>3</sub>, in situ"


def test_a_jats_abstract_keeps_its_paragraphs_and_drops_its_heading():
    abstract = jats.to_text(
        "<jats:title>Abstract</jats:title><jats:p>One &amp; <b>two</b>.</jats:p>"
        "<jats:p>Costs $5 &nbsp;now.</jats:p>",
        abstract=True,
    )
    assert abstract == "One & two.\n\nCosts \\$5 now."


# --- Metadata → records ---------------------------------------------------------------------


def test_a_crossref_work_gives_every_field(sources, db):
    serve_crossref(sources)
    [record] = lookup.records_for(find(DOI_APS))
    assert record["fields"] == {
        "title_en": "Iron segregation at SrTiO$_{3}$ grain boundaries",
        "abstract_en": (
            "Grain boundaries of SrTiO$_{3}$ segregate Fe$^{3+}$ ions, observed in situ by ELNES."
            "\n\nA second paragraph costs \\$5 & more."
        ),
        "venue": "Physical Review B",
        "volume": "109",
        "issue": "1",
        "article_number": "014101",
        "year": 2024,
        "month": 1,
        "day": 10,
        "doi": DOI_APS,
        "url": "https://link.aps.org/doi/10.5555/PhysRevB.109.014101",
        "type": "article",
        "status": "published",
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert record["authors"] == [
        ["Hanako Quastel", "Quastel", "Hanako"],
        ["Teruyasu Mizoguchi", "Mizoguchi", "Teruyasu"],
        ["The ELNES Consortium", "The ELNES Consortium", ""],
    ]
    assert record["orcids"] == ["0000-0002-1825-0097", "", ""]


def test_a_doi_crossref_does_not_know_is_asked_of_datacite(sources, db):
    sources.expect_request(f"/crossref/works/{DOI_ZENODO}").respond_with_data("", status=404)
    sources.expect_request(f"/datacite/dois/{DOI_ZENODO}").respond_with_data(
        payload("datacite_doi.json"), content_type="application/vnd.api+json"
    )
    [record] = lookup.records_for(find(DOI_ZENODO))
    assert record["fields"]["title_en"] == "ELNES spectra of oxide grain boundaries: a data set"
    assert record["fields"]["venue"] == "Zenodo"
    assert (record["fields"]["year"], record["fields"]["month"]) == (2023, 6)
    assert record["fields"]["type"] == "other"
    assert record["authors"] == [
        ["Hanako Quastel", "Quastel", "Hanako"],
        ["溝口 照康", "溝口", "照康"],
    ]
    assert record["orcids"] == ["0000-0002-1825-0097", ""]
    assert record["fields"]["license"] == "https://creativecommons.org/licenses/by/4.0/legalcode"


def test_arxiv_ids_are_read_from_one_feed_and_an_unknown_id_is_an_error_row(sources, db):
    sources.expect_request("/arxiv/query").respond_with_data(
        payload("arxiv_feed.xml"), content_type="application/atom+xml"
    )
    translation.activate("en")
    records = lookup.records_for(find("arXiv:2401.00001v2 arXiv:cond-mat/0211159 2401.99999"))
    assert len(sources.log) == 1
    request, _response = sources.log[0]
    assert request.args["id_list"] == "2401.00001,cond-mat/0211159,2401.99999"
    first, old, unknown = records
    assert first["fields"]["title_en"] == (
        "Machine learning of core-loss spectra of $\\alpha$-Fe$_2$O$_3$"
    )
    assert first["fields"]["arxiv_id"] == "2401.00001"
    assert first["fields"]["doi"] == "10.5555/ml.2024.7"  # the journal version: the same paper
    assert first["fields"]["type"] == "preprint"
    assert (first["fields"]["year"], first["fields"]["month"], first["fields"]["day"]) == (
        2024,
        1,
        2,
    )
    assert [a[0] for a in first["authors"]] == ["Hanako Quastel", "Teruyasu Mizoguchi"]
    assert old["fields"]["arxiv_id"] == "cond-mat/0211159"
    assert unknown["error"] == "arXiv does not know arXiv:2401.99999."


# --- The admin journey -------------------------------------------------------------------------


@pytest.fixture
def editor(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def add_url():
    return reverse("admin:publications_publication_add_by_identifier")


def digest(html):
    return re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)


def paste(editor, text, **data):
    """Paste as an editor does: the form queues the lookup and shows its progress page;
    the worker runs; the progress page then sends the editor on. Returns where: the
    preview, or the form again (`?batch=`) when the lookup stopped."""
    response = editor.post(add_url(), {"text": text, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.endswith("/progress/"), response.url
    run_tasks()
    after = editor.get(response.url)
    assert after.status_code == 302
    onward = editor.get(after.url)  # the preview, which sends a stopped lookup back to the form
    return onward.url if onward.status_code == 302 else after.url


def test_a_staff_member_adds_a_paper_by_pasting_its_doi(editor, sources, lab_content):
    """The acceptance journey: changelist → "Add by DOI" → paste → preview → confirm."""
    serve_crossref(sources)
    mizoguchi = Person.objects.get(family_name_en="Mizoguchi", is_lab_member=True)
    changelist = editor.get(reverse("admin:publications_publication_changelist"))
    assert add_url() in changelist.content.decode()

    preview = paste(editor, f"https://doi.org/{DOI_APS}")
    html = editor.get(preview).content.decode()
    assert "Iron segregation at SrTiO$_{3}$ grain boundaries" in html
    assert DOI_APS in html
    assert not Publication.objects.filter(doi=DOI_APS).exists()  # the preview writes nothing

    final = confirm(editor, preview, {"digest": digest(html)})
    assert final.status_code == 302
    paper = Publication.objects.get(doi=DOI_APS)
    assert (paper.venue, paper.volume, paper.issue, paper.article_number) == (
        "Physical Review B",
        "109",
        "1",
        "014101",
    )
    assert (paper.year, paper.month, paper.day) == (2024, 1, 10)
    assert paper.abstract_en.startswith("Grain boundaries of SrTiO$_{3}$")
    assert paper.license == "https://creativecommons.org/licenses/by/4.0/"
    authors = [a.person for a in paper.ordered_authorships]
    assert authors[1] == mizoguchi  # matched to the lab's member, as the BibTeX import does
    assert authors[0].orcid == "0000-0002-1825-0097"  # a new person, with the ORCID iD
    batch = ImportBatch.objects.get()
    assert batch.origin == ImportBatch.Origin.IDENTIFIERS
    assert batch.status == ImportBatch.Status.APPLIED


def test_an_author_is_matched_by_orcid_whatever_the_spelling(editor, sources, db):
    stored = Person.objects.create(
        family_name_en="Quastel-Sato",
        given_name_en="H.",
        slug="quastel-sato",
        orcid="0000-0002-1825-0097",
    )
    serve_crossref(sources)
    preview = paste(editor, DOI_APS)
    html = editor.get(preview).content.decode()
    confirm(editor, preview, {"digest": digest(html)})
    paper = Publication.objects.get(doi=DOI_APS)
    assert paper.ordered_authorships[0].person == stored


def test_the_same_name_with_another_orcid_is_another_person(editor, sources, db):
    other = Person.objects.create(
        family_name_en="Quastel",
        given_name_en="Hanako",
        slug="quastel",
        orcid="0000-0001-5109-3700",
    )
    serve_crossref(sources)
    preview = paste(editor, DOI_APS)
    html = editor.get(preview).content.decode()
    confirm(editor, preview, {"digest": digest(html)})
    first = Publication.objects.get(doi=DOI_APS).ordered_authorships[0].person
    assert first != other
    assert first.orcid == "0000-0002-1825-0097"


def test_a_doi_already_stored_updates_that_paper(editor, sources, db):
    Publication.objects.create(
        title_en="Iron segregation", slug="iron", year=2024, doi=DOI_APS.lower()
    )
    serve_crossref(sources)
    html = editor.get(paste(editor, DOI_APS)).content.decode()
    assert "Matches (same DOI)" in html
    assert "import-row-update" in html


def test_an_unknown_doi_is_an_error_row_in_both_languages(editor, sources, db):
    serve_not_found(sources, "10.5555/nothing")
    html = editor.get(paste(editor, "10.5555/nothing")).content.decode()
    assert "Neither Crossref nor DataCite knows the DOI 10.5555/nothing: check it." in html
    editor.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    html = editor.get(paste(editor, "10.5555/nothing")).content.decode()
    assert "10.5555/nothing" in html
    assert "Neither Crossref" not in html


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, "Service Unavailable", "Crossref is unavailable at the moment (HTTP 503)."),
        (429, "Too Many Requests", "Crossref is receiving too many requests. Try again later."),
        (200, '{"status": "ok", "message": ', "Crossref sent an answer that cannot be read"),
    ],
)
def test_a_service_down_gives_a_message_and_no_batch(editor, sources, db, status, body, expected):
    sources.expect_request(f"/crossref/works/{DOI_APS}").respond_with_data(
        body, status=status, content_type="application/json"
    )
    back = paste(editor, DOI_APS)
    assert back == f"{add_url()}?batch={ImportBatch.objects.get().pk}"
    response = editor.get(back)
    assert response.status_code == 503
    html = response.content.decode()
    assert expected in html
    assert "Nothing was imported." in html
    assert DOI_APS in html  # the paste, to try again
    assert not ImportBatch.objects.exists()


def test_the_outage_message_is_in_japanese_on_the_japanese_admin(editor, sources, db):
    editor.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    sources.expect_request(f"/crossref/works/{DOI_APS}").respond_with_data("down", status=503)
    html = editor.get(paste(editor, DOI_APS)).content.decode()
    assert "Crossref は現在利用できません（HTTP 503）" in html


def test_a_paste_without_identifiers_is_a_400(editor, db):
    response = editor.post(add_url(), {"text": "Phys. Rev. B 109 (2024)"})
    assert response.status_code == 400
    assert "No DOI or arXiv id was found" in response.content.decode()


def test_too_many_identifiers_for_one_paste(editor, db, settings):
    settings.LABSITE_IDENTIFIERS_MAX = 2
    response = editor.post(add_url(), {"text": "10.5555/a 10.5555/b 10.5555/c"})
    assert response.status_code == 413
    assert "paste at most 2 at a time" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_form_is_there_in_both_languages(editor, db):
    assert "DOIs or arXiv ids" in editor.get(add_url()).content.decode()
    editor.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    assert "DOIs or arXiv ids" not in editor.get(add_url()).content.decode()


# --- The command ---------------------------------------------------------------------------------


def test_the_command_adds_papers_with_a_progress_bar(sources, db, tmp_path):
    serve_crossref(sources)
    serve_not_found(sources, "10.5555/nothing")
    for n in range(4):
        sources.expect_request(f"/crossref/works/10.5555/copy.{n}").respond_with_data(
            payload("crossref_work.json")
            .replace(DOI_APS, f"10.5555/copy.{n}")
            .replace("Iron segregation", f"Copy {n}: iron segregation"),
            content_type="application/json",
        )
    listing = tmp_path / "refs.txt"
    listing.write_text("\n".join(f"doi:10.5555/copy.{n}" for n in range(4)) + "\n10.5555/nothing\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "add_papers", DOI_APS, "--file", str(listing), "--skip-errors", stdout=out, stderr=err
    )
    assert Publication.objects.filter(doi__startswith="10.5555/").count() == 5
    assert "6/6" in err.getvalue()  # tqdm's bar reached the end
    assert "error     6. 10.5555/nothing: Neither Crossref nor DataCite knows" in out.getvalue()
    assert "5 new" in out.getvalue()


def test_the_command_fails_when_a_service_is_down(sources, db):
    sources.expect_request(f"/crossref/works/{DOI_APS}").respond_with_data("down", status=503)
    with pytest.raises(CommandError, match=r"Crossref is unavailable.*Nothing was imported"):
        call_command("add_papers", DOI_APS, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ImportBatch.objects.exists()


def test_the_command_writes_nothing_on_a_dry_run(sources, db):
    serve_crossref(sources)
    out = io.StringIO()
    call_command("add_papers", DOI_APS, "--dry-run", stdout=out, stderr=io.StringIO())
    assert "new       1. 10.5555/PhysRevB.109.014101: Iron segregation" in out.getvalue()
    assert not Publication.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_payload_files_are_what_the_services_document():
    # The fixtures are JSON / Atom as documented (a typo would test a format no service sends).
    assert json.loads(payload("crossref_work.json"))["message-type"] == "work"
    assert json.loads(payload("datacite_doi.json"))["data"]["type"] == "dois"
    assert payload("arxiv_feed.xml").startswith('<?xml version="1.0" encoding="UTF-8"?>\n<feed')


def test_a_lab_paper_without_doi_gets_its_doi_and_abstract(editor, sources, lab_content):
    """The lab's papers mostly have no DOI: pasting one updates the stored paper (same
    title and year, authors compatible) instead of adding it twice."""
    stored = Publication.objects.get(title_en__startswith="Band structure database of layered")
    assert not stored.doi
    work = json.loads(payload("crossref_work.json"))
    work["message"].update(
        DOI="10.5555/s41597-024-04094-9",
        title=[stored.title_en],
        author=[
            {"given": "Naoto", "family": "Kawaguchi", "sequence": "first"},
            {"given": "Kiyou", "family": "Shibata", "sequence": "additional"},
            {"given": "Teruyasu", "family": "Mizoguchi", "sequence": "additional"},
        ],
        issued={"date-parts": [[2024, 11, 15]]},
        volume="11",
        **{"container-title": ["Scientific Data"], "article-number": "1244"},
    )
    del work["message"]["issue"]
    sources.expect_request("/crossref/works/10.5555/s41597-024-04094-9").respond_with_json(work)
    count = Publication.objects.count()
    preview = paste(editor, "https://doi.org/10.5555/s41597-024-04094-9")
    html = editor.get(preview).content.decode()
    assert "import-row-update" in html
    confirm(editor, preview, {"digest": digest(html)})
    stored.refresh_from_db()
    assert stored.doi == "10.5555/s41597-024-04094-9"
    assert stored.abstract_en.startswith("Grain boundaries")
    assert stored.license == "https://creativecommons.org/licenses/by/4.0/"
    assert Publication.objects.count() == count


def test_an_added_paper_is_undone_like_a_bibtex_import(editor, sources, db):
    serve_crossref(sources)
    preview = paste(editor, DOI_APS)
    confirm(editor, preview, {"digest": digest(editor.get(preview).content.decode())})
    batch = ImportBatch.objects.get()
    queued = editor.post(reverse("admin:publications_importbatch_undo", args=[batch.pk]))
    assert queued.status_code == 302
    run_tasks()
    assert not Publication.objects.filter(doi=DOI_APS).exists()
    assert not Person.objects.filter(orcid="0000-0002-1825-0097").exists()


def test_a_timeout_gives_a_message_and_no_batch(editor, sources, db, settings):
    settings.LABSITE_SOURCE_TIMEOUT = 0.2

    def slow(request):
        time.sleep(1)
        return Response("{}", content_type="application/json")

    sources.expect_request(f"/crossref/works/{DOI_APS}").respond_with_handler(slow)
    response = editor.get(paste(editor, DOI_APS))
    assert response.status_code == 503
    assert "Crossref did not answer within 0.2 seconds." in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("count", [1, 8])
def test_the_paste_costs_the_same_queries_for_one_identifier_or_many(
    editor, sources, db, count, django_assert_num_queries
):
    dois = [f"10.5555/q.{n}" for n in range(count)]
    for doi in dois:
        work = json.loads(payload("crossref_work.json"))
        work["message"].update(DOI=doi, title=[f"Paper {doi}"])
        sources.expect_request(f"/crossref/works/{doi}").respond_with_json(work)
    editor.get(add_url())  # the session and the user, loaded once
    # The request stores the identifiers and queues their lookup: no service is asked.
    with django_assert_num_queries(13):
        response = editor.post(add_url(), {"text": "\n".join(dois)})
    assert response.status_code == 302
    assert not sources.log
    run_tasks()
    assert ImportRecord.objects.filter(batch=ImportBatch.objects.get()).count() == count


def test_a_record_of_an_unexpected_shape_is_an_error_row_not_a_crash(sources, db):
    work = json.loads(payload("crossref_work.json"))
    work["message"]["resource"] = "not an object"
    sources.expect_request(f"/crossref/works/{DOI_APS}").respond_with_json(work)
    serve_crossref(sources, doi="10.5555/fine", name="crossref_work.json")
    translation.activate("en")
    broken, fine = lookup.records_for(find(f"{DOI_APS} 10.5555/fine"))
    assert broken["error"] == f"Crossref's record for {DOI_APS} cannot be read."
    assert fine["fields"]["title_en"] == "Iron segregation at SrTiO$_{3}$ grain boundaries"


# --- Long lists in the background (#20 item 1, #19 "no request does more than a few seconds")


def serve_copies(sources, count, prefix="copy"):
    """`count` Crossref works 10.5555/<prefix>.N, each its own paper."""
    dois = [f"10.5555/{prefix}.{n}" for n in range(count)]
    for n, doi in enumerate(dois):
        work = json.loads(payload("crossref_work.json"))
        work["message"].update(
            DOI=doi,
            title=[f"Study {n} of grain boundary number {n * 7919 % 1000}"],
            volume=str(100 + n),
        )
        work["message"]["article-number"] = f"{n:06d}"
        sources.expect_request(f"/crossref/works/{doi}").respond_with_json(work)
    return dois


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_reference_list_of_41_identifiers_is_looked_up_in_the_background(
    editor, sources, db, language
):
    """Paste → progress page → the worker looks up → preview → confirm → undo."""
    editor.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    dois = serve_copies(sources, 38)
    sources.expect_request("/arxiv/query").respond_with_data(
        payload("arxiv_feed.xml"), content_type="application/atom+xml"
    )
    pasted = "\n".join(
        [
            f"[{n + 1}] A. Author, J. Test {n} (2024), https://doi.org/{doi}."
            for n, doi in enumerate(dois)
        ]
        + [
            "[39] arXiv:2401.00001v2",
            "[40] https://arxiv.org/abs/cond-mat/0211159",
            "[41] 2401.99999",
        ]
    )
    response = editor.post(add_url(), {"text": pasted})
    assert response.status_code == 302
    assert not sources.log  # nothing was asked in the request
    batch = ImportBatch.objects.get()
    waiting = editor.get(response.url).content.decode()
    assert '<meta http-equiv="refresh"' in waiting
    expected = {
        "en": ("Add by DOI or arXiv id: looking up", "Waiting for the worker…"),
        "ja": ("DOI・arXiv ID から追加：問い合わせ中", "ワーカーの順番を待っています…"),
    }[language]
    assert all(text in waiting for text in expected)

    run_tasks()
    assert len(sources.log) == 39  # 38 DOIs, and the 3 arXiv ids in one request
    preview = editor.get(response.url).url
    assert preview == f"/admin/publications/importbatch/{batch.pk}/preview/"
    html = editor.get(preview).content.decode()
    assert "Study 0 of grain boundary" in html
    assert ("arXiv does not know arXiv:2401.99999." in html) == (language == "en")
    assert ImportBatch.objects.get().plan_summary["total"] == 41
    assert ImportBatch.objects.get().plan_summary["counts"]["error"] == 1
    assert not Publication.objects.exists()

    final = confirm(editor, preview, {"digest": digest(html), "skip_errors": "1"})
    assert final.status_code == 302
    assert Publication.objects.count() == 40
    assert set(Publication.objects.values_list("arxiv_id", flat=True)) >= {
        "2401.00001",
        "cond-mat/0211159",
    }
    queued = editor.post(reverse("admin:publications_importbatch_undo", args=[batch.pk]))
    assert queued.status_code == 302
    run_tasks()
    assert not Publication.objects.exists()


def test_the_progress_page_counts_the_lookups(editor, db):
    batch = ImportBatch.objects.create(
        source=ImportBatch.Source.ADMIN,
        origin=ImportBatch.Origin.IDENTIFIERS,
        job=ImportBatch.Job.RUNNING,
        job_options={"action": "lookup"},
        progress_step="lookup",
        progress_done=20,
        progress_total=45,
    )
    url = reverse("admin:publications_importbatch_progress", args=[batch.pk])
    html = editor.get(url).content.decode()
    assert "Looking up the identifiers: 20 of 45" in html
    assert 'max="45" value="20"' in html
    japanese = editor.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "識別子を問い合わせています：45 件中 20 件" in japanese


def test_a_service_down_mid_way_ends_the_job_with_the_reason_and_no_batch(editor, sources, db):
    dois = serve_copies(sources, 5)
    for n in range(5, 12):
        sources.expect_request(f"/crossref/works/10.5555/copy.{n}").respond_with_data(
            "Service Unavailable", status=503
        )
    pasted = "\n".join([*dois, *(f"10.5555/copy.{n}" for n in range(5, 12))])
    back = paste(editor, pasted)
    assert back.startswith(f"{add_url()}?batch=")
    response = editor.get(back)
    assert response.status_code == 503
    html = response.content.decode()
    assert (
        "Crossref is unavailable at the moment (HTTP 503). Try again later. Nothing was imported."
        in html
    )
    assert "10.5555/copy.11" in html  # the paste is there to try again
    assert not ImportBatch.objects.exists()
    assert not ImportRecord.objects.exists()
    assert not Publication.objects.exists()
    # Shown once: the form is empty again afterwards.
    assert "Nothing was imported" not in editor.get(back).content.decode()


def test_the_identifiers_bound_at_the_limit_and_one_past(editor, db, settings):
    limit = settings.LABSITE_IDENTIFIERS_MAX
    assert limit == 1000
    at_limit = "\n".join(f"10.5555/bound.{n}" for n in range(limit))
    response = editor.post(add_url(), {"text": at_limit})
    assert response.status_code == 302
    assert len(ImportBatch.objects.get().job_options["identifiers"]) == limit
    past = at_limit + "\n10.5555/bound.one-more"
    response = editor.post(add_url(), {"text": past})
    assert response.status_code == 413
    assert (
        "1,001 identifiers were found; paste at most 1,000 at a time" in response.content.decode()
    )
    assert ImportBatch.objects.count() == 1


def test_the_paste_size_bound_at_the_limit_and_one_past(editor, db, settings):
    limit = settings.LABSITE_IDENTIFIERS_MAX_CHARS
    line = "10.5555/size.0 "
    at_limit = line + "x" * (limit - len(line))
    response = editor.post(add_url(), {"text": at_limit})
    assert response.status_code == 302
    response = editor.post(add_url(), {"text": at_limit + "x"})
    assert response.status_code == 413
    assert "The text is too long (500,001 characters; at most 500,000)" in (
        response.content.decode()
    )
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize("value", ["abc", "9" * 40, "-1", "1"])
def test_a_hostile_batch_parameter_is_an_empty_form(editor, db, value):
    response = editor.get(f"{add_url()}?batch={value}")
    assert response.status_code == 200
    assert 'class="errornote"' not in response.content.decode()


def test_stop_waiting_brings_the_paste_back_and_the_worker_skips_it(editor, sources, db):
    serve_crossref(sources)
    response = editor.post(add_url(), {"text": DOI_APS})
    progress = response.url
    assert "Stop waiting" in editor.get(progress).content.decode()
    back = editor.post(progress, {"cancel": "1"})
    assert back.status_code == 302
    form = editor.get(editor.get(back.url).url)
    html = form.content.decode()
    assert "The lookup was stopped; nothing was imported." in html
    assert DOI_APS in html
    [result] = run_tasks()
    assert result.return_value == "not queued"
    assert not sources.log
    assert not ImportBatch.objects.exists()
