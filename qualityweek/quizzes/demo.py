"""Demo data of this app (a step of qualityweek/demo/steps.py)."""

from qualityweek.core.demo import DemoContext


def build(ctx: DemoContext) -> dict[str, int]:
    return {}
