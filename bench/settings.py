"""Settings of the benchmarks: the portal's production settings, measured without its proxy.

PORTAL_ENV=production (DEBUG off, whitenoise serving the collected and compressed static files,
the manifest storage, no development key), with a benchmark-only SECRET_KEY and ALLOWED_HOSTS.
gunicorn is reached over plain HTTP on 127.0.0.1, as the city's HTTPS proxy would reach it, so
HTTPS redirects are off and cookies are not marked Secure (the proxy's TLS is not what we measure).
Everything else is the product's: middleware, sessions, templates, DRF, the database connection
kept for 60 s (CONN_MAX_AGE) and the Redis cache. The URLs add the floor views (bench/urls.py).
"""

import os
from pathlib import Path

os.environ.setdefault("PORTAL_ENV", "production")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-portal-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_COOKIES", "0")
# One bench user sends thousands of API requests a minute: the per-user limit (600/minute) would
# answer them 429 and the benchmark would time the refusal, not the page.
os.environ.setdefault("API_THROTTLE_USER", "off")

from portal.settings import *  # noqa: E402,F403

BENCH_CACHE = Path(__file__).resolve().parent / ".cache"
ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
STATIC_ROOT = BENCH_CACHE / "static"
MEDIA_ROOT = BENCH_CACHE / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The benchmarks' databases share one Redis database: each keeps its cached figures under its own
# prefix (a process counting queries gets a fresh one, BENCH_CACHE_PREFIX, to count with a cold cache).
CACHES = {
    **CACHES,  # noqa: F405
    "default": {
        **CACHES["default"],  # noqa: F405
        "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX") or DATABASES["default"]["NAME"],  # noqa: F405
    },
}
# Only warnings and errors: a line per request would be the benchmark measuring its own log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
