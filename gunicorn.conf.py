"""gunicorn settings read from the project folder (`gunicorn jakpreneur.wsgi`).

The access log leaves out query strings and referers: a NIK typed into a search box that
submits with GET must not land in a log file (UU PDP). The number of workers is set below;
it, the bind address and the rest can also come from the command line or GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

# %(U)s is the path without its query string; no %(f)s (referer, which has one).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'

# Workers: WEB_CONCURRENCY if set, else one per core plus one. A request is bound by the
# CPU (PostgreSQL on the same machine answers in a fraction of a millisecond), so workers
# beyond that only take turns on the cores: on the 2-core machine the 50-client load
# (benchmarks/load.py, 30 s each, one after the other) served 172 requests/s with 3
# workers, 159 with 2, 160 with 4 and 152 with 6.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)


# --- Health probe on its own port ---------------------------------------------------------
# Workers answer requests one at a time, so a /healthz behind slow requests waits in their
# queue and a load balancer may take a busy server for a dead one. The gunicorn master
# serves /healthz on HEALTH_PORT (default 8001; 0 turns it off) from a thread of its own:
# 200 "ok" when the database answers (connecting within 3 s), 503 "database unavailable"
# otherwise.
# Point the load balancer's health check there (README, Deploy).
import threading  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

HEALTH_PORT = int(os.environ.get("HEALTH_PORT", "8001"))
HEALTH_BIND = os.environ.get("HEALTH_BIND", "127.0.0.1")


def _database_answers() -> bool:
    import django
    from django.db import connections

    django.setup(set_prefix=False)
    connection = connections.create_connection("default")
    try:
        connection.settings_dict.setdefault("OPTIONS", {})
        if connection.vendor == "postgresql":
            connection.settings_dict["OPTIONS"]["connect_timeout"] = 3
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    finally:
        connection.close()


class _HealthHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.split("?")[0] != "/healthz":
            self.send_error(404)
            return
        healthy = _database_answers()
        body = b"ok" if healthy else b"database unavailable"
        self.send_response(200 if healthy else 503)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # probes every few seconds: no log line each
        pass


def when_ready(server):
    if not HEALTH_PORT:
        return
    try:
        probe = ThreadingHTTPServer((HEALTH_BIND, HEALTH_PORT), _HealthHandler)
    except OSError as error:
        # Another server holds the port (a second gunicorn on this machine): serve the
        # app all the same, and say why there is no probe.
        server.log.warning(
            "No health probe on %s:%s: %s", HEALTH_BIND, HEALTH_PORT, error
        )
        return
    threading.Thread(target=probe.serve_forever, daemon=True, name="healthz").start()
    server.log.info("Health probe on http://%s:%s/healthz", HEALTH_BIND, HEALTH_PORT)
