import pytest

from tests import factories


@pytest.fixture
def lab_news(lab_content):
    """The lab's content with two news items (factories.lab_news)."""
    return factories.lab_news()
