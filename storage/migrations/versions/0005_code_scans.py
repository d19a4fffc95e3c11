"""dispute-code scans in the database (append-only, one row per scan event); merges 0003 and 0004

Revision ID: 0005
Revises: 0003, 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_scans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("code_scans") as batch:
        batch.create_index(batch.f("ix_code_scans_code"), ["code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("code_scans") as batch:
        batch.drop_index(batch.f("ix_code_scans_code"))
    op.drop_table("code_scans")
