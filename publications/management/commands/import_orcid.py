"""Import a researcher's works from ORCID.

python manage.py import_orcid (ORCID-ID | --member SLUG) [the options of import_bibtex]

Reads https://pub.orcid.org/v3.0/{orcid}/works and the works' details (100 a
request, with a progress bar), writes each work as a BibTeX entry and imports them
as `import_bibtex` does (the choices: --choose orcid-<put-code>=…). When ORCID cannot
be reached or answers something unreadable, nothing is written and the command exits
with status 1 and says why.
"""

from publications.models import ImportBatch
from publications.sources import importing

from .import_researchmap import Command as ResearchmapCommand


class Command(ResearchmapCommand):
    help = "Import a researcher's works from ORCID (pub.orcid.org, API v3.0)."
    origin = ImportBatch.Origin.ORCID
    label = "ORCID"
    identifier_name = "an ORCID iD"

    def member_identifier(self, member):
        return member.orcid_id

    def owner(self, member):
        return importing.member_owner(member)
