"""Which publication fields are human text, translated ja/en with fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import Keyword, Person, Publication


@register(Keyword)
class KeywordTranslationOptions(TranslationOptions):
    fields = ("name", "aliases")
    required_languages = ()


@register(Person)
class PersonTranslationOptions(TranslationOptions):
    fields = ("family_name", "given_name")
    required_languages = ()


@register(Publication)
class PublicationTranslationOptions(TranslationOptions):
    fields = ("title", "abstract", "note")
    required_languages = ()
