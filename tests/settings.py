"""Test settings: the project's settings with a fast hasher and throw-away media."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")

from labsite.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="labsite-test-media-")
