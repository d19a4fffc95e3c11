"""conversations.attention for databases migrated before it was added to 0006

Revision 0006 gained the `attention` column (and its index) after it had been released
(e8048e6, the safety question): a database upgraded to 0006 earlier has neither, and alembic
does not run 0006 again, so every message failed there ("column conversations.attention does
not exist"). Added here when missing; nothing happens on a database that has them.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "attention" not in {c["name"] for c in inspector.get_columns("conversations")}:
        with op.batch_alter_table("conversations") as batch:
            batch.add_column(sa.Column("attention", sa.Boolean(), nullable=False, server_default=sa.false()))
    if "ix_conversations_attention" not in {i["name"] for i in inspector.get_indexes("conversations")}:
        op.create_index("ix_conversations_attention", "conversations", ["attention"])


def downgrade() -> None:
    pass           # the column belongs to 0006
