"""Console accounts: which staff member has which password hash. The hashing is bot/accounts.py's;
this module only keeps the rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffAccount


async def password_hash(session: AsyncSession, staff_id: str) -> str | None:
    """The stored hash, or None when the staff member has no console password."""
    value = await session.scalar(select(StaffAccount.password_hash).where(StaffAccount.staff_id == staff_id))
    return str(value) if value is not None else None


async def set_password_hash(session: AsyncSession, staff_id: str, hashed: str, now: datetime) -> None:
    row = await session.get(StaffAccount, staff_id)
    if row is None:
        session.add(StaffAccount(staff_id=staff_id, password_hash=hashed, changed_at=now))
    else:
        row.password_hash, row.changed_at = hashed, now


async def with_password(session: AsyncSession) -> set[str]:
    """Staff ids that have a console password."""
    return set((await session.scalars(select(StaffAccount.staff_id))).all())
