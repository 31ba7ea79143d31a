"""A fixed-window counter in the shared cache (Redis in production), so every gunicorn
worker and machine counts against the same limit."""

from django.core.cache import cache


def limit_reached(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on `key`; True once more than `limit` hits fell in the window."""
    cache_key = f"ratelimit:{key}"
    # add() starts the window only if it is not running; incr() is atomic on Redis.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        hits = 1
    return hits > limit
