"""Which news fields are human text, translated ja/en with fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import NewsItem


@register(NewsItem)
class NewsItemTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = ()
