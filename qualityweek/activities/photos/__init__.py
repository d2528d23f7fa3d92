"""Evidence photos of an activity: upload, re-encoding job, serving to those who may see them."""
