"""gunicorn settings read from the project folder (`gunicorn jakpreneur.wsgi`).

The access log leaves out query strings and referers: a NIK typed into a search box that
submits with GET must not land in a log file (UU PDP). Workers, bind address and the rest
come from the command line or GUNICORN_CMD_ARGS.
"""

# %(U)s is the path without its query string; no %(f)s (referer, which has one).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
