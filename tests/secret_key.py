"""pytest plugin, loaded first (`-p tests.secret_key` in pytest.ini): a throw-away SECRET_KEY.

With DEBUG off the settings refuse to start without a key of their own, and pytest-django
imports them before any conftest.py runs; so the key is set here, in a plugin pytest loads
before pytest-django sets Django up. A SECRET_KEY already in the environment is kept.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", f"pytest-only-{secrets.token_urlsafe(32)}")
