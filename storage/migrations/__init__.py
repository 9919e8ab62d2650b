"""Alembic migrations for Gangmaker's schema, applied at start and by `gangmaker db upgrade`."""
