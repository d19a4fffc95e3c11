"""cases.result and case_figures.unsettled: how a concluded case ended

Every concluded case counted as 化解: a mediation the respondent refused (人民调解法 Art. 17)
or that failed, and a report the resident withdrew, raised the success rate. A concluded
case now says how it ended (settled / ended / withdrawn) and only a settled one is 化解; the
figures keep the others apart. Cases concluded before this were all concluded as settled.
The figures are rebuilt once at start-up (storage/counters.py VERSION).

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("result", sa.String(16), nullable=True))
    op.execute("UPDATE cases SET result = 'settled' WHERE status IN ('resolved', 'closed')")
    with op.batch_alter_table("case_figures") as batch:
        batch.add_column(sa.Column("unsettled", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("case_figures") as batch:
        batch.drop_column("unsettled")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("result")
