import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _restore_language():
    """Each test starts in, and leaves behind, the default language."""
    translation.activate("ja")
    yield
    translation.activate("ja")


@pytest.fixture
def lab_content(db):
    """The lab's own content, loaded exactly as `load_lab_content` does."""
    from research.content.loader import load_lab_content

    return load_lab_content()
