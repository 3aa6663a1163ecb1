"""The parsers of publications/sources/ on answers the real services gave, recorded by
other projects (tests/publications/data/recorded/: PROVENANCE.md in each folder says
from where). What is checked is what an editor or a visitor sees: the title with its
sub- and superscripts, the authors in order, the venue, the year, volume and pages, the
DOI, an abstract without markup. The services are played by the local server (the
`sources` fixture) serving the recorded bodies as they were."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from publications.markup import math_html
from publications.models import Publication
from publications.sources import crossref, doi_search, orcid, researchmap_export
from publications.sources.identifiers import DOI, Identifier, find
from publications.sources.lookup import records_for
from tests import factories
from tests.publications import sources_payloads as payloads

RECORDED = Path(__file__).parent / "data" / "recorded"
TAG = re.compile(r"</?[A-Za-z]")

pytestmark = pytest.mark.django_db


def recorded(path):
    return (RECORDED / path).read_text(encoding="utf-8")


def recorded_json(path):
    return json.loads(recorded(path))


def serve_work(sources, doi, name):
    sources.expect_request(f"/crossref/works/{doi}").respond_with_data(
        recorded(f"crossref/{name}"), content_type="application/json"
    )


def record_of_item(name):
    """An item of a recorded /works list: the same work object as /works/{doi} gives."""
    item = recorded_json(f"crossref/{name}")
    return crossref.to_record(1, Identifier(DOI, item["DOI"]), item)


def printed(record):
    return [author[0] for author in record["authors"]]


# --- Crossref, GET /works/{doi} -------------------------------------------------------------


def test_a_recorded_journal_article_is_stored_as_a_reader_expects(sources):
    serve_work(sources, "10.1002/jor.1100150407", "work-10.1002_jor.1100150407.json")
    call_command("add_papers", "doi:10.1002/jor.1100150407", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    paper = Publication.objects.get()
    assert paper.title_en == (
        "Growth hormone secretagogue increases muscle strength during remobilization after "
        "canine hindlimb immobilization"
    )
    assert [a.as_printed for a in paper.ordered_authorships][:3] == [
        "Richard L. Lieber", "Thomas M. Jacks", "Randall L. Mohler"
    ]  # fmt: skip
    assert len(paper.ordered_authorships) == 12
    assert (paper.venue, paper.volume, paper.issue, paper.pages) == (
        "Journal of Orthopaedic Research", "15", "4", "519-527"
    )  # fmt: skip
    assert (paper.year, paper.doi, paper.type) == (1997, "10.1002/jor.1100150407", "article")
    # The abstract Crossref passes on in JATS (<jats:title>, <jats:p>): its text, its heading
    # dropped, the entities read ("p &lt; 0.001"), no tag left.
    assert paper.abstract_en.startswith("Twenty‐two beagles were divided into two equal groups")
    assert "(p < 0.001)" in paper.abstract_en
    assert not TAG.search(paper.abstract_en)


def test_sub_and_superscripts_of_a_recorded_title_and_abstract_are_kept(db):
    record = record_of_item("item-10.1039_d0ce00680g.json")
    title = record["fields"]["title_en"]
    assert title == (
        "Encapsulation of the [Ru(bpy)$_{3}$]$^{2+}$ luminophore in a unique hydrogen-bonded "
        "host framework"
    )
    assert "[Ru(bpy)<sub>3</sub>]<sup>2+</sup>" in str(math_html(title))
    assert record["fields"]["abstract_en"].startswith(
        "One-dimensional networks of the well-known photosensitizer [Ru(bpy)$_{3}$]$^{2+}$"
    )
    assert (record["fields"]["venue"], record["fields"]["pages"]) == ("CrystEngComm", "3749-3752")
    # An italic letter inside a subscript (c<sub><i>p</i></sub>): the subscript, no italics.
    old = record_of_item("item-10.1002_zaac.19271660112.json")
    assert "c$_{p}$ – C$_{v}$" in old["fields"]["title_en"]
    assert printed(old) == ["W. Herz"]


def test_a_recorded_chemical_formula_and_mathml_power_read_right(db):
    """C<jats:sub>10</jats:sub>H<jats:sub>9</jats:sub>… and a MathML 10<msup>9</msup>: the
    power was read "109" before (22.2×109 /L for 22.2×10⁹ /L)."""
    acta = record_of_item("item-10.1107_s2414314617004448.json")["fields"]
    assert acta["title_en"] == "5,7-Dimethyl-1H-indole-2,3-dione"  # 1<i>H</i>: no italics
    assert "C$_{10}$H$_{9}$NO$_{2}$" in acta["abstract_en"]
    assert "C<sub>10</sub>H<sub>9</sub>NO<sub>2</sub>" in str(math_html(acta["abstract_en"]))
    case = record_of_item("item-10.1155_2011_373482.json")["fields"]
    assert "increased (22.2×10$^{9}$\u2009/L)" in case["abstract_en"]  # a thin space
    assert "10<sup>9</sup>" in str(math_html(case["abstract_en"]))


def test_a_recorded_structured_abstract_keeps_its_sections_as_paragraphs(sources):
    doi = "10.1136/jclinpath-2020-206745"
    serve_work(sources, doi, "work-10.1136_jclinpath-2020-206745.json")
    [record] = records_for([Identifier(DOI, doi)])
    fields = record["fields"]
    # Gene names in italics (<i>KRAS</i>), one per line in Crossref's title: plain words.
    assert fields["title_en"].startswith("Construction of a reference material panel for "
                                         "detecting KRAS")  # fmt: skip
    assert not TAG.search(fields["title_en"]) and "\n" not in fields["title_en"]
    paragraphs = fields["abstract_en"].split("\n\n")
    assert paragraphs[:2] == [
        "Background",
        "The absence of high-quality next-generation sequencing (NGS) reference material (RM) "
        "has impeded the clinical use of liquid biopsies with plasma cell-free DNA (cfDNA) in "
        "China.",
    ]
    assert not TAG.search(fields["abstract_en"])
    # Crossref's `issued` is the online date (2020); the printed volume came in 2021.
    assert (fields["year"], fields["volume"], fields["pages"]) == (2020, "74", "314-320")


def test_a_recorded_article_number_is_not_also_the_pages(sources):
    """ESMO Open gives its article number both as `page` and `article-number`."""
    doi = "10.1136/esmoopen-2020-000776"
    serve_work(sources, doi, "work-10.1136_esmoopen-2020-000776.json")
    serve_work(sources, "10.1038/srep16696", "work-10.1038_srep16696.json")
    esmo, nature = records_for([Identifier(DOI, doi), Identifier(DOI, "10.1038/srep16696")])
    assert esmo["fields"]["article_number"] == "e000776"
    assert "pages" not in esmo["fields"]
    assert (nature["fields"]["article_number"], nature["fields"]["volume"]) == ("16696", "5")
    assert "pages" not in nature["fields"]
    assert nature["fields"]["license"] == "https://creativecommons.org/licenses/by/4.0"


def test_a_recorded_proceedings_paper_without_a_date_is_stored_undated(sources):
    doi = "10.1109/icdcsw.2003.1203662"
    serve_work(sources, doi, "work-10.1109_icdcsw.2003.1203662.json")
    [record] = records_for([Identifier(DOI, doi)])
    fields = record["fields"]
    assert fields["type"] == "conference"
    assert fields["venue"] == (
        "23rd International Conference on Distributed Computing Systems Workshops, 2003. "
        "Proceedings."
    )
    assert fields["pages"] == "877-882"
    # Crossref's `issued` is [[null]] for this one: no year rather than a wrong one.
    assert "year" not in fields
    assert printed(record) == ["V. Arya", "T. Turletti"]


def test_a_recorded_book_chapter_is_a_chapter_of_its_book(db):
    record = record_of_item("item-10.1016_b978-0-08-102696-0.00020-8.json")
    fields = record["fields"]
    assert (fields["type"], fields["venue"], fields["pages"], fields["year"]) == (
        "chapter", "Sensor Technologies for Civil Infrastructures", "427-455", 2022
    )  # fmt: skip
    assert printed(record) == ["D. Zonta"]


# --- DataCite, GET /dois/{doi} (after Crossref's recorded 404) ----------------------------


def serve_datacite(sources, doi, name):
    sources.expect_request(f"/crossref/works/{doi}").respond_with_data(
        "Resource not found.",
        status=404,  # Crossref's recorded answer for a DOI it lacks
    )
    sources.expect_request(f"/datacite/dois/{doi}").respond_with_data(
        recorded(f"datacite/{name}"), content_type="application/json"
    )


def test_a_recorded_datacite_conference_paper(sources):
    doi = "10.18429/jacow-ipac2016-tupmy003"
    serve_datacite(sources, doi, "doi-10.18429_jacow-ipac2016-tupmy003.json")
    [record] = records_for(find(doi))
    fields = record["fields"]
    assert fields["title_en"] == (
        "Development of Muon LINAC for the Muon g-2/EDM Experiment at J-PARC"
    )
    assert printed(record)[:2] == ["Masashi Otani", "Kazuo Hasegawa"]
    # resourceTypeGeneral "Text", resourceType "ConferencePaper": a conference paper.
    assert fields["type"] == "conference"
    assert fields["venue"] == "Proceedings of the 7th Int. Particle Accelerator Conf."
    # The container's "firstPage" is "Korea" (the conference's country): not pages.
    assert "pages" not in fields
    assert (fields["year"], fields["license"]) == (
        2016, "https://creativecommons.org/licenses/by/3.0"
    )  # fmt: skip


def test_a_recorded_datacite_record_gives_its_authors_orcid_id(sources):
    doi = "10.5438/4k3m-nyvg"
    serve_datacite(sources, doi, "doi-10.5438_4k3m-nyvg.json")
    [record] = records_for(find(doi))
    fields = record["fields"]
    assert (fields["title_en"], fields["venue"]) == ("Eating your own Dog Food", "DataCite")
    assert printed(record) == ["Martin Fenner"]
    assert record["orcids"] == ["0000-0003-1419-2405"]
    assert (fields["year"], fields["month"], fields["day"]) == (2016, 12, 20)
    assert fields["type"] == "other"  # a blog post
    assert fields["license"].startswith("https://creativecommons.org/licenses/by/4.0")


def test_a_recorded_datacite_thesis(sources):
    doi = "10.3204/desy-2014-01645"
    serve_datacite(sources, doi, "doi-10.3204_desy-2014-01645.json")
    [record] = records_for(find(doi))
    fields = record["fields"]
    assert fields["type"] == "thesis"
    assert printed(record) == ["Heiko Conrad"]
    assert fields["year"] == 2014
    # The "Series" container says "University of Hamburg", "Diss.", "2014": no volume or pages.
    assert "volume" not in fields and "pages" not in fields


# --- arXiv, GET /api/query?id_list= -------------------------------------------------------


def serve_arxiv(sources, name):
    sources.expect_request("/arxiv/query").respond_with_data(
        recorded(f"arxiv/{name}"), content_type="application/atom+xml"
    )


def test_a_recorded_feed_with_an_id_arxiv_does_not_have(sources):
    serve_arxiv(sources, "query-id_list-0808.05394,1707.08567.xml")
    translation.activate("en")
    unknown, known = records_for(find("arXiv:0808.05394 arXiv:1707.08567"))
    assert unknown["error"] == "arXiv does not know arXiv:0808.05394."
    fields = known["fields"]
    assert fields["title_en"] == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    )
    assert (fields["arxiv_id"], fields["type"], fields["venue"]) == (
        "1707.08567", "preprint", "arXiv"
    )  # fmt: skip
    assert (fields["year"], fields["month"], fields["day"]) == (2017, 7, 27)
    assert printed(known)[0] == "Kees A. Schouhamer Immink"


def test_a_recorded_old_style_arxiv_id(sources):
    serve_arxiv(sources, "query-id_list-astro-ph_0601001.xml")
    [record] = records_for(find("astro-ph/0601001"))
    fields = record["fields"]
    assert fields["arxiv_id"] == "astro-ph/0601001"
    assert fields["url"] == "https://arxiv.org/abs/astro-ph/0601001"
    assert printed(record) == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi",
                               "Andrzej Udalski"]  # fmt: skip
    assert (fields["year"], fields["month"]) == (2006, 1)
    # The summary's line breaks and leading spaces go; its TeX stays as the authors wrote it.
    assert fields["abstract_en"].startswith("We derive the frequencies of hot Jupiters")
    assert "(1/310)(1^{+1.39}_{-0.59})" in fields["abstract_en"]


# --- ORCID, GET /v3.0/{orcid}/works and /works/{put-codes} --------------------------------

COUCH = "0000-0002-7416-5858"


def test_a_recorded_orcid_work_is_imported_with_its_authors_and_identifiers(sources):
    work = recorded_json("orcid/work-0000-0002-7416-5858-154061860.json")
    # The list around the work is constructed (ORCID's documented shape); the work is recorded.
    summary = payloads.orcid_summary(154061860)
    sources.expect_request(f"/orcid/{COUCH}/works").respond_with_json(
        payloads.orcid_works([summary])
    )
    sources.expect_request(f"/orcid/{COUCH}/works/154061860").respond_with_json({"bulk": [
        {"work": work}
    ]})  # fmt: skip
    call_command("import_orcid", COUCH, stdout=io.StringIO(), stderr=io.StringIO())
    paper = Publication.objects.get()
    assert paper.title_en == (
        "Possibility of entanglement of purification to be less than half of the reflected entropy"
    )
    # Credit names written "Family, Given": each author's family name is the family name.
    authors = paper.ordered_authorships
    assert [(a.person.family_name_en, a.person.given_name_en) for a in authors] == [
        ("Couch", "Josiah"), ("Nguyen", "Phuc"), ("Racz", "Sarah"), ("Stratis", "Georgios"),
        ("Zhang", "Yuxuan"),
    ]  # fmt: skip
    assert [a.person.orcid for a in authors] == [COUCH, "", "", "0000-0002-1346-8417",
                                                 "0000-0001-5477-8924"]  # fmt: skip
    # Volume, issue and the article number come from the work's own BibTeX citation.
    assert (paper.venue, paper.volume, paper.issue) == ("Phys.Rev.A", "109", "2")
    assert "022426" in (paper.pages, paper.article_number)
    assert paper.doi.lower() == "10.1103/physreva.109.022426"
    assert paper.arxiv_id == "2309.02506"
    assert (paper.year, paper.month, paper.day) == (2024, 2, 20)


def test_orcids_sample_with_credit_roles_keeps_the_authors_not_the_staff(db):
    """ORCID's own sample (orcid-model, v3.0): contributors with CRediT roles are authors;
    "support-staff" and "co-investigator" are not."""
    work = recorded_json("orcid/orcid-model-sample-work-with-NISO-roles-51-contributors-3.0.json")
    contributors = orcid.contributors(work)
    roles = [c["contributor-attributes"]["contributor-role"] for c in contributors]
    names, truncated, _ids = orcid._authors(work, owner="")
    assert len(names) == sum(
        1 for role in roles if role == "author" or role.startswith("http://credit.niso.org/")
    )
    assert names[:2] == ["Jordan", "Fran"]
    assert not truncated


# --- researchmap, GET /{permalink}/published_papers ---------------------------------------

TAKAMI = "takamikyo"


def import_takami(sources, *numbers):
    items = recorded_json("researchmap/takamikyo_published_papers.json")
    chosen = [items[n] for n in numbers] if numbers else items
    # The page around the items is constructed (researchmap's list); the items are recorded.
    page = payloads.researchmap_page(chosen)
    sources.expect_request(f"/researchmap/{TAKAMI}/published_papers").respond_with_json(page)
    # Papers only: the import reads presentations, awards and patents too unless told.
    call_command(
        "import_researchmap",
        TAKAMI,
        "--kind",
        "published_papers",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def test_recorded_researchmap_papers_are_imported(sources):
    import_takami(sources)
    assert Publication.objects.count() == 38
    paper = Publication.objects.get(doi__iexact="10.1186/s40561-023-00282-6")
    assert paper.title_en == (
        "Personality-based tailored explainable recommendation for trustworthy smart learning "
        "system in the age of artificial intelligence"
    )
    assert [a.as_printed for a in paper.ordered_authorships] == [
        "Kyosuke Takami", "Brendan Flanagan", "Yiling Dai", "Hiroaki Ogata"
    ]  # fmt: skip
    assert (paper.venue, paper.volume, paper.year, paper.month) == (
        "Smart Learning Environments", "10", 2023, 12
    )  # fmt: skip
    # researchmap's `is_international_collaboration` (false here) and `referee` (true).
    assert (paper.peer_reviewed, paper.international_coauthorship) == (True, False)


def test_a_recorded_title_typed_in_researchmaps_japanese_field_is_english(sources):
    import_takami(sources, 2)  # paper_title {"ja": "Examining motivational factors …"}
    paper = Publication.objects.get()
    assert paper.title_en.startswith("Examining motivational factors influencing")
    assert not paper.title_ja
    assert paper.doi.lower() == "10.1080/10494820.2025.2484659"


def test_a_recorded_preprint_keeps_its_arxiv_id_and_no_stray_author(sources):
    import_takami(sources, 6)  # 82 "authors", the second of them ":"
    paper = Publication.objects.get()
    assert paper.arxiv_id == "2407.03963"
    printed_names = [a.as_printed for a in paper.ordered_authorships]
    assert ":" not in printed_names
    assert printed_names[:2] == ["LLM-jp", "Akiko Aizawa"]


def test_a_recorded_japanese_paper_of_researchmap(sources):
    """From a researchmap JSON export: its `merge` object has the API item's fields (the
    item's `rm:id` is the export's `insert.id`)."""
    lines = recorded("researchmap/shinyame_export_published_papers.jsonl").splitlines()
    exported = [json.loads(line) for line in lines]
    items = [{"rm:id": e["insert"]["id"], **e["merge"]} for e in exported]
    sources.expect_request("/researchmap/shinyame/published_papers").respond_with_json(
        payloads.researchmap_page(items)
    )
    call_command(
        "import_researchmap",
        "shinyame",
        "--kind",
        "published_papers",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Publication.objects.count() == 6
    paper = Publication.objects.get(title_ja__startswith="コミュニティ連携に向けた")
    assert paper.title_ja.endswith("Toward online wide-area deployment and individual "
                                   "optimization of technical learning")  # fmt: skip
    assert [a.as_printed for a in paper.ordered_authorships] == [
        "宮川 慎也", "遠藤 守", "浦田 真由", "安田 孝美"
    ]  # fmt: skip
    assert paper.ordered_authorships[0].person.family_name_ja == "宮川"
    assert (paper.venue, paper.volume, paper.issue, paper.pages) == (
        "実践政策学 = Policy and practice studies", "10", "1", "33-40"
    )  # fmt: skip
    assert (paper.year, paper.month, paper.language) == (2024, 6, "ja")
    assert paper.peer_reviewed is True
    # No DOI; the first "url" link of see_also (the National Diet Library's record).
    assert (paper.doi, paper.url) == ("", "http://id.ndl.go.jp/bib/033648103")
    english = Publication.objects.get(doi__iexact="10.34382/0002001109")
    assert [a.as_printed for a in english.ordered_authorships][:2] == [
        "Shinya MIYAGAWA", "Mamoru Endo"
    ]  # fmt: skip


# --- researchmap's bulk import CSV (the export) ---------------------------------------------


def recorded_export():
    text = recorded("researchmap/TakehitoSeki_rm_published_papers.head.csv")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_has_the_columns_of_a_recorded_researchmap_export():
    """The header of a CSV researchmap itself exported (published_papers): the same columns
    in the same order, and the same first line naming the kind."""
    real = recorded_export()
    ours = list(csv.reader(io.StringIO(researchmap_export.to_csv([]))))
    assert ours[0] == real[0] == ["published_papers"]
    assert ours[1] == real[1] == researchmap_export.HEADER


def test_an_exported_row_writes_authors_as_researchmap_does(db):
    """researchmap writes several authors as "[a,b]" (the recorded export's rows)."""
    real = recorded_export()
    row = dict(zip(real[1], real[2], strict=True))
    assert row["著者(英語)"].startswith("[Yoshiki O. Murakami,Takehito Seki,")
    seki = factories.person("Seki", "Takehito")
    shibata = factories.person("Shibata", "Naoya")
    paper = factories.paper("Incommensurate grain-boundary atomic structure", year=2023,
                            authors=[seki, shibata], venue="Nature Communications",
                            volume="14", pages="7806")  # fmt: skip
    paper = Publication.objects.with_authors().get(pk=paper.pk)
    ours = researchmap_export.row(paper)
    assert ours["著者(英語)"] == "[Takehito Seki,Naoya Shibata]"
    assert (ours["巻"], ours["開始ページ"]) == ("14", "7806")
    assert ours["掲載種別"] == "scientific_journal"


# --- Crossref, GET /works?query.bibliographic= (the DOI finder's search) ------------------

BOETTIGER = "crossref/works-query-ecology-author-carl-boettiger.json"


def candidates_for(sources, paper):
    sources.expect_request("/crossref/works").respond_with_data(
        recorded(BOETTIGER), content_type="application/json"
    )
    paper = Publication.objects.with_authors().get(pk=paper.pk)
    found = doi_search.search(paper)
    request, _response = sources.log[-1]
    first_author = paper.ordered_authorships[0].person.family_name_en
    assert request.args["query.author"] == first_author
    return found


def stored_paper(title, year, venue, authors, **fields):
    """A paper as a lab would have typed it: plain title, abbreviated journal, its authors
    [(family, given)] in order."""
    people = [factories.person(family, given) for family, given in authors]
    return factories.paper(title, year=year, authors=people, venue=venue, **fields)


def test_in_a_recorded_search_the_right_work_comes_first(sources):
    """A real answer of Crossref's search for Carl Boettiger's works: twenty of his papers,
    all candidates by the same author in the same few journals. Stored as a lab would type
    it, "treebase" (whose Crossref title is "<scp>T</scp>reebase: an<scp>R</scp>package")
    is found first, with a score that stands out."""
    paper = stored_paper(
        "treebase: an R package for discovery, access and manipulation of online phylogenies",
        2012, "Methods Ecol. Evol.", [("Boettiger", "Carl"), ("Temple Lang", "Duncan")],
        volume="3", pages="1060-1066",
    )  # fmt: skip
    best, second, *_rest = candidates_for(sources, paper)
    assert best.doi == "10.1111/j.2041-210x.2012.00247.x"
    assert best.score >= 90 > 60 > second.score


def test_in_a_recorded_search_the_journal_version_beats_its_preprint(sources):
    """The same title twice in Crossref's answer: the journal paper (Ecology and
    Evolution, 2016) and its bioRxiv preprint (2015, no journal)."""
    paper = stored_paper(
        "After the games are over: life-history trade-offs drive dispersal attenuation "
        "following range expansion",
        2016, "Ecol. Evol.",
        [("Perkins", "T. Alex"), ("Boettiger", "Carl"), ("Phillips", "Ben L.")],
        volume="6", pages="6425-6434",
    )  # fmt: skip
    best, second, *_rest = candidates_for(sources, paper)
    assert (best.doi, second.doi) == ("10.1002/ece3.2314", "10.1101/014852")
    assert best.score > second.score
