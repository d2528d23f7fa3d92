"""The demo data set (see ``steps``): the composition root above every app."""
