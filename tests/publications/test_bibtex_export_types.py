"""CSL-JSON and RIS types follow their specifications; math leaves these formats as text."""

import json

import pytest

from publications.bibtex import export
from publications.models import Publication
from tests import factories

pytestmark = pytest.mark.django_db
T = Publication.Type


@pytest.mark.parametrize(
    ("kind", "csl", "ris"),
    [
        # CSL 1.0.2, Appendix III: `review` is a review *of* another work; a review
        # article is a journal article.
        (T.ARTICLE, "article-journal", "JOUR"),
        (T.REVIEW, "article-journal", "JOUR"),
        (T.INVITED_REVIEW, "article-journal", "JOUR"),
        (T.CONFERENCE, "paper-conference", "CPAPER"),
        (T.BOOK, "book", "BOOK"),
        (T.CHAPTER, "chapter", "CHAP"),
        (T.PREPRINT, "article", "UNPB"),
        (T.THESIS, "thesis", "THES"),
        (T.OTHER, "document", "GEN"),
    ],
)
def test_each_type_is_exported_as_its_csl_and_ris_type(kind, csl, ris):
    paper = factories.paper("A paper", type=kind)
    [item] = json.loads(export.to_csljson(Publication.objects.for_export()))
    assert item["type"] == csl
    assert item.get("genre") == ("Preprint" if kind == T.PREPRINT else None)
    assert export.to_ris(Publication.objects.for_export()).startswith(f"TY  - {ris}\n")
    assert paper.type == kind


def test_every_type_has_a_mapping():
    assert set(export.CSL_TYPES) == set(T) == set(export.RIS_TYPES)


def test_math_in_a_title_is_plain_text_in_csl_ris_and_the_plain_citation():
    factories.paper(r"Defects in SrTiO$_3$ and $\alpha$-Fe$_2$O$_3$")
    papers = Publication.objects.for_export()
    plain = "Defects in SrTiO3 and α-Fe2O3"
    assert json.loads(export.to_csljson(papers))[0]["title"] == plain
    assert f"TI  - {plain}\n" in export.to_ris(papers)
    assert f"“{plain}”" in export.plain_text(papers[0])
    assert r"title = {Defects in {SrTiO}$_3$ and $\alpha$-Fe$_2$O$_3$}" in export.to_bibtex(papers)
