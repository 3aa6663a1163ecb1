"""A file's authors resolved to people, in memory, as `Person.objects.resolve_or_create` does.

Resolution order: the person with the author's ORCID iD (records from Crossref
and DataCite carry them), a recorded name variant (the printed name's key), then the one
person with the same family name (accents, case, hyphens and spaces ignored) and a
compatible given name (`names.given_compatible`: "C. V." = "Chakravarthi V.",
"Takashi" ≠ "Teruyasu") and no other ORCID iD, the one lab member among several, else a new person.
Initials alone never make two people one: "C. V. Rajagopal" and "C. V.
Radhakrishnan" have different family names, so they are two people. When several
people fit and none is the one lab member among them, the author becomes a new
person and the row says which people it could have been (better a new person the
editor can merge than a paper credited to the wrong one). Two queries load every
name variant and person, whatever the file's size. People the file introduces get
negative ids as they appear, so that the file's later entries resolve to them as
they would in a sequential import; `writing` creates them and turns those ids into
real ones.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from .. import names
from ..models import NameVariant, Person

PERSON_FIELDS = ("family_name_en", "family_name_ja", "given_name_en", "given_name_ja", "orcid")


class People:
    """The people and name variants of the database, plus those the file introduces.

    `variants` ({name key: person id}) grows with every spelling resolution learns;
    `stored_variants` are the keys already in the database; `new` ({negative id:
    field values}) are the people to create.
    """

    def __init__(self, using):
        self.variants = dict(
            NameVariant.objects.using(using).values_list("key", "person_id").iterator()
        )
        self.stored_variants = set(self.variants)
        self.people = {}  # person id → field values
        self.by_family = defaultdict(list)  # family name key → person ids
        self.by_orcid = {}  # ORCID iD → person id
        for row in (
            Person.objects.using(using).values("pk", *PERSON_FIELDS, "is_lab_member").order_by("pk")
        ):
            self._add(row.pop("pk"), row)
        self.new = {}
        self.names = {}  # each author's name as printed, once (see plan._resolve_authors)

    def _add(self, person_id, row):
        self.people[person_id] = row
        if row["orcid"]:
            self.by_orcid.setdefault(row["orcid"], person_id)
        for family in {row["family_name_en"], row["family_name_ja"]}:
            if family:
                self.by_family[names.family_key(family)].append(person_id)

    def given(self, person_id):
        row = self.people[person_id]
        return row["given_name_en"] or row["given_name_ja"]

    def resolve(self, printed, family, given, warnings=None, orcid=""):
        """The person id of an author as printed (with its family and given names, and
        ORCID iD when known).

        When several people would fit, a new person is introduced and a warning
        naming them is appended to `warnings`.
        """
        if orcid and orcid in self.by_orcid:
            return self.by_orcid[orcid]
        key = names.name_key(printed)
        if key in self.variants and self._orcid_fits(self.variants[key], orcid):
            return self.variants[key]
        if not names.is_cjk(family):
            person_id, candidates = self._by_family_and_given(family, given, orcid)
            if person_id is not None:
                if key:
                    self.variants[key] = person_id
                return person_id
            if len(candidates) > 1 and warnings is not None:
                warnings.append(
                    _("“%(name)s” could be %(people)s: imported as a new person.")
                    % {
                        "name": printed,
                        "people": _(" or ").join(self.display(c) for c in candidates),
                    }
                )
        return self._introduce(printed, family, given, orcid)

    def _orcid_fits(self, person_id, orcid):
        """Two different ORCID iDs are two different people, whatever their names."""
        return not (orcid and self.people[person_id]["orcid"])

    def _by_family_and_given(self, family, given, orcid=""):
        """(the one candidate or the one lab member among them, or None; every candidate)."""
        candidates = sorted(
            (
                person_id
                for person_id in dict.fromkeys(self.by_family.get(names.family_key(family), []))
                if names.given_compatible(given, self.given(person_id))
                and self._orcid_fits(person_id, orcid)
            ),
            key=lambda person_id: (
                not self.people[person_id]["is_lab_member"],
                person_id < 0,
                abs(person_id),
            ),
        )
        lab = [person_id for person_id in candidates if self.people[person_id]["is_lab_member"]]
        if len(lab) == 1 or len(candidates) == 1:
            return (lab or candidates)[0], candidates
        return None, candidates

    def _introduce(self, printed, family, given, orcid=""):
        """A new person (negative id), known from now on by each of their spellings."""
        person_id = -(len(self.new) + 1)
        language = "ja" if names.is_cjk(printed) else "en"
        row = dict.fromkeys(PERSON_FIELDS, "") | {"is_lab_member": False}
        row[f"family_name_{language}"], row[f"given_name_{language}"] = family, given
        row["orcid"] = orcid
        self.new[person_id] = row
        self._add(person_id, row)
        person = Person(**row)
        for spelling in (printed, person.full_name("en"), person.full_name("ja")):
            variant_key = names.name_key(spelling)
            if variant_key:
                self.variants.setdefault(variant_key, person_id)
        return person_id

    def display(self, person_id):
        return Person(**self.people[person_id]).full_name()
