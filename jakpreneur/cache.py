"""Django's Redis cache, keeping one Redis client per connection pool.

Django 5.2's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache
call; building one copies redis-py's table of about 200 response callbacks. The client
holds no connection of its own (the pool does) and is safe to share between threads, so
one per pool serves every call: about 0.5 ms of CPU less a cache call on the 2-core
machine, and a write or the dashboard makes one to four (benchmarks/request_cpu.py).
Settings use it for every `redis://` CACHE_URL.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
