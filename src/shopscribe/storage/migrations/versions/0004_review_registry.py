"""The review workspace (one review per job product, with drafts and revisions) and the model registry
(versions of a served model id and which one is promoted).

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_item_id", sa.Integer, sa.ForeignKey("job_items.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("product_id", sa.String(500), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("category", sa.String(500), nullable=True),
        sa.Column("guard_status", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(300), nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("edited", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("draft", sa.Text, nullable=True),
        sa.Column("draft_by", sa.String(200), nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_review_items_queue", "review_items", ["job_id", "state", "guard_status"])
    op.create_index("ix_review_items_product_id", "review_items", ["product_id"])
    op.create_table(
        "model_registry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("parent", sa.Integer, nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.UniqueConstraint("model_id", "version"),
    )
    op.create_index("ix_model_registry_model_id", "model_registry", ["model_id"])
    op.create_table(
        "model_promotions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_model_promotions_model_id", "model_promotions", ["model_id"])
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])  # a product's review history


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject", "audit_log")
    op.drop_table("model_promotions")
    op.drop_table("model_registry")
    op.drop_table("review_items")
