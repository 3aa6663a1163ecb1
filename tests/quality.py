"""Where the quality tools (npm package.json: axe-core, vnu-jar) are, and the public page types."""

import shutil
from pathlib import Path

from django.conf import settings

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

# The 404 page, in {lang}: the one page type expected to answer 404.
NOT_FOUND_PAGE = "/{lang}/no-such-page/"

# One URL of every public page type (the lab's content), in {lang}.
PUBLIC_PAGES = [
    "/{lang}/",
    "/{lang}/research/",
    "/{lang}/research/core-loss-spectroscopy/",
    "/{lang}/publications/",
    "/{lang}/publications/?keyword=elnes&year_from=2017&lab=1",
    "/{lang}/publications/data-driven-elnesxanes-analysis-predicting-spectra-unveiling-structures-and-2025/",
    "/{lang}/keywords/",
    "/{lang}/keywords/elnes/",
    "/{lang}/members/",
    "/{lang}/members/teruyasu-mizoguchi/",
    "/{lang}/access/",
    "/{lang}/achievements/",
    "/{lang}/news/",
    NOT_FOUND_PAGE,
]
# Pages that show the lab's profile where it has been filled in (tests.factories.FILLED_PROFILE):
# the header's affiliation, the footer's address and contact, the Access page.
PROFILE_PAGES = ["/{lang}/", "/{lang}/access/"]
