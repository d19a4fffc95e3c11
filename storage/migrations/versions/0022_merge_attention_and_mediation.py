"""one head again: conversations.attention for old databases (0012) and the console and
mediation record (0020, 0021) came in parallel

Revision ID: 0022
Revises: 0012, 0021
"""
revision = "0022"
down_revision = ("0012", "0021")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
