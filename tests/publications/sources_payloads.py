"""Answers of researchmap and ORCID for the tests, served by pytest-httpserver.

CONSTRUCTED, NOT RECORDED: no test reaches the network, and none of these was
fetched from researchmap or ORCID. Each is written by hand from the published
description of the format (docs/sources-researchmap-orcid.md cites them):

- researchmap: researchmap.V2 API 設計書 (v2API.pdf), 業績リスト取得 /
  論文 (published_papers): a list is {"@context", "@id", "@type", "total_items",
  "items": [...]}; an item has "rm:id", "paper_title" {ja, en}, "authors" {ja: [{name}],
  en: [{name}]}, "publication_name" {ja, en}, "volume", "number", "starting_page",
  "ending_page", "publication_date", "referee", "invited", "languages",
  "published_paper_type", "identifiers" {doi: [...]}, "see_also" [{"@id", "label"}].
- ORCID: API v3.0 (orcid-model, record_3.0 XSD and its JSON form): GET /{orcid}/works
  gives {"group": [{"work-summary": [{"put-code", "display-index", …}]}]}; the bulk read
  GET /{orcid}/works/{put-codes} gives {"bulk": [{"work": {…}} | {"error": {…}}]}; a
  work has "put-code", "title" {title: {value}, subtitle, translated-title},
  "journal-title" {value}, "type", "publication-date" {year, month, day: {value}},
  "external-ids" {external-id: [{external-id-type, external-id-value,
  external-id-relationship}]}, "url" {value}, "contributors" {contributor:
  [{credit-name: {value}, contributor-attributes: {contributor-role}}]}, "citation"
  {citation-type, citation-value}, "short-description", "language-code".

The people and papers are invented (the lab's professor, 溝口 照康, is the one real name,
as in the seed).
"""

PERMALINK = "read0123456"
ORCID_ID = "0000-0002-1825-0097"  # ORCID's own documented example iD


def researchmap_item(rm_id, **fields):
    item = {
        "@context": "https://api.researchmap.jp/researcher.jsonld",
        "@id": f"https://api.researchmap.jp/{PERMALINK}/published_papers/{rm_id}",
        "@type": "published_papers",
        "@reverse": f"https://api.researchmap.jp/{PERMALINK}/published_papers",
        "rm:id": str(rm_id),
        "rm:user_id": "R000000001",
        "paper_title": {"en": f"Paper {rm_id}"},
        "authors": {"en": [{"name": "Teruyasu Mizoguchi"}]},
        "publication_name": {"en": "Physical Review B"},
        "publication_date": "2021",
        "referee": True,
        "invited": False,
        "languages": ["eng"],
        "published_paper_type": "scientific_journal",
        "display": "disclosed",
    }
    item.update(fields)
    return item


ELNES = researchmap_item(
    40000001,
    paper_title={
        "ja": "機械学習による ELNES スペクトルの解釈",
        "en": "Interpreting ELNES spectra by machine learning",
    },
    authors={
        "ja": [{"name": "溝口 照康"}, {"name": "山田 花子"}],
        "en": [{"name": "Teruyasu Mizoguchi"}, {"name": "Hanako Yamada"}],
    },
    publication_name={"en": "Microscopy"},
    volume="72",
    number="3",
    starting_page="201",
    ending_page="215",
    publication_date="2023-06-01",
    identifiers={"doi": ["10.1093/jmicro/dfad000"], "issn": ["2050-5698"]},
    see_also=[
        {"@id": "https://doi.org/10.1093/jmicro/dfad000", "label": "doi"},
        {"@id": "https://example.org/elnes", "label": "url"},
    ],
)
BULLETIN = researchmap_item(
    40000002,
    paper_title={"ja": "酸化物界面の第一原理計算"},
    authors={"ja": [{"name": "溝口 照康"}]},
    publication_name={"ja": "生産研究"},
    volume="75",
    starting_page="10",
    ending_page="12",
    publication_date="2023-01",
    languages=["jpn"],
    published_paper_type="research_institution",
    referee=False,
)


def researchmap_page(items, total=None, start=1):
    return {
        "@context": "https://api.researchmap.jp/researcher.jsonld",
        "@id": f"https://api.researchmap.jp/{PERMALINK}/published_papers",
        "@type": "published_papers",
        "total_items": len(items) if total is None else total,
        "items": items,
    }


