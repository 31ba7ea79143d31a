"""The app's settings, serving the benchmark anchors beside the app (benchmarks only)."""

from jakpreneur.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.anchor_urls"
