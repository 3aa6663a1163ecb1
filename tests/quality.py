"""Where the quality tools (npm package.json: axe-core, vnu-jar) are, and the public page types."""

import shutil
from pathlib import Path

from django.conf import settings

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

# One URL of every public page type (the lab's content), in {lang}.
PUBLIC_PAGES = [
    "/{lang}/",
    "/{lang}/research/",
    "/{lang}/research/core-loss-spectroscopy/",
    "/{lang}/publications/",
    "/{lang}/publications/?keyword=elnes&year_from=2017&lab=1",
    "/{lang}/publications/data-driven-elnes-xanes-analysis-predicting-spectra-unveiling-structures-2025/",
    "/{lang}/keywords/",
    "/{lang}/keywords/elnes/",
    "/{lang}/no-such-page/",
]
