"""`make test` runs every app's tests: pytest reads only the folders `testpaths` names, so an
app whose folder is missing there would never be tested, in CI or anywhere."""

import configparser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def test_every_folder_with_tests_is_in_testpaths():
    ini = configparser.ConfigParser()
    ini.read(BASE_DIR / "pytest.ini")
    testpaths = set(ini["pytest"]["testpaths"].split())
    with_tests = {
        path.parent.parent.name
        for path in BASE_DIR.glob("*/tests/test_*.py")
        if not path.parent.parent.name.startswith(".")
    } | {"tests"}
    assert with_tests - testpaths == set()
    assert testpaths - with_tests == set()
