"""The cluster tests talk to a running ``scripts/cluster.sh`` over HTTP and WebSockets only; they
need no test database of their own (the project-wide pool-closing fixture would create one)."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools():
    return
