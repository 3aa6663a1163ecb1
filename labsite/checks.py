"""System checks for settings a production site gets wrong without noticing."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Domains reserved for examples and tests (RFC 2606, RFC 6761), and the placeholder
# domains the project's own documentation uses (lab.example.ac.jp): mail there reaches
# nobody, so Crossref's warning before a block would be lost.
RESERVED_TOP_LEVEL = {"example", "test", "invalid", "localhost"}


def is_placeholder(address):
    """True for an empty, malformed or example address (no one reads its mail)."""
    try:
        validate_email(address)
    except ValidationError:
        return True
    labels = address.rsplit("@", 1)[1].lower().rstrip(".").split(".")
    return labels[-1] in RESERVED_TOP_LEVEL or "example" in labels


@checks.register(checks.Tags.compatibility)
def contact_email(app_configs=None, **kwargs):
    """Crossref, DataCite and arXiv are asked with CONTACT_EMAIL in the User-Agent
    (publications/sources/http.py): Crossref's "polite pool" writes to that address
    before it blocks a client. Without a real one, the lab learns of a block only when
    "Add by DOI" and "Find the DOI" stop working. Development (DEBUG) is left alone."""
    if settings.DEBUG:
        return []
    address = (settings.LABSITE_CONTACT_EMAIL or "").strip()
    if not is_placeholder(address):
        return []
    found = f"is “{address}”" if address else "is not set"
    return [
        checks.Warning(
            f"CONTACT_EMAIL {found}: Crossref, DataCite, arXiv, researchmap and ORCID"
            " would be asked without an address anyone reads.",
            hint="Set CONTACT_EMAIL to an address the lab reads (e.g. the secretary's);"
            " Crossref writes there before it blocks the site (docs/sources.md).",
            id="labsite.W001",
        )
    ]


# The placeholders of .env.example: an operator who copies it and misses a line runs
# with a secret key (or database password) that anyone can read in the repository, and
# Django's own check (security.W009) finds the key long and varied enough.
PLACEHOLDER = "replace-me"


@checks.register(checks.Tags.security)
def placeholder_secrets(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    found = []
    if settings.SECRET_KEY.startswith(PLACEHOLDER):
        found.append(
            checks.Warning(
                "SECRET_KEY is the placeholder of .env.example: anyone who reads the"
                " repository can forge sessions and password-reset links.",
                hint='Generate one: python3 -c "import secrets;'
                ' print(secrets.token_urlsafe(50))" and set it in .env.',
                id="labsite.W002",
            )
        )
    if any(PLACEHOLDER in str(db.get("PASSWORD") or "") for db in settings.DATABASES.values()):
        found.append(
            checks.Warning(
                "The database password is the placeholder of .env.example (POSTGRES_PASSWORD).",
                hint="Set POSTGRES_PASSWORD in .env to a long random password before the"
                " database is first created (it is set then).",
                id="labsite.W003",
            )
        )
    return found
