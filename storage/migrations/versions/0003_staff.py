"""staff side: on-duty times of staff, the moment a case was last assigned (the clocks' anchor)

Revision ID: 0003
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a column in place
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("on_duty", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("assigned_at")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("on_duty")
