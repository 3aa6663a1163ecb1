"""Settings for bench/load.py's gunicorn: production settings plus the ceiling view.

The URLconf adds `/bench/ceiling/`, a view returning a fixed string through the
same middleware, so the benchmark can compare every page with the server's own
ceiling. It exists only under these settings, never in production.
"""

import tempfile
from pathlib import Path

from labsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# collectstatic for the benchmark writes here, not into the project's staticfiles/.
STATIC_ROOT = Path(tempfile.gettempdir()) / "labsite-bench-static"
