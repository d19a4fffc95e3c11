"""Long answers: WeChat shows a text message of at most 2048 bytes (passive reply and
customer-service message alike). A longer answer goes as several messages, cut at line breaks
or sentence ends, never inside a character or a case number; the first part as the passive
reply, the rest after it as customer-service messages, in order; nothing lost or repeated when
WeChat retries, when the window runs out part-way, or when a send fails part-way."""
from __future__ import annotations

import asyncio
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adapters.wechat_mp.split import LIMIT, PART_BYTES, split_once, split_text, utf8_len
from bot.message import Push
from bot.outbox import enqueue
from storage.models import Case, CaseEvent, OutboxItem
from tests.fakes.wechat_api import TEXT_LIMIT

CS = "/cgi-bin/message/custom/send"
NUMBER = re.compile(r"JF\d{6}-\d{3}")


def ledger(lines: int = 90) -> str:
    """A case's ledger as a resident might ask for it: many lines, each with a case number."""
    return "\n".join([f"案件 JF261123-{i % 1000:03d}：{i % 28 + 1}日 网格员上门了解情况，双方同意下周调解。"
                      for i in range(lines)])


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def answer_with(ctx, word: str, text: str) -> None:
    """The bot answers `word` with `text` (innermost middleware: dedupe and the ledger see it)."""
    async def long_answer(handler, message, data):
        if message.text == word:
            return text
        return await handler(message, data)
    ctx.dispatcher.middlewares.append(long_answer)


async def _settle(channel) -> None:
    while channel.handlings.tasks:
        await asyncio.wait(set(channel.handlings.tasks), timeout=10)


# ---- cutting ---------------------------------------------------------------------------------
def test_short_text_is_one_part():
    assert split_text("  你好\n") == ["你好"] and split_text(" \n ") == []
    assert PART_BYTES <= LIMIT == TEXT_LIMIT


def test_cuts_at_line_breaks_keeping_case_numbers_whole():
    text = ledger()
    parts = split_text(text)
    assert len(parts) > 2 and all(utf8_len(p) <= PART_BYTES for p in parts)
    assert "\n".join(parts) == text                      # whole lines: nothing lost, nothing added
    assert sum(len(NUMBER.findall(p)) for p in parts) == len(NUMBER.findall(text))


def test_without_line_breaks_cuts_after_a_sentence():
    text = "对方把院墙往我家这边挪了半米，我去找他理论，他说是村里批的。" * 60
    parts = split_text(text)
    assert len(parts) > 1 and all(p.endswith("。") for p in parts)
    assert "".join(parts) == text


def test_a_case_number_at_the_limit_moves_whole_to_the_next_part():
    text = "查" * 660 + "JF261123-007" + "号案件已受理" * 30
    cut = 660 * 3 + 8                                    # the limit falls inside the number
    first, rest = split_once(text, cut)
    assert first == "查" * 660 and rest.startswith("JF261123-007")


def test_never_inside_a_character_or_an_emoji_sequence():
    family = "👨\u200d👩\u200d👧"
    text = family * 300
    parts = split_text(text, 100)
    assert "".join(parts) == text and all(p.startswith("👨") and p.endswith("👧") for p in parts)
    for part in parts:
        part.encode("utf-8").decode("utf-8")             # every part is whole UTF-8


def test_the_rest_splits_as_the_whole_did():
    text = ledger(120)
    first, rest = split_once(text)
    assert [first] + split_text(rest) == split_text(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(alphabet="调解纠纷邻居院墙漏水，。！？；、 \n", max_size=300),
                          st.sampled_from(["JF261123-007", "JF 261123 008", "13912345678", "https://x.cn/a?b=1",
                                           "\n\n", "😀", "é", "\u200d"]),
                          st.text(max_size=50)), max_size=60),
       st.integers(min_value=16, max_value=600))
@example(pieces=["13912345678", "JF261123-007", "JF261123-007"], limit=24)   # a number glued to a phone
@example(pieces=["JF261123-007", "JF261123-007", "\u200d"], limit=24)        # a joiner after a number at the limit
@example(pieces=["JF261123-007", "\u200d", "JF261123-007"], limit=24)        # a joiner between two numbers
def test_fuzz_nothing_lost_and_every_part_fits(pieces, limit):
    text = "".join(pieces)
    parts = split_text(text, limit)
    assert all(p and p == p.strip() and utf8_len(p) <= limit for p in parts)
    assert squeeze("".join(parts)) == squeeze(text)
    for number in NUMBER.findall(text):
        if utf8_len(number) <= limit // 2:
            assert sum(p.count(number) for p in parts) == text.count(number)


# ---- the callback ----------------------------------------------------------------------------
async def test_a_long_passive_answer_continues_as_customer_service_messages(resident, wx_ctx, channel,
                                                                           fake_api, clock):
    text = ledger()
    answer_with(wx_ctx, "我的账本", text)
    first = await resident.say("我的账本", msg_id=880001)
    assert first and utf8_len(first) <= TEXT_LIMIT and first == split_text(text)[0]
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent() == []                   # the rest waits until the passive reply is there
    clock.advance(seconds=2)
    await wx_ctx.outbox.run_once()
    rest = fake_api.texts_sent(resident.openid)
    assert [first] + rest == split_text(text) and all(utf8_len(t) <= TEXT_LIMIT for t in rest)
    assert squeeze("".join([first] + rest)) == squeeze(text)
    # WeChat retries (our reply was lost on the way): the same first part, nothing sent twice
    assert await resident.say("我的账本", msg_id=880001) == first
    clock.advance(seconds=2)
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid) == rest
    async with wx_ctx.db.session() as s:
        assert len((await s.scalars(select(OutboxItem))).all()) == 1


