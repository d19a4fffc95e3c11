"""cases.contact_note: how (not) to reach the resident, as they said it

A resident beaten at home wrote "13700002222 别打这个电话给我老公知道": the number was kept and
the warning lost. The warning is kept beside the number and shown wherever the number is.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("contact_note", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("contact_note")
