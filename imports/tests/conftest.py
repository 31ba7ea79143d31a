import pytest

from accounts.models import Role
from accounts.tests.factories import staff_user


@pytest.fixture
def joglo(places):
    """A kelurahan clerk of Joglo (Kembangan)."""
    return staff_user(Role.KELURAHAN, "31.73.08.1005")


@pytest.fixture
def sudin(places):
    return staff_user(Role.SUDIN, "31.73:PPKUKM")


@pytest.fixture
def admin_user(places):
    return staff_user(Role.ADMIN)
