"""Alias of ``imports.tasks`` under its old dotted path: Job rows and stored task results created
before the split name ``qualityweek.activities.import_tasks.<task>`` and must still resolve."""

from .imports.tasks import export_activities_task, run_import_task, validate_import_task

__all__ = ["export_activities_task", "run_import_task", "validate_import_task"]
