"""one head again: the inbox and conversations (0006) and the scale work (0010) came in parallel

Revision ID: 0011
Revises: 0006, 0010
"""
revision = "0011"
down_revision = ("0006", "0010")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
