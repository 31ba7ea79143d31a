"""Two library classes used as made, without their per-call cost: simple-history's manager
(jakpreneur.history) and Django's Redis cache client (jakpreneur.cache)."""

import os
import subprocess
import sys
import threading
import uuid
from datetime import date

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.cache import RedisCache
from participants.models import Resident
from participants.services import resident_update
from participants.tests.factories import ResidentFactory
from tests.test_settings import BASE_DIR

REDIS = "redis://127.0.0.1:6379/9"  # every dev and CI machine runs Redis (README)


def test_history_manager_class_is_made_once_and_still_bound_to_its_instance(places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    first = ResidentFactory(registered_on=date(2025, 1, 1))
    second = ResidentFactory(registered_on=date(2025, 1, 1))
    resident_update(resident=first, user=clerk, full_name="Siti Baru")

    assert type(first.history) is type(second.history) is type(Resident.history)
    assert first.history.count() == 2  # created, then changed
    assert second.history.count() == 1
    assert Resident.history.count() == 3
    newest = first.history.first()
    assert newest.full_name == "Siti Baru"
    assert newest.history_user == clerk


def test_a_redis_cache_url_uses_the_client_keeping_backend():
    shown = subprocess.run(
        [sys.executable, "-c", "import jakpreneur.settings as s; print(s.CACHES)"],
        cwd=BASE_DIR,
        env={**os.environ, "SECRET_KEY": "x" * 50, "CACHE_URL": REDIS},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'BACKEND': 'jakpreneur.cache.RedisCache'" in shown.stdout, shown.stderr
    assert f"'LOCATION': '{REDIS}'" in shown.stdout
    assert issubclass(RedisCache, DjangoRedisCache)


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.clear()


def test_the_redis_cache_works_as_django_s_with_one_client(redis_cache):
    cache = redis_cache
    cache.set("a", {"n": 1})
    cache.set_many({"b": 2, "c": "tiga"}, None)
    assert cache.get("a") == {"n": 1}
    assert cache.get_many(["a", "b", "c", "d"]) == {"a": {"n": 1}, "b": 2, "c": "tiga"}
    assert cache.add("a", "other") is False
    assert cache.add("e", 5) is True
    assert cache.incr("e") == 6
    cache.delete_many(["a", "b"])
    assert cache.get("a") is None and cache.get("c") == "tiga"

    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any key") is client


def test_threads_share_the_client_safely(redis_cache):
    cache = redis_cache
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"t{n}:{i}", i)
                assert cache.get(f"t{n}:{i}") == i
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get_many([f"t{n}:49" for n in range(8)]) == {
        f"t{n}:49": 49 for n in range(8)
    }
