"""the mediation record (issue 13): parties, invitations, sessions, agreements, follow-up
visits, their clocks, staff links to the documents, and a case's origin (applied / own initiative / referral)

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=False, server_default="applied"))
    op.create_index("ix_cases_contact", "cases", ["contact", "channel"])
    op.create_table(
        "case_parties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("contact", sa.String(32), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("representative", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user", sa.String(128), nullable=False),
        sa.Column("consent", sa.String(16), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_parties_case_id", "case_parties", ["case_id"])
    op.create_index("ix_case_parties_chat", "case_parties", ["channel", "user"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("party_id", sa.Integer(), sa.ForeignKey("case_parties.id"), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.Column("used_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitations_case_id", "invitations", ["case_id"])
    op.create_table(
        "mediation_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("starts_at", TZ, nullable=True),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("video_url", sa.String(500), nullable=False),
        sa.Column("scheduled_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", TZ, nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mediation_sessions_case_id", "mediation_sessions", ["case_id"])
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("form", sa.String(8), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("disputes", sa.Text(), nullable=False),
        sa.Column("responsibility", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("performance_method", sa.Text(), nullable=False),
        sa.Column("performance_due", TZ, nullable=True),
        sa.Column("committee", sa.String(100), nullable=False),
        sa.Column("mediator", sa.String(64), nullable=False),
        sa.Column("signed_at", TZ, nullable=False),
        sa.Column("performance", sa.String(16), nullable=False),
        sa.Column("performed_at", TZ, nullable=True),
        sa.Column("confirmation", sa.String(16), nullable=False),
        sa.Column("confirm_window_ends", TZ, nullable=True),
        sa.Column("confirm_court", sa.String(100), nullable=False),
        sa.Column("confirm_applied_at", TZ, nullable=True),
        sa.Column("confirm_number", sa.String(100), nullable=False),
        sa.Column("confirm_decided_on", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_agreements_case_id", "agreements", ["case_id"])
    op.create_index("ix_agreements_signed_at", "agreements", ["signed_at"])
    op.create_table(
        "document_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("agreement_id", sa.Integer(), sa.ForeignKey("agreements.id"), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=False),
        sa.Column("tasked_at", TZ, nullable=True),
        sa.Column("done_at", TZ, nullable=True),
        sa.Column("performed", sa.Boolean(), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("risk", sa.Text(), nullable=False),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_follow_ups_case_id", "follow_ups", ["case_id"])
    op.create_index("ix_follow_ups_due_at", "follow_ups", ["due_at"])
    op.create_table(
        "mediation_timers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("done_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mediation_timers_due", "mediation_timers", ["due_at"],
                    postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_mediation_timers_due", table_name="mediation_timers")
    op.drop_table("mediation_timers")
    op.drop_table("document_links")
    op.drop_index("ix_follow_ups_due_at", table_name="follow_ups")
    op.drop_index("ix_follow_ups_case_id", table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_index("ix_agreements_signed_at", table_name="agreements")
    op.drop_index("ix_agreements_case_id", table_name="agreements")
    op.drop_table("agreements")
    op.drop_index("ix_mediation_sessions_case_id", table_name="mediation_sessions")
    op.drop_table("mediation_sessions")
    op.drop_index("ix_invitations_case_id", table_name="invitations")
    op.drop_table("invitations")
    op.drop_index("ix_case_parties_chat", table_name="case_parties")
    op.drop_index("ix_case_parties_case_id", table_name="case_parties")
    op.drop_table("case_parties")
    op.drop_index("ix_cases_contact", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("origin")
