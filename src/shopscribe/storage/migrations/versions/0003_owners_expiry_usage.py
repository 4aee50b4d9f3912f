"""Keys get a team, an expiry, a token budget and a rotation grace; jobs get their owner's team and the
time a worker last claimed from them (owners take turns); usage counters shared by every process.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as t:
        t.add_column(sa.Column("team", sa.String(200), nullable=True))
        t.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("tokens_per_minute", sa.Integer, nullable=True))
        t.add_column(sa.Column("previous_hash", sa.String(64), nullable=True))
        t.add_column(sa.Column("previous_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("jobs") as t:
        t.add_column(sa.Column("team", sa.String(200), nullable=True))
        t.add_column(sa.Column("last_claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_api_keys_previous_hash", "api_keys", ["previous_hash"])
    op.create_index("ix_jobs_owner", "jobs", ["created_by", "created_at"])
    op.create_table(
        "usage_counters",
        sa.Column("subject", sa.String(250), primary_key=True),
        sa.Column("window", sa.Integer, primary_key=True),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("tokens", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("usage_counters")
    op.drop_index("ix_jobs_owner", "jobs")
    op.drop_index("ix_api_keys_previous_hash", "api_keys")
    with op.batch_alter_table("jobs") as t:
        t.drop_column("last_claimed_at")
        t.drop_column("team")
    with op.batch_alter_table("api_keys") as t:
        for name in ("previous_until", "previous_hash", "tokens_per_minute", "expires_at", "team"):
            t.drop_column(name)
