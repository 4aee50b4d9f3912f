"""Alembic environment: runs on the connection ``storage.database.upgrade`` passes in."""

from alembic import context

from shopscribe.storage.tables import Base

target_metadata = Base.metadata
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
