"""researchmap's lists of presentations, awards and industrial property rights, for the tests.

CONSTRUCTED, NOT RECORDED (no test reaches the network): written by hand after the
researchmap.V2 API 設計書's 業績リスト取得 (docs/sources-researchmap-orcid.md) and the
field names public programs that read the same API use — a list is {"@context", "@id",
"@type", "total_items", "items"}; every text is {"ja": …, "en": …}; people are
{"ja": [{"name": …}], "en": [{"name": …}]}:

- presentations (講演・口頭発表等): "presentation_title", "presenters", "event",
  "location", "publication_date" (発表年月日), "from_event_date", "to_event_date",
  "presentation_type" (oral_presentation, poster_presentation, invited_oral_presentation,
  keynote_oral_presentation…), "invited", "is_international_presentation", "languages".
- awards (受賞): "award_name", "association", "award_title", "award_date" (often to the
  month), "winners".
- industrial_property_rights (産業財産権): "industrial_property_right_title",
  "industrial_property_right_type" (patent_right, utility_model_right…), "inventors",
  "application_number", "application_date", "patent_number", "registration_date".

The people and achievements are invented (the lab's professor, 溝口 照康, is the one real
name, as in the seed).
"""

from tests.publications.sources_payloads import PERMALINK

TYPES = ("presentations", "awards", "industrial_property_rights")


def item(achievement_type, rm_id, **fields):
    return {
        "@context": "https://api.researchmap.jp/researcher.jsonld",
        "@id": f"https://api.researchmap.jp/{PERMALINK}/{achievement_type}/{rm_id}",
        "@type": achievement_type,
        "@reverse": f"https://api.researchmap.jp/{PERMALINK}/{achievement_type}",
        "rm:id": str(rm_id),
        "rm:user_id": "R000000001",
        "display": "disclosed",
        **fields,
    }


def page(achievement_type, items, total=None):
    return {
        "@context": "https://api.researchmap.jp/researcher.jsonld",
        "@id": f"https://api.researchmap.jp/{PERMALINK}/{achievement_type}",
        "@type": achievement_type,
        "total_items": len(items) if total is None else total,
        "items": list(items),
    }


TALK = item(
    "presentations",
    50000001,
    presentation_title={
        "ja": "機械学習による ELNES 解析",
        "en": "ELNES analysis by machine learning",
    },
    presenters={
        "ja": [{"name": "溝口 照康"}, {"name": "山田 花子"}],
        "en": [{"name": "Teruyasu Mizoguchi"}, {"name": "Hanako Yamada"}],
    },
    event={"ja": "日本顕微鏡学会 第80回学術講演会", "en": "The 80th Annual Meeting of JSM"},
    location={"ja": "幕張メッセ", "en": "Makuhari Messe"},
    publication_date="2024-06-04",
    from_event_date="2024-06-03",
    to_event_date="2024-06-05",
    presentation_type="invited_oral_presentation",
    invited=True,
    is_international_presentation=False,
    languages=["jpn"],
    see_also=[{"@id": "https://example.org/jsm80", "label": "url"}],
)
POSTER = item(
    "presentations",
    50000002,
    presentation_title={"en": "Grain boundary spectra from first principles"},
    presenters={"en": [{"name": "Hanako Yamada"}, {"name": "T. Mizoguchi"}]},
    event={"en": "MRS Fall Meeting 2023"},
    location={"en": "Boston, USA"},
    publication_date="2023-11-28",
    presentation_type="poster_presentation",
    invited=False,
    is_international_presentation=True,
    languages=["eng"],
)
AWARD = item(
    "awards",
    60000001,
    award_name={"ja": "日本顕微鏡学会 奨励賞", "en": "JSM Young Scientist Award"},
    association={"ja": "公益社団法人日本顕微鏡学会", "en": "The Japanese Society of Microscopy"},
    award_title={"ja": "電子線分光による界面の研究"},
    award_date="2019-05",  # to the month, as researchmap's 受賞年月
)
POSTER_PRIZE = item(
    "awards",
    60000002,
    award_name={"en": "Best Poster Award"},
    association={"en": "MRS"},
    award_date="2023-11-30",
    winners={"en": [{"name": "Hanako Yamada"}]},
)
PATENT = item(
    "industrial_property_rights",
    70000001,
    industrial_property_right_title={"ja": "スペクトル解析装置及びスペクトル解析方法"},
    industrial_property_right_type="patent_right",
    inventors={"ja": [{"name": "溝口 照康"}, {"name": "山田 花子"}]},
    application_number="特願2022-123456",
    application_date="2022-08-01",
    patent_number="特許第7345678号",
    registration_date="2024-03-15",
)
UTILITY_MODEL = item(
    "industrial_property_rights",
    70000002,
    industrial_property_right_title={"ja": "試料ホルダー"},
    industrial_property_right_type="utility_model_right",
    inventors={"ja": [{"name": "溝口 照康"}]},
    application_number="実願2021-000123",
    application_date="2021-04-01",
)
