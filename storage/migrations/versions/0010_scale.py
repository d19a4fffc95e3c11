"""scale: assignees in a table, open load per staff member, the clocks' next due time per case,
the centre's figures as maintained counts, ledger and case indexes for the reads they serve

Existing data moves over: each case's assignees JSON becomes case_assignees rows (the staff
member's role from the staff table), staff_load counts them, red_card_at comes from the ledger,
and every open case is due at once so the scheduler computes its next due time (it reads the
ledger, so nothing already sent is sent again). The figures are built by the application on
its next start (they need the county's time zone): storage/figures.py `ensure_built`.

Revision ID: 0010
Revises: 0005
"""
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = ("received", "dispatched", "mediating", "escalated")
DUE_AT_ONCE = datetime(2000, 1, 1)


def _when(value: datetime) -> datetime:
    return value if op.get_bind().dialect.name == "sqlite" else value.replace(tzinfo=UTC)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite and sqlite3.sqlite_version_info < (3, 35):
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is too old: jiefen needs 3.35 or newer (DROP COLUMN)")
    op.create_table(
        "case_assignees",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "staff_id"),
    )
    op.create_index("ix_case_assignees_staff_open", "case_assignees", ["staff_id", "open", "case_id"])
    op.create_table(
        "staff_load",
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    measures = ("cases", "open", "dispatched", "dispatch_secs", "resolved", "resolve_timed", "resolve_secs",
                "closed", "at_town", "at_county", "red", "overdue", "late", "carded", "carded_open", "rated",
                "rating_sum")
    op.create_table(
        "case_figures",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("dim", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        *[sa.Column(m, sa.BigInteger() if m.endswith("_secs") else sa.Integer(), nullable=False) for m in measures],
        sa.PrimaryKeyConstraint("day", "dim", "key"),
    )
    op.create_table(
        "jiefen_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    for column in ("next_due_at", "overdue_since", "red_card_at"):
        op.add_column("cases", sa.Column(column, sa.DateTime(timezone=True), nullable=True))

    # the ledger: a case's events (of a kind), a resident's joined reports
    op.create_index("ix_case_events_case_kind", "case_events", ["case_id", "kind", "id"])
    op.drop_index("ix_case_events_case_id", table_name="case_events")
    op.create_index("ix_case_events_actor_kind", "case_events", ["actor", "kind"])

    # assignees: JSON list → rows
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("status", sa.String),
                     sa.column("assignees", sa.JSON), sa.column("assigned_at", sa.DateTime(timezone=True)),
                     sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("next_due_at", sa.DateTime(timezone=True)),
                     sa.column("red_card_at", sa.DateTime(timezone=True)))
    rows_table = sa.table("case_assignees", sa.column("case_id", sa.Integer), sa.column("staff_id", sa.String),
                          sa.column("role", sa.String), sa.column("position", sa.Integer),
                          sa.column("open", sa.Boolean), sa.column("since", sa.DateTime(timezone=True)))
    roles: dict[str, str] = dict(bind.execute(sa.text("SELECT id, role FROM staff")).all())
    load: dict[str, int] = {}
    last = 0
    while True:
        batch = bind.execute(sa.select(cases.c.id, cases.c.status, cases.c.assignees, cases.c.assigned_at)
                             .where(cases.c.id > last).order_by(cases.c.id).limit(5000)).all()
        if not batch:
            break
        last = batch[-1][0]
        rows = []
        for case_id, status, assignees, assigned_at in batch:
            seen: list[str] = []
            for sid in assignees or []:
                if sid in seen:
                    continue
                seen.append(sid)
                rows.append({"case_id": case_id, "staff_id": sid, "role": roles.get(sid, ""),
                             "position": len(seen) - 1, "open": status in OPEN, "since": assigned_at})
                if status in OPEN:
                    load[sid] = load.get(sid, 0) + 1
        if rows:
            bind.execute(rows_table.insert(), rows)
    if load:
        bind.execute(sa.text("INSERT INTO staff_load (staff_id, open_cases) VALUES (:s, :n)"),
                     [{"s": s, "n": n} for s, n in sorted(load.items())])
    bind.execute(sa.text("UPDATE cases SET red_card_at = (SELECT max(e.at) FROM case_events e "
                         "WHERE e.case_id = cases.id AND e.kind = 'red_card')"))
    bind.execute(cases.update().where(cases.c.status.in_(OPEN)).values(next_due_at=_when(DUE_AT_ONCE)))

    for name in ("ix_cases_type", "ix_cases_status", "ix_cases_place_code", "ix_cases_reporter"):
        op.drop_index(name, table_name="cases")
    if sqlite:       # batch mode would copy the table, and the ledger's foreign keys refuse the drop
        op.execute("ALTER TABLE cases DROP COLUMN assignees")
    else:
        op.drop_column("cases", "assignees")
    op.create_index("ix_cases_status_id", "cases", ["status", "id"])
    op.create_index("ix_cases_type_id", "cases", ["type", "id"])
    op.create_index("ix_cases_place_id", "cases", ["place_code", "id"])
    op.create_index("ix_cases_duplicates", "cases", ["place_code", "type", "created_at"])
    op.create_index("ix_cases_reporter_created", "cases", ["channel", "reporter", "created_at"])
    op.create_index("ix_cases_created_at", "cases", ["created_at"])
    op.create_index("ix_cases_updated_id", "cases", ["updated_at", "id"])
    op.create_index("ix_cases_next_due", "cases", ["next_due_at"],
                    postgresql_where=sa.text("next_due_at IS NOT NULL"), sqlite_where=sa.text("next_due_at IS NOT NULL"))
    late = sa.text("overdue_since IS NOT NULL AND red_card_at IS NULL")
    carded = sa.text("red_card_at IS NOT NULL AND closed_at IS NULL")
    op.create_index("ix_cases_late", "cases", ["id"], postgresql_where=late, sqlite_where=late)
    op.create_index("ix_cases_red_card", "cases", ["id"], postgresql_where=carded, sqlite_where=carded)


def downgrade() -> None:
    bind = op.get_bind()
    for name in ("ix_cases_red_card", "ix_cases_late", "ix_cases_next_due", "ix_cases_updated_id",
                 "ix_cases_created_at", "ix_cases_reporter_created", "ix_cases_duplicates", "ix_cases_place_id",
                 "ix_cases_type_id", "ix_cases_status_id"):
        op.drop_index(name, table_name="cases")
    op.add_column("cases", sa.Column("assignees", sa.JSON(), nullable=False, server_default="[]"))
    rows = bind.execute(sa.text("SELECT case_id, staff_id FROM case_assignees ORDER BY case_id, position")).all()
    by_case: dict[int, list[str]] = {}
    for case_id, staff_id in rows:
        by_case.setdefault(case_id, []).append(staff_id)
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("assignees", sa.JSON))
    for case_id, ids in by_case.items():
        bind.execute(cases.update().where(cases.c.id == case_id).values(assignees=ids))
    op.create_index("ix_cases_type", "cases", ["type"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_place_code", "cases", ["place_code"])
    op.create_index("ix_cases_reporter", "cases", ["reporter"])
    op.drop_index("ix_case_events_actor_kind", table_name="case_events")
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.drop_index("ix_case_events_case_kind", table_name="case_events")
    for column in ("red_card_at", "overdue_since", "next_due_at"):
        if bind.dialect.name == "sqlite":
            op.execute(f"ALTER TABLE cases DROP COLUMN {column}")
        else:
            op.drop_column("cases", column)
    for table in ("jiefen_meta", "case_figures", "staff_load"):
        op.drop_table(table)
    op.drop_index("ix_case_assignees_staff_open", table_name="case_assignees")
    op.drop_table("case_assignees")
