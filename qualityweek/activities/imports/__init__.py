"""The spreadsheet import (upload, validation job, preview, import job) and the activities export's
job and page. Models stay in ``activities/models.py``."""