def orcid_summary(put_code, display_index="1", source="ORCID member"):
    return {
        "put-code": put_code,
        "created-date": {"value": 1600000000000},
        "last-modified-date": {"value": 1600000000000},
        "source": {"source-name": {"value": source}},
        "title": {"title": {"value": f"Work {put_code}"}, "subtitle": None},
        "external-ids": {"external-id": []},
        "type": "journal-article",
        "publication-date": {"year": {"value": "2022"}, "month": None, "day": None},
        "visibility": "public",
        "path": f"/{ORCID_ID}/work/{put_code}",
        "display-index": display_index,
    }


def orcid_works(*groups):
    """The list: each group is a list of summaries (the sources of one work)."""
    return {
        "last-modified-date": {"value": 1600000000000},
        "group": [
            {
                "last-modified-date": {"value": 1600000000000},
                "external-ids": {"external-id": []},
                "work-summary": summaries,
            }
            for summaries in groups
        ],
        "path": f"/{ORCID_ID}/works",
    }


def orcid_work(put_code, **fields):
    work = {
        "created-date": {"value": 1600000000000},
        "last-modified-date": {"value": 1600000000000},
        "source": {"source-name": {"value": "Crossref"}},
        "put-code": put_code,
        "path": f"/{ORCID_ID}/work/{put_code}",
        "title": {"title": {"value": f"Work {put_code}"}, "subtitle": None},
        "journal-title": {"value": "Physical Review Materials"},
        "short-description": None,
        "citation": None,
        "type": "journal-article",
        "publication-date": {"year": {"value": "2022"}, "month": {"value": "03"}, "day": None},
        "external-ids": {"external-id": []},
        "url": None,
        "contributors": {"contributor": []},
        "language-code": None,
        "country": None,
        "visibility": "public",
    }
    work.update(fields)
    return work


SPECTRA = orcid_work(
    1111,
    title={
        "title": {"value": "Spectra of SrTiO3 grain boundaries"},
        "subtitle": {"value": "a first-principles study"},
        "translated-title": None,
    },
    **{
        "external-ids": {
            "external-id": [
                {
                    "external-id-type": "doi",
                    "external-id-value": "10.1103/PhysRevMaterials.6.000000",
                    "external-id-normalized": {
                        "value": "10.1103/physrevmaterials.6.000000",
                        "transient": True,
                    },
                    "external-id-url": {
                        "value": "https://doi.org/10.1103/PhysRevMaterials.6.000000"
                    },
                    "external-id-relationship": "self",
                },
                {
                    "external-id-type": "issn",
                    "external-id-value": "2475-9953",
                    "external-id-relationship": "part-of",
                },
            ]
        },
        "contributors": {
            "contributor": [
                {
                    "contributor-orcid": None,
                    "credit-name": {"value": "Hanako Yamada"},
                    "contributor-email": None,
                    "contributor-attributes": {
                        "contributor-sequence": "first",
                        "contributor-role": "author",
                    },
                },
                {
                    "contributor-orcid": {
                        "uri": f"https://orcid.org/{ORCID_ID}",
                        "path": ORCID_ID,
                        "host": "orcid.org",
                    },
                    "credit-name": {"value": "Teruyasu Mizoguchi"},
                    "contributor-email": None,
                    "contributor-attributes": {
                        "contributor-sequence": "additional",
                        "contributor-role": "author",
                    },
                },
                {
                    "contributor-orcid": None,
                    "credit-name": {"value": "An Editor"},
                    "contributor-email": None,
                    "contributor-attributes": {
                        "contributor-sequence": None,
                        "contributor-role": "editor",
                    },
                },
            ]
        },
        "citation": {
            "citation-type": "bibtex",
            "citation-value": "@article{Yamada_2022, title={Spectra}, volume={6}, "
            "number={3}, pages={034601}, journal={Physical Review Materials}, year={2022}}",
        },
    },
)
NO_CONTRIBUTORS = orcid_work(2222, title={"title": {"value": "A talk-turned-paper"}})


def orcid_bulk(*works, missing=()):
    return {
        "bulk": [{"work": work} for work in works]
        + [
            {
                "error": {
                    "response-code": 404,
                    "developer-message": f"No entity found with put-code {code}",
                    "user-message": "The resource was not found.",
                    "error-code": 9016,
                }
            }
            for code in missing
        ]
    }


ORCID_PERSON = {
    "name": {
        "given-names": {"value": "Teruyasu"},
        "family-name": {"value": "Mizoguchi"},
        "credit-name": None,
        "visibility": "public",
        "path": ORCID_ID,
    },
    "path": f"/{ORCID_ID}/person",
}
