"""The search index kept beside the publications (publications/search/)."""

from django.db import models

from .. import search
from .papers import Publication


class SearchEntry(models.Model):
    """A publication's row in the search index: what a search matches, filters and sorts on.

    A narrow copy kept by publications/search/ (never edited by hand), so that
    counting and ordering thousands of matches reads small rows, not publications.
    """

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    is_published = models.BooleanField()
    year = models.PositiveSmallIntegerField(null=True)  # None: an undated paper
    month = models.PositiveSmallIntegerField(null=True)
    text = models.TextField()
    vector = search.VectorField()
    # On PostgreSQL, migration 0004 indexes `vector` (GIN) and the newest-first order.

    def __str__(self):
        return f"search entry of publication {self.pk}"


class SearchWord(models.Model):
    """A word some search document holds (not Japanese, not a pair), kept by
    publications/search/: a query's word prefix becomes the words it starts.

    Words are added, never removed: a word no paper has any more finds nothing.
    """

    word = models.CharField(max_length=64, primary_key=True)

    def __str__(self):
        return self.word


class SearchPairs(models.Model):
    """A publication's pair lexemes: every two adjacent words (``~lattice~defects``).

    Kept apart from SearchEntry (by publications/search/) so that the entries stay
    narrow: a quoted phrase looks its pairs up here, GIN-indexed on PostgreSQL
    (migration 0006).
    """

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="search_pairs"
    )
    vector = search.VectorField()

    class Meta:
        verbose_name_plural = "search pairs"

    def __str__(self):
        return f"word pairs of publication {self.pk}"
