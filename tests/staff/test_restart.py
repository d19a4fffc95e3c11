"""The outbox survives a restart: pushes queued (or half sent) by one process are delivered by
the next one on the same database, once."""
from __future__ import annotations

from sqlalchemy import update

from adapters.wecom_app import WeComAppChannel
from bot.message import Push
from jiefen.gateway import make_app
from jiefen.testing import TestBot, make_context
from storage.models import OutboxItem
from tests.fakes.wecom_api import FakeWeComAPI
from tests.staff.conftest import WECOM
from tests.staff.helpers import outbox, report


async def test_pending_pushes_survive_a_restart(tmp_path, clock, aiohttp_client):
    fake = await FakeWeComAPI(corpid=WECOM["wecom_corpid"], secret=WECOM["wecom_secret"]).start()
    try:
        first = await make_context(tmp_path, clock=clock, wecom_api_base=fake.url, **WECOM)
        bot = TestBot(first)
        number = await report(bot)
        number2 = await report(bot, "我是桃源村的，邻居家的狗天天半夜叫，电话13912345678")
        rows = await outbox(first, "wecom_app")
        assert [r.status for r in rows] == ["pending", "pending"]
        # the first process claimed the second push, WeCom took it, and the process died
        # before writing down that it was sent
        async with first.db.session() as s:
            await s.execute(update(OutboxItem).where(OutboxItem.id == rows[1].id)
                            .values(status="sending", attempts=1))
        channel = WeComAppChannel(first)
        await channel.deliver(Push(rows[1].channel, rows[1].user, rows[1].text, rows[1].case_number, rows[1].kind))
        await channel.stop()
        await first.close()
        assert len(fake.sent()) == 1

        second = await make_context(tmp_path, clock=clock, wecom_api_base=fake.url, **WECOM)
        client = await aiohttp_client(make_app(second, run_outbox=False))   # start-up requeues 'sending'
        second.channels.setdefault("test", TestBot(second).sender)
        while await second.outbox.run_once():
            pass
        assert {r.status for r in await outbox(second, "wecom_app")} == {"sent"}
        # the half-sent push went out again: WeCom's duplicate check keeps it from showing twice
        assert sorted(b["touser"] for b in fake.sent()) == ["LiHongMei", "WangJianGuo", "WangJianGuo"]
        shown = fake.shown()
        assert sorted(b["touser"] for b in shown) == ["LiHongMei", "WangJianGuo"]
        assert {number, number2} <= {n for b in shown for n in (number, number2) if n in b["text"]["content"]}
        await client.close()
        await second.close()
    finally:
        await fake.stop()
