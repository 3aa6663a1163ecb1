"""Which research fields are human text, translated ja/en with fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import LabProfile, Member, ResearchTheme


@register(ResearchTheme)
class ResearchThemeTranslationOptions(TranslationOptions):
    fields = ("title", "lead", "body", "image_alt")
    required_languages = ()


@register(LabProfile)
class LabProfileTranslationOptions(TranslationOptions):
    fields = ("name", "mission", "intro", "university", "department", "address", "directions")
    required_languages = ()


@register(Member)
class MemberTranslationOptions(TranslationOptions):
    # ja: the name in kanji (or kana); en: in Latin script. The reading is Japanese only.
    fields = ("family_name", "given_name", "research_interests")
    required_languages = ()
