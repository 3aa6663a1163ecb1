"""The publications list's paginator: Django's, plus what the list shows of a search.

Django's ``Paginator`` pages any sliceable object with a ``count()`` method, and a
``PublicationSearch`` is one (publications/search/results.py): its count stops at
the cap and its slices are found on the search entries. ``SearchPaginator`` adds the
two things the list page asks of what it pages — whether the count was capped
("more than 1,000 results") and the per-year chart — for a search and for a
queryset alike, so that the view treats both the same way.
"""

from django.core.paginator import Paginator


class SearchPaginator(Paginator):
    """Django's Paginator, with ``count_capped`` and ``year_counts()`` of its object list.

    The object list is a ``PublicationSearch`` (capped count, pages found on the
    search entries) or anything Django pages (a Publication queryset: counted in
    full, its chart its own ``year_counts()``).
    """

    @property
    def count_capped(self):
        """True when more papers match than the count says (a very broad search)."""
        return getattr(self.object_list, "count_capped", False)

    def year_counts(self):
        """[(year, papers)] of everything paged, for the per-year chart; None past the cap."""
        return self.object_list.year_counts()
