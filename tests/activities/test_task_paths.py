"""Jobs and task results stored before activities was split name the old task paths; they still
resolve to the same tasks, and new jobs name the new ones."""

import pytest
from django.utils.module_loading import import_string

from qualityweek.activities.imports import tasks as import_tasks
from qualityweek.activities.photos import tasks as photo_tasks


@pytest.mark.parametrize(("old", "task"), [
    ("qualityweek.activities.import_tasks.validate_import_task", import_tasks.validate_import_task),
    ("qualityweek.activities.import_tasks.run_import_task", import_tasks.run_import_task),
    ("qualityweek.activities.import_tasks.export_activities_task", import_tasks.export_activities_task),
    ("qualityweek.activities.photo_tasks.process_photo_task", photo_tasks.process_photo_task),
])
def test_old_task_paths_resolve_to_the_moved_tasks(old, task):
    assert import_string(old) is task
    new = f"{task.func.__module__}.{task.func.__name__}"
    assert ".imports.tasks." in new or ".photos.tasks." in new
    assert import_string(new) is task
