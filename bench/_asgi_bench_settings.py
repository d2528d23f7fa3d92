"""Settings used only by bench/submit_throughput.py: the project's settings with the benchmark's
URLconf (which adds the baseline view)."""

from qualityweek.settings import *  # noqa: F403

ROOT_URLCONF = "bench._asgi_bench_urls"

# Hundreds of representatives log in from the one loopback address of the load generator, which no
# real population of users does: the per-address login limit would refuse them after 60.
RATE_LIMITS = {**RATE_LIMITS, "login_ip": "1000000/m"}  # noqa: F405
