"""A publication's search document built from values in memory (publications/search/document.py).

``publication_document()`` is what the signal receivers' refresh computes, and what
a bulk importer calls before inserting its papers: a paper saved normally, an
imported one, and one built from in-memory values must have the same document.
"""

import pytest

from publications import search
from publications.bibtex import importer
from publications.models import Authorship, NameVariant, Person, Publication
from publications.search import AuthorNames, KeywordNames, publication_document
from tests import factories

pytestmark = pytest.mark.django_db


def stored(paper):
    paper.refresh_from_db()
    return paper.search_text, paper.search_tokens


def in_memory(paper):
    """The paper's document from its values, read once and passed as plain values."""
    authors = [
        AuthorNames(
            authorship.as_printed,
            *(getattr(authorship.person, name) for name in search.PERSON_FIELDS),
            variants=[v.name for v in authorship.person.variants.all()],
        )
        for authorship in paper.authorships.select_related("person").order_by("position")
    ]
    keywords = [KeywordNames(k.slug, k.name_ja, k.name_en) for k in paper.keywords.all()]
    return publication_document(
        **{name: getattr(paper, name) for name in search.PUBLICATION_FIELDS},
        keywords=keywords,
        authors=authors,
    )


def test_a_saved_paper_has_the_document_built_from_its_values_in_memory():
    mizoguchi = Person.objects.create(
        family_name_en="Mizoguchi",
        given_name_en="Teruyasu",
        family_name_ja="溝口",
        given_name_ja="照康",
    )
    chen = Person.objects.create(family_name_en="Chen", given_name_en="P. Y.")
    NameVariant.objects.create(person=chen, name="Chen Pin-Yi")
    NameVariant.objects.create(person=chen, name="Chen, P.")
    paper = Publication.objects.create(
        title_ja="格子欠陥の第一原理計算",
        title_en="First-principles study of lattice defects",
        abstract_ja="電子エネルギー損失分光",
        abstract_en="We analyse ELNES of SrTiO₃.",
        venue="J. Phys. Chem. Lett.",
        doi="10.1093/jmicro/dfaf038",
        arxiv_id="2101.00001",
        year=2021,
    )
    Authorship.objects.create(publication=paper, person=chen, position=2, as_printed="PY. Chen")
    Authorship.objects.create(publication=paper, person=mizoguchi, position=1)
    # Added out of slug order: the document takes keywords by slug.
    paper.keywords.add(
        factories.keyword("Machine learning", "機械学習", slug="machine-learning"),
        factories.keyword("ELNES", "ELNES", slug="elnes"),
    )

    text, tokens = stored(paper)
    assert (text, tokens) == in_memory(paper)
    assert publication_document(
        title_ja="格子欠陥の第一原理計算",
        title_en="First-principles study of lattice defects",
        abstract_ja="電子エネルギー損失分光",
        abstract_en="We analyse ELNES of SrTiO₃.",
        venue="J. Phys. Chem. Lett.",
        doi="10.1093/jmicro/dfaf038",
        arxiv_id="2101.00001",
        keywords=[
            KeywordNames("machine-learning", "機械学習", "Machine learning"),
            KeywordNames("elnes", "ELNES", "ELNES"),
        ],
        authors=[
            AuthorNames("", "溝口", "照康", "Mizoguchi", "Teruyasu"),
            AuthorNames("PY. Chen", "", "", "Chen", "P. Y.", ["Chen, P.", "Chen Pin-Yi"]),
        ],
    ) == (text, tokens)
    assert text.startswith(" 格子欠陥の第一原理計算 | first principles study of lattice defects |")
    assert "溝口照康" in text and "py chen" in text and "chen pin yi" in text


def test_an_imported_paper_has_the_document_built_from_its_values_in_memory(lab_content):
    text = (
        "@article{k,\n  title = {Imported ELNES of oxides},\n  year = {2021},\n"
        "  author = {Mizoguchi, Teruyasu and Chen, P. Y. and Newcomer, Anna},\n"
        "  keywords = {ELNES, Lattice defects, A brand new keyword},\n"
        "  journal = {Phys. Rev. B},\n  doi = {10.1103/PhysRevB.1.1},\n}\n"
    )
    batch, _plan = importer.start(text=text)
    importer.confirm(batch)
    paper = Publication.objects.get(title_en="Imported ELNES of oxides")
    assert paper.authorships.count() == 3 and paper.keywords.count() == 3
    assert stored(paper) == in_memory(paper)
    assert search.refresh([paper.pk]) == 0  # and the refresh agrees


def test_every_paper_of_the_lab_has_the_document_built_from_its_values(lab_content):
    papers = Publication.objects.prefetch_related("keywords")
    assert papers.count() == 32
    for paper in papers:
        assert stored(paper) == in_memory(paper), paper.title_en


def test_a_paper_with_nothing_to_search_has_an_empty_document():
    assert publication_document() == ("", "")
    assert publication_document(title_en="!!!", doi="   ") == ("", "")
