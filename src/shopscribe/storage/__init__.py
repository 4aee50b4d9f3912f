"""Storage: SQLAlchemy tables, migrations (Alembic) and the queries the service uses.

An embedded SQLite file by default; any SQLAlchemy URL (``postgresql+psycopg://…``) in production."""

from shopscribe.storage.database import Database, open_database
from shopscribe.storage.keys import SCOPES, ApiKeyInfo

__all__ = ["Database", "open_database", "SCOPES", "ApiKeyInfo"]
