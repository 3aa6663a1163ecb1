import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _restore_language():
    """Each test starts in, and leaves behind, the default language."""
    translation.activate("ja")
    yield
    translation.activate("ja")


@pytest.fixture
def editor_client(client, db):
    """The test client, logged in as a staff member of the Editor group (no superuser)."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("secretary", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return client


@pytest.fixture
def lab_content(db):
    """The lab's own content, loaded exactly as `load_lab_content` does."""
    from research.content.loader import load_lab_content

    return load_lab_content()


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Let the test database be dropped at the end on PostgreSQL.

    The live server of the browser tests answers each request in a daemon thread
    that `server_close()` does not join; one still running when the session ends
    keeps a connection open, and PostgreSQL refuses to drop a database in use.
    Such connections are reported and closed here, before the database is dropped.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, left(query, 200), pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, state, query, _ in cursor.fetchall():
            print(f"\nclosed a stray connection to the test database: {pid} {state} {query}")


@pytest.fixture
def local_cache(settings):
    """Page fragments kept as production keeps them, in this process's memory
    (tests/settings.py turns them off): for tests that view pages without changing
    the content in between, since inside a test's transaction no change bumps the
    content version."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests-local",
        },
    }
    caches["local"].clear()
    yield caches["local"]
    caches["local"].clear()


@pytest.fixture
def sources(httpserver, settings):
    """Every outside service (publications/sources/) pointed at a local pytest-httpserver:
    Crossref at /crossref, DataCite at /datacite, arXiv at /arxiv, researchmap at
    /researchmap, ORCID at /orcid. Register answers with, e.g.,
    `sources.expect_request("/crossref/works/10.1/x").respond_with_json({...})`.
    Cached answers are forgotten before and after (the server's port is the same for
    the whole session, so a URL cached by one test would answer another).
    """
    from django.core.cache import caches

    settings.LABSITE_SOURCE_URLS = {
        name: httpserver.url_for(f"/{name}") for name in settings.LABSITE_SOURCE_URLS
    }
    caches[settings.LABSITE_SOURCE_CACHE].clear()
    yield httpserver
    caches[settings.LABSITE_SOURCE_CACHE].clear()
