import pytest

from accounts.models import Role
from accounts.tests.factories import staff_user
from home.tests.helpers import JOGLO


@pytest.fixture
def clerk(client, current_period):
    """A kelurahan clerk of Joglo, signed in."""
    client.force_login(staff_user(Role.KELURAHAN, JOGLO))
    return client
