"""Which research fields are human text, translated ja/en with fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import LabProfile, ResearchTheme


@register(ResearchTheme)
class ResearchThemeTranslationOptions(TranslationOptions):
    fields = ("title", "lead", "body", "image_alt")
    required_languages = ()


@register(LabProfile)
class LabProfileTranslationOptions(TranslationOptions):
    fields = ("name", "mission", "intro")
    required_languages = ()
