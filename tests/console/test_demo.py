"""`jiefen init --demo --history`: a year of made-up cases the dashboard can speak about."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.settings import Settings
from jiefen.admin import demo_logins, init_database
from jiefen.demo import add_history
from storage import figures
from storage.db import Database
from storage.models import Case, CaseEvent, CodeScan


async def test_a_year_of_history_with_seasons_a_rise_and_kept_figures(tmp_path):
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    await init_database(settings, demo=True)
    assert "centre-qs" in (await demo_logins(settings))[0]
    today = date(2026, 12, 3)
    added = await add_history(settings, 600, today=today)
    assert 520 <= added <= 680
    assert await add_history(settings, 600, today=today) == 0                  # once
    db = Database(settings.database_url)
    try:
        async with db.session() as s:
            rows = (await s.execute(select(Case.id, Case.number, Case.created_at, Case.contact, Case.place_code,
                                           Case.type).order_by(Case.id))).all()
            scans = await s.scalar(select(func.count()).select_from(CodeScan))
            last = await figures.read_area(s, today - timedelta(days=30), today, None)
            before = await figures.read_area(s, today - timedelta(days=61), today - timedelta(days=31), None)
            winter = await figures.read_area(s, date(2026, 1, 1), date(2026, 1, 31), None)
            summer = await figures.read_area(s, date(2026, 7, 1), date(2026, 7, 31), None)
        assert len(rows) == added and scans > 0
        assert all(r.contact == "" for r in rows)                              # nobody's phone, made up or not
        assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)   # numbers in the day's order
        assert max(r.created_at for r in rows).date() < today
        rising = sum(m.cases for k, m in last.by_place_type.items() if k.startswith("DX03") and k.endswith("|labour"))
        earlier = sum(m.cases for k, m in before.by_place_type.items()
                      if k.startswith("DX03") and k.endswith("|labour"))
        assert rising >= 2 * max(earlier, 1)                                    # labour rises in 石桥村
        assert winter.by_type["labour"].cases > summer.by_type["labour"].cases    # wages before the Spring Festival
        assert summer.by_type["neighbour"].cases > winter.by_type["neighbour"].cases
        # every made-up ledger walks to its case's status: a 调解中 case was never 接单 in it
        async with db.session() as s:
            cases = {c.id: c for c in (await s.scalars(select(Case))).all()}
            walks: dict[int, list[tuple[str, str]]] = {}
            for e in (await s.scalars(select(CaseEvent).where(CaseEvent.kind == "status")
                                      .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id))).all():
                walks.setdefault(e.case_id, []).append((e.data["before"], e.data["after"]))
        for cid, case in cases.items():
            walk = walks.get(cid, [])
            assert walk and walk[0][0] == "received", (case.number, walk)
            assert all(a[1] == b[0] for a, b in zip(walk, walk[1:])), (case.number, walk)
            assert walk[-1][1] == case.status, (case.number, case.status, walk)
        kept = last.total
        await figures.rebuild(db)
        async with db.session() as s:
            assert (await figures.read_area(s, today - timedelta(days=30), today, None)).total == kept
    finally:
        await db.close()


async def test_demo_passwords_are_only_for_the_demo_county(tmp_path):
    """`init --demo` on a database holding another registry loads nothing and gives no known
    password to a staff member who happens to share a demo id (a trial got one for gw-liulin)."""
    from jiefen.admin import load_registry_file
    registry = tmp_path / "county.yaml"
    registry.write_text("""places:
  - {code: QS, name: 青山县, level: county}
  - {code: DX, name: 东溪镇, level: town, parent: QS}
  - {code: DX01, name: 柳林村, level: village, parent: DX}
staff:
  - {id: gw-liulin, name: 李红梅, role: grid_worker, places: [DX01], wecom_userid: LiHongMei}
  - {id: centre-qs, name: 县综治中心, role: centre, places: [QS], wecom_userid: QSCentre}
""", encoding="utf-8")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'county.db'}")
    await load_registry_file(settings, str(registry))
    assert not await init_database(settings, demo=True)                # not empty: nothing loaded
    assert await demo_logins(settings) == []
    from storage.accounts import with_password
    db = Database(settings.database_url)
    try:
        async with db.session() as s:
            assert not await with_password(s)
    finally:
        await db.close()
