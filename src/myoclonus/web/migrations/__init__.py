"""Alembic migrations of the web app's database (run by ``myoclonus.web.storage.upgrade_database``)."""
