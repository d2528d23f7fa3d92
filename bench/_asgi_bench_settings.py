"""Settings used only by bench/submit_throughput.py: the project's settings with the benchmark's
URLconf (which adds the baseline view)."""

from qualityweek.settings import *  # noqa: F403

ROOT_URLCONF = "bench._asgi_bench_urls"
