import pytest

from tests.conftest import require_services


@pytest.fixture(autouse=True)
def _services(clean_cache):
    require_services()
