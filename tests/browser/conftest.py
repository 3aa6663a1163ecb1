"""Browser tests: Playwright driving the machine's Chromium against a live server.

They are skipped, with a reason in the summary, when Chromium is not installed
(CI installs Debian's `chromium` and `fonts-noto-cjk`). Playwright's own browser
download is never used.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The live server runs in a thread; Playwright's sync API runs an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(
        reason="Chromium is not installed: browser tests skipped (apt-get install chromium)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's `base_url`, which pytest 9 deprecates; tests use `site`."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def site(live_server, transactional_db):
    """The live site's base URL, with the lab's content loaded."""
    from research.content.loader import load_lab_content

    load_lab_content()
    return live_server.url