async def test_concurrent_copies_queue_the_rest_once(resident, wx_ctx, channel, fake_api, clock):
    text = ledger()
    answer_with(wx_ctx, "我的账本", text)
    answers = await asyncio.gather(*(resident.say("我的账本", msg_id=880002) for _ in range(4)))
    assert len(set(answers)) == 1
    clock.advance(seconds=2)
    await wx_ctx.outbox.run_once()
    assert [answers[0]] + fake_api.texts_sent() == split_text(text)


async def test_a_slow_long_answer_goes_whole_as_customer_service_messages(resident, wx_ctx, channel, fake_api):
    text = ledger(60)
    answer_with(wx_ctx, "我的账本", text)

    async def slow(handler, message, data):
        await asyncio.sleep(0.2)
        return await handler(message, data)
    wx_ctx.dispatcher.middlewares.insert(0, slow)
    wx_ctx.settings = wx_ctx.settings.replace(wechat_passive_timeout=0.05)
    assert await resident.say("我的账本", msg_id=880003) == ""          # `success`
    await _settle(channel)
    await wx_ctx.outbox.run_once()
    sent = fake_api.texts_sent(resident.openid)
    assert sent == split_text(text) and len(sent) > 1
    assert await resident.say("我的账本", msg_id=880003) == ""          # a retry: nothing more
    await _settle(channel)
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid) == sent


# ---- pushes ----------------------------------------------------------------------------------
async def _queue(ctx, push: Push) -> None:
    async with ctx.db.session() as s:
        await enqueue(s, push, ctx.clock.now())


async def test_a_long_update_stops_when_the_window_is_used_up_and_resumes(resident, wx_ctx, channel, fake_api,
                                                                         clock):
    await resident.say("你好")                          # 5 messages within 48 h, one kept for the final
    text = ledger(130)
    parts = split_text(text)
    assert 4 < len(parts) <= 8                          # more than one window's worth, less than two
    await _queue(wx_ctx, Push("wechat_mp", resident.openid, text, kind="update", key="long-update"))
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid) == parts[:4]
    async with wx_ctx.db.session() as s:
        row = await s.scalar(select(OutboxItem).where(OutboxItem.key == "long-update"))
    assert row.status == "held" and split_text(row.text) == parts[4:]
    clock.advance(minutes=1)
    await resident.say("还有呢")                          # a fresh window releases the rest
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid) == parts
    async with wx_ctx.db.session() as s:
        row = await s.scalar(select(OutboxItem).where(OutboxItem.key == "long-update"))
    assert row.status == "sent"


async def test_a_failure_part_way_resends_only_what_did_not_go(resident, wx_ctx, channel, fake_api, clock):
    await resident.say("你好")
    text = ledger(60)
    parts = split_text(text)
    assert len(parts) >= 3
    fake_api.fail(CS, 0, 45009)                         # the first goes, the second hits a frequency limit
    await _queue(wx_ctx, Push("wechat_mp", resident.openid, text, kind="reply", key="long-reply"))
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid) == parts[:1]
    clock.advance(minutes=1)
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid) == parts
    async with wx_ctx.db.session() as s:
        row = await s.scalar(select(OutboxItem).where(OutboxItem.key == "long-reply"))
    assert row.status == "sent" and row.text == split_once(text)[1]


async def test_merged_updates_stay_within_one_message(resident, wx_ctx, channel, fake_api):
    await resident.say("你好")
    for i in range(4):                                   # use up the slots updates may take
        await channel.deliver(Push("wechat_mp", resident.openid, f"进展{i}"))
    long_one = "调解员已联系双方，约定周五上午在村委会调解。" * 27          # 1.8 KB each: one fits, two do not
    async with wx_ctx.db.session() as s:
        for n in range(2):
            await enqueue(s, Push("wechat_mp", resident.openid, f"{n}{long_one}", kind="final", key=f"f{n}"),
                          wx_ctx.clock.now())
    await wx_ctx.outbox.run_once()
    sent = fake_api.texts_sent(resident.openid)[4:]
    assert sent == [f"0{long_one}"]                      # not merged into one oversized, cut message
    async with wx_ctx.db.session() as s:
        statuses = dict((await s.execute(select(OutboxItem.key, OutboxItem.status))).all())
    assert statuses == {"f0": "sent", "f1": "held"}


async def test_the_ledger_shows_a_long_push_went_in_several_messages(resident, wx_ctx, channel, fake_api):
    await resident.say("我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    await resident.say("确认")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    text = ledger(40)
    await _queue(wx_ctx, Push("wechat_mp", resident.openid, text, case_number=case.number, kind="final",
                              key="ledger-push"))
    await wx_ctx.outbox.run_once()
    assert fake_api.texts_sent(resident.openid)[-2:] == split_text(text)
    async with wx_ctx.db.session() as s:
        events = (await s.scalars(select(CaseEvent).where(CaseEvent.kind == "notification"))).all()
    [event] = [e for e in events if e.data.get("text") == text]
    assert event.data["outcome"] == "sent" and "2 messages" in event.data["detail"]
