"""Which achievement fields are human text, translated ja/en with fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import Award, Patent, Presentation


@register(Presentation)
class PresentationTranslationOptions(TranslationOptions):
    fields = ("title", "meeting", "place", "note")
    required_languages = ()


@register(Award)
class AwardTranslationOptions(TranslationOptions):
    fields = ("name", "awarding_body", "subject", "note")
    required_languages = ()


@register(Patent)
class PatentTranslationOptions(TranslationOptions):
    fields = ("title", "applicant", "note")
    required_languages = ()
