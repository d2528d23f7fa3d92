"""Settings used only by bench/dashboard.py: the project's settings, with the dashboard's refresh
window and the directory denominators' lifetime taken from the environment (the benchmark serves
the same data with the production window and with a window of 0, the behaviour before it)."""

import os

from qualityweek.settings import *  # noqa: F403

ANALYTICS_DASHBOARD_REFRESH = float(os.environ.get("ANALYTICS_DASHBOARD_REFRESH", "10"))
ANALYTICS_DIRECTORY_TTL = float(os.environ.get("ANALYTICS_DIRECTORY_TTL", "3600"))
