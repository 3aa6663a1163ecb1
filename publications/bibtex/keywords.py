"""A file's keywords resolved to existing keywords, in memory (one query for the file)."""

from .. import search
from ..models import Keyword


class Keywords:
    """Keywords matched by either language's name (NFKC, case-folded) or slug.

    A keyword reference is an existing keyword's id, or, for a keyword the file
    introduces, its name as first written (a str): `writing` creates those.
    """

    def __init__(self, using):
        self.by_key = {}
        self.names = {}
        for row in Keyword.objects.using(using).values(
            "pk", "slug", "name_key_ja", "name_key_en", "name_ja", "name_en"
        ):
            for key in (row["name_key_ja"], row["name_key_en"], row["slug"]):
                if key:
                    self.by_key.setdefault(key, row["pk"])
            self.names[row["pk"]] = row["name_en"] or row["name_ja"] or row["slug"]
        self.new = {}  # normalised key → name as first written

    def resolve(self, name):
        """The reference of a keyword as written in the file."""
        key = search.normalise_key(name)
        if key in self.by_key:
            return self.by_key[key]
        self.new.setdefault(key, name)
        return self.new[key]

    def display(self, ref):
        return ref if isinstance(ref, str) else self.names.get(ref, str(ref))
