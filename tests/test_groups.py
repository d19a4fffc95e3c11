"""Work groups through the WeCom smart robot, driven with encrypted JSON as WeCom sends it,
and through the signed generic forwarding endpoint."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select

from adapters.group_forward import GroupForwardChannel, sign
from adapters.wecom_bot import WeComBotChannel
from adapters.wecom_bot.crypto import BotCrypto
from jiefen.gateway import make_app
from jiefen.testing import make_context
from storage.cases import CaseStore
from storage.models import CaseEvent, OutboxItem

TOKEN, KEY = "robot-token", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
LIULIN_GROUP, TAOYUAN_GROUP = "wrkSFfCgAALiuLin01", "wrkSFfCgAATaoYuan1"
SECRET = "forward-secret"


@pytest.fixture
async def gctx(tmp_path, clock):
    # the answer's content is checked here, not its speed: a loaded machine may take more than
    # the 3 s WeCom allows (the late answer, a stream left open, has its own test)
    context = await make_context(tmp_path, clock=clock, wecom_bot_token=TOKEN, wecom_bot_aes_key=KEY,
                                 group_forward_secret=SECRET, wecom_bot_timeout=60.0)
    yield context
    await context.close()


@pytest.fixture
async def robot(gctx, aiohttp_client):
    client = await aiohttp_client(make_app(gctx, channels=[WeComBotChannel(gctx), GroupForwardChannel(gctx)],
                                           run_outbox=False))
    return Robot(client)


class Robot:
    """Plays WeCom: encrypts callbacks, decrypts the answers."""

    def __init__(self, client):
        self.client = client
        self.crypto = BotCrypto(TOKEN, KEY)
        self.n = 0

    async def post_raw(self, payload, *, signature=None):
        env = self.crypto.encrypt(payload)
        params = {"msg_signature": signature or env["msgsignature"], "timestamp": str(env["timestamp"]),
                  "nonce": env["nonce"]}
        return await self.client.post("/wecom/bot", params=params, data=json.dumps({"encrypt": env["encrypt"]}))

    async def post(self, text, *, user="gw-zhang", chat=LIULIN_GROUP, quote=None, msgid=None):
        self.n += 1
        payload = {"msgid": msgid or f"msg{self.n}", "aibotid": "AIBOT", "chattype": "group" if chat else "single",
                   "from": {"userid": user}, "response_url": "https://example.invalid/r", "msgtype": "text",
                   "text": {"content": (f"@解纷 {text}" if chat else text)}}
        if chat:
            payload["chatid"] = chat
        if quote:
            payload["quote"] = {"msgtype": "text", "text": {"content": quote}}
        return await self.answer(await self.post_raw(payload))

    async def answer(self, resp):
        assert resp.status == 200, await resp.text()
        body = await resp.read()
        if not body:
            return None
        env = json.loads(body)
        return self.crypto.decrypt(json.dumps({"encrypt": env["encrypt"]}).encode(), env["msgsignature"],
                                   str(env["timestamp"]), env["nonce"])


async def all_cases(ctx):
    async with ctx.db.session() as s:
        return list(await CaseStore(s, now=ctx.clock.now()).list())


async def test_url_verification_decrypts_echostr(robot):
    from wechatpy.enterprise.crypto import PrpCrypto

    from adapters.wecom_bot.crypto import signature
    echostr = PrpCrypto(robot.crypto._crypto.key).encrypt("5927782489442352469", "")
    echostr = echostr.decode() if isinstance(echostr, bytes) else echostr
    now = str(int(time.time()))
    params = {"msg_signature": signature(TOKEN, now, "437374425", echostr),
              "timestamp": now, "nonce": "437374425", "echostr": echostr}
    resp = await robot.client.get("/wecom/bot", params=params)
    assert resp.status == 200 and await resp.text() == "5927782489442352469"
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    old = str(int(time.time()) - 3600)
    resp = await robot.client.get("/wecom/bot", params={**params, "timestamp": old,
                                                        "msg_signature": signature(TOKEN, old, "437374425", echostr)})
    assert resp.status == 403
    resp = await robot.client.get("/wecom/bot", params={**params, "nonce": "437374424"})
    assert resp.status == 403


async def test_a_mention_in_a_mapped_group_makes_a_case_there_and_the_group_sees_no_personal_data(robot, gctx):
    reply = await robot.post("3组王大爷反映隔壁装修天天吵到半夜，他电话13812345678")
    content = reply["stream"]["content"]
    assert reply["msgtype"] == "stream" and reply["stream"]["finish"] is True
    [case] = await all_cases(gctx)
    assert case.number in content and case.place_code == "DX01"          # the group's village
    assert content == f"已登记，编号 {case.number}，由综治中心分派中。"     # no worker on duty in the fixture
    for private in ("13812345678", "138****5678", "王大爷", "装修", "隔壁"):
        assert private not in content
    assert case.channel == "wecom_bot" and case.reporter == "gw-zhang" and case.contact == "13812345678"
    async with gctx.db.session() as s:
        events = await CaseStore(s, now=gctx.clock.now()).events(case)
    [post] = [e for e in events if e.kind == "message_in"]
    assert post.data["chat"] == LIULIN_GROUP and "王大爷" in post.data["text"]
    assert any(e.kind == "message_out" and case.number in e.data["text"] for e in events)


async def test_a_place_named_in_the_post_wins_over_the_groups(robot, gctx):
    await robot.post("桃源村有两家为宅基地边界吵起来了", chat=LIULIN_GROUP)
    [case] = await all_cases(gctx)
    assert case.place_code == "DX02"


async def test_the_same_dispute_posted_again_links_to_the_open_case(robot, gctx):
    first = (await robot.post("柳林村3组两户人家为排水沟堵了吵架，水都淹到院子里了"))["stream"]["content"]
    second = (await robot.post("柳林村3组那两户又因为排水沟吵起来了，水淹院子", user="gw-li",
                               chat=TAOYUAN_GROUP))["stream"]["content"]
    [case] = await all_cases(gctx)
    assert case.number in first and case.number in second and "已登记过" in second
    async with gctx.db.session() as s:
        events = await CaseStore(s, now=gctx.clock.now()).events(case)
    assert [e.kind for e in events].count("linked_report") == 1


async def test_a_question_about_a_case_is_answered_in_the_group_with_no_details(robot, gctx):
    """A trial's "JF… 那个事怎么样了" got the help line, and "王大爷那个装修的事处理了没有" opened a
    second case: a case's status and who has it (what the group saw when it was opened)."""
    await robot.post("3组王大爷反映隔壁装修天天吵到半夜，他电话13812345678")
    [case] = await all_cases(gctx)
    content = (await robot.post(f"{case.number} 那个事怎么样了"))["stream"]["content"]
    assert case.number in content and "已受理" in content and "请@我" not in content, content
    for private in ("13812345678", "王大爷", "装修"):
        assert private not in content
    content = (await robot.post(case.number.lower().replace("-", "") + " 进展如何"))["stream"]["content"]
    assert case.number in content, content
    content = (await robot.post("JF261123-999 怎么样了"))["stream"]["content"]
    assert "没有" in content and "JF261123-999" in content, content
    content = (await robot.post("王大爷那个装修的事处理了没有"))["stream"]["content"]
    assert "编号" in content and len(await all_cases(gctx)) == 1, content
    content = (await robot.post("河边有人天天倒垃圾 有人管吗"))["stream"]["content"]     # a report, asking
    assert "已登记" in content and len(await all_cases(gctx)) == 2, content


async def test_chatter_makes_no_case(robot, gctx):
    reply = await robot.post("大家辛苦了，明天上午九点开会")
    assert "请@我" in reply["stream"]["content"]
    assert await all_cases(gctx) == []


async def test_a_forward_is_read_as_the_residents_report_and_details_are_asked_privately(robot, gctx):
    reply = await robot.post("转：张大爷说隔壁家的狗天天半夜叫，吵得老两口睡不着")
    [case] = await all_cases(gctx)
    assert case.number in reply["stream"]["content"] and "张大爷" not in reply["stream"]["content"]
    assert case.reporter_name == "张大爷" and case.contact == ""
    async with gctx.db.session() as s:
        [ask] = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "ask"))).all()
    assert (ask.channel, ask.user) == ("wecom_app", "gw-zhang") and "联系电话" in ask.text
    private = await robot.post("13912345678", chat=None)          # the poster answers in a single chat
    assert case.number in private["stream"]["content"]
    [case] = await all_cases(gctx)
    assert case.contact == "13912345678"


async def test_two_relays_waiting_for_a_phone_each_get_their_own(robot, gctx):
    """A trial's worker relayed two residents; his private "李师傅电话136…" went to the second
    case (the first resident's), and "JF… 反映人电话136…" only showed a status. With two asks
    open a bare number is asked about; a number given with its case goes to that case."""
    await robot.post("转：李师傅说工地老板欠了他三个月工钱")
    await robot.post("转：张大爷说隔壁天天往他家门口倒垃圾")
    wages, rubbish = sorted(await all_cases(gctx), key=lambda c: c.id)
    assert wages.contact == rubbish.contact == ""
    async with gctx.db.session() as s:
        asks = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "ask").order_by(OutboxItem.id))).all()
    assert "编号" not in asks[0].text and f"{rubbish.number} 138" in asks[1].text, [a.text for a in asks]
    reply = (await robot.post("13698765432", chat=None))["stream"]["content"]
    assert wages.number in reply and rubbish.number in reply and "编号" in reply, reply
    reply = (await robot.post(f"{wages.number} 李师傅电话13698765432", chat=None))["stream"]["content"]
    assert wages.number in reply, reply
    reply = (await robot.post("13611112222", chat=None))["stream"]["content"]       # one left: it is that one's
    assert rubbish.number in reply, reply
    wages, rubbish = sorted(await all_cases(gctx), key=lambda c: c.id)
    assert (wages.contact, rubbish.contact) == ("13698765432", "13611112222")


async def test_a_forward_too_long_to_read_is_refused_in_the_systems_terms(robot, gctx):
    """A trial's 10,000-character 12345 work order got 200 and "请分成几条发", which a hotline
    system cannot do: a 413 it can act on."""
    resp = await forward(robot.client, {**GOOD, "text": "市民反映：" + "楼上漏水" * 2500})
    assert resp.status == 413 and "characters" in (await resp.json())["error"]
    assert await all_cases(gctx) == []


async def test_a_phone_posted_in_the_group_after_the_ask_is_taken_and_not_repeated(robot, gctx):
    """A trial's "@解纷 刘婶电话是135…" in the group after the private ask got the help line."""
    await robot.post("转：石桥村刘婶说儿子不给赡养费")
    reply = (await robot.post("刘婶电话是13512340000"))["stream"]["content"]
    [case] = await all_cases(gctx)
    assert case.contact == "13512340000" and case.number in reply, reply
    assert "13512340000" not in reply and "135****0000" not in reply and "刘婶" not in reply


async def test_a_red_relay_tells_the_group_to_call_110(robot, gctx):
    reply = (await robot.post("转：王大爷说隔壁拿着菜刀说要砍死他 快派人来"))["stream"]["content"]
    assert "110" in reply and "菜刀" not in reply, reply


async def test_a_quoted_message_is_a_forward(robot, gctx):
    await robot.post("请处理一下", quote="我家楼上天天往下扔垃圾，说了也不听")
    [case] = await all_cases(gctx)
    assert "扔垃圾" in case.description and case.type == "neighbour"


async def test_a_retried_callback_makes_one_case(robot, gctx):
    results = await asyncio.gather(*(robot.post("柳林村有人在河边倒化工废水，臭得很", msgid="same-id")
                                     for _ in range(3)))
    assert len(await all_cases(gctx)) == 1
    assert len({r["stream"]["content"] for r in results}) == 1


async def test_a_slow_answer_is_finished_by_stream_refresh(tmp_path, clock, aiohttp_client):
    ctx = await make_context(tmp_path, clock=clock, wecom_bot_token=TOKEN, wecom_bot_aes_key=KEY,
                             wecom_bot_timeout=0)
    try:
        robot = Robot(await aiohttp_client(make_app(ctx, channels=[WeComBotChannel(ctx)], run_outbox=False)))
        first = await robot.post("柳林村有人在河边倒化工废水，臭得很")
        assert first["stream"]["finish"] is False
        stream_id = first["stream"]["id"]
        for _ in range(50):
            refreshed = await robot.answer(await robot.post_raw(
                {"msgid": "r1", "aibotid": "AIBOT", "chattype": "group", "chatid": LIULIN_GROUP,
                 "from": {"userid": "gw-zhang"}, "msgtype": "stream", "stream": {"id": stream_id}}))
            if refreshed["stream"]["finish"]:
                break
            await asyncio.sleep(0.05)
        [case] = await all_cases(ctx)
        assert refreshed["stream"]["finish"] is True and case.number in refreshed["stream"]["content"]
    finally:
        await ctx.close()


@pytest.mark.parametrize("mutate, status", [
    (lambda r: r.client.post("/wecom/bot", params={"msg_signature": "x", "timestamp": "1", "nonce": "n"},
                             data=b"not json"), 400),
    (lambda r: r.client.post("/wecom/bot", params={"msg_signature": "x", "timestamp": "1", "nonce": "n"},
                             data=b'{"encrypt": "!!!notbase64"}'), 403),
    (lambda r: r.client.post("/wecom/bot", params={}, data=b'{"no": "encrypt"}'), 400),
])
async def test_broken_callbacks_are_refused_with_a_4xx(robot, gctx, mutate, status):
    resp = await mutate(robot)
    assert resp.status == status
    assert await all_cases(gctx) == []


async def test_a_forged_signature_is_refused(robot, gctx):
    resp = await robot.post_raw({"msgid": "f1", "chattype": "group", "chatid": LIULIN_GROUP,
                                 "from": {"userid": "x"}, "msgtype": "text",
                                 "text": {"content": "@解纷 柳林村有人打架"}}, signature="0" * 40)
    assert resp.status == 403
    assert await all_cases(gctx) == []


async def test_a_wrongly_keyed_message_is_refused(robot, gctx):
    other = BotCrypto(TOKEN, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    env = other.encrypt({"msgtype": "text", "from": {"userid": "x"}, "text": {"content": "hi"}})
    resp = await robot.client.post("/wecom/bot", params={"msg_signature": env["msgsignature"],
                                                         "timestamp": str(env["timestamp"]), "nonce": env["nonce"]},
                                   data=json.dumps({"encrypt": env["encrypt"]}))
    assert 400 <= resp.status < 500


# ---- the generic forwarding endpoint --------------------------------------------------------
async def forward(client, post, *, secret=SECRET, stamp=None):
    body = json.dumps(post, ensure_ascii=False).encode()
    stamp = stamp or str(int(time.time()))
    return await client.post("/api/group/forward", data=body,
                             headers={"X-Jiefen-Timestamp": stamp, "X-Jiefen-Signature": sign(secret, stamp, body),
                                      "Content-Type": "application/json"})


async def test_a_signed_forward_makes_a_case(robot, gctx):
    post = {"platform": "12345", "chat_id": "hotline", "msg_id": "h1", "sender": {"id": "op7", "name": "话务员"},
            "text": "市民反映：南湖社区3栋楼上漏水到楼下，物业一直不管，电话13700001111"}
    resp = await forward(robot.client, post)
    reply = (await resp.json())["reply"]
    [case] = await all_cases(gctx)
    assert resp.status == 200 and case.number in reply and "13700001111" not in reply
    assert case.channel == "group_forward" and case.place_code.startswith("NH01")


@pytest.mark.parametrize("kwargs, status", [
    ({"secret": "wrong"}, 401),
    ({"stamp": "1000"}, 401),
])
async def test_bad_or_stale_signatures_are_refused(robot, gctx, kwargs, status):
    resp = await forward(robot.client, {"platform": "p", "chat_id": "c", "sender": {"id": "s"}, "text": "有人打架"},
                         **kwargs)
    assert resp.status == status and await all_cases(gctx) == []


GOOD = {"platform": "12345", "chat_id": "hotline", "sender": {"id": "op7", "name": "话务员"}, "text": "市民反映：柳林村有人打架",
        "msg_id": "h1"}


@pytest.mark.parametrize("change", [
    {"sender": None}, {"platform": None}, {"platform": ["a"]}, {"chat_id": None}, {"chat_id": {"x": 1}},
    {"sender": {"id": None}}, {"sender": {"id": ["s"]}}, {"msg_id": [1]}, {"text": None}, {"text": 5},
    {"mentioned": "false"}, {"chat_id": ""}, {"platform": ""}, {"sender": {"id": ""}},
])
async def test_a_malformed_forward_is_refused(robot, gctx, change):
    """A trial's nulls and lists were taken as "None" and "['a']" (cases made under user
    "None:op7"); a missing text got the WeCom help line; "mentioned": "false" was true."""
    resp = await forward(robot.client, {"platform": "p", "text": "no sender"})
    assert resp.status == 400
    resp = await forward(robot.client, {**GOOD, **change})
    assert resp.status == 400, (change, await resp.text())
    assert await all_cases(gctx) == []


@pytest.mark.parametrize("text, relayed, who", [
    ("转：杏花村孙大爷说隔壁占了他家的地", True, "孙大爷"),
    ("转：石桥村刘婶说儿子不给赡养费", True, "刘婶"),
    ("转：新华社区赵阿姨说楼上漏水", True, "赵阿姨"),
    ("转：3组王大爷反映隔壁装修太吵", True, "王大爷"),
    ("代王奶奶反映：她家承包地被邻居占了", True, "王奶奶"),
    ("王大爷让我帮他反映一下 隔壁的树倒在他家房顶上", True, "王大爷"),
    ("帮村里张奶奶反映一下 儿子不给养老钱", True, "张奶奶"),
    ("柳林村有人在河边倒垃圾", False, ""),
])
def test_who_a_worker_relays(text, relayed, who):
    """A trial's "杏花村孙大爷说…" recorded 花村孙大爷; "代王奶奶反映：…", "王大爷让我帮他反映",
    "帮村里张奶奶反映" were the worker's own reports, the resident nowhere."""
    from bot.message import Kind, Message
    from handlers.group import read_post
    message = Message(channel="wecom_bot", user="gw-zhang", text=text, kind=Kind.TEXT, chat="c1", mentioned=True)
    body, forwarded, speaker = read_post(message)
    assert (forwarded, speaker) == (relayed, who), (body, forwarded, speaker)
    assert who in body or not who


def test_who_has_a_case_is_said_once(gctx):
    """A trial's group read "由综治中心县综治中心负责"."""
    from types import SimpleNamespace

    from handlers.group import holders
    centre = next(s for s in gctx.registry.staff.values() if s.role == "centre" and "综治中心" in s.name)
    said = holders(SimpleNamespace(assignees=[centre.id]), gctx.registry)
    assert said == f"{centre.name}负责", said


async def test_a_relay_waiting_for_a_phone_does_not_collect_the_posters_later_posts(robot, gctx):
    """A trial: while a relay waited for the resident's phone, every later post of the same
    worker (other relays, another town's red report) was written into that case's ledger, and
    the console showed it to that village's staff."""
    await robot.post("转：李师傅说工地老板欠了他三个月工钱")
    await robot.post("转：南湖社区刘大姐说她老公要喝农药，她电话13900001111")
    first, second = sorted(await all_cases(gctx), key=lambda c: c.id)
    async with gctx.db.session() as s:
        texts = [e.data.get("text", "") for e in (await s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == first.id, CaseEvent.kind == "message_in"))).all()]
    assert not any("农药" in t for t in texts), texts


async def test_a_worker_is_not_asked_to_rate_the_case_they_relayed(robot, gctx):
    """A trial's grid worker relayed a case, closed another herself, and her "3" in the robot's
    chat rated the one she had closed: staff rated their own work."""
    from bot.case_actions import Action, Actor, perform
    await robot.post("柳林村王奶奶反映隔壁天天往她家门口倒垃圾，她电话13900001111")
    [case] = await all_cases(gctx)
    async with gctx.uow() as uow:
        c = await (await uow.cases()).get_for_update(case.number)
        await perform(gctx, uow, Actor(gctx.registry.staff["centre-qs"], via="console"), c, Action.RESOLVE,
                      "已协商，隔壁不再倒垃圾")
    async with gctx.db.session() as s:
        finals = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "final"))).all()
    assert finals and not any("打个分" in f.text for f in finals), [f.text for f in finals]
    reply = (await robot.post("3", chat=None))["stream"]["content"]
    [case] = await all_cases(gctx)
    assert case.satisfaction is None and case.status == "resolved", (case.satisfaction, case.status, reply)


async def test_a_case_is_told_about_only_in_its_own_groups(robot, gctx):
    """A trial's stranger in an unmapped group tried numbers in turn and was told who held each
    case (a family-violence case's committee among them)."""
    await robot.post("3组王大爷反映隔壁装修天天吵到半夜，他电话13812345678")
    [case] = await all_cases(gctx)
    content = (await robot.post(f"{case.number} 怎么样了", user="stranger-1", chat="wrkUnmappedGroup99"))["stream"]["content"]
    assert "没有找到" in content and "已受理" not in content, content
    content = (await robot.post(f"{case.number} 怎么样了", user="gw-other", chat=TAOYUAN_GROUP))["stream"]["content"]
    assert "没有找到" in content, content                       # another village's group
    content = (await robot.post(f"{case.number} 怎么样了", user="gw-other", chat=LIULIN_GROUP))["stream"]["content"]
    assert "已受理" in content, content                          # its own group


async def test_a_phone_given_with_the_case_or_the_person_reaches_that_relay(robot, gctx):
    """A trial's "JF… 反映人电话139…" in the group got the case's status and the number was
    dropped; "赵婶电话是139…" was refused though 赵婶 named one waiting relay."""
    await robot.post("转：李师傅说工地老板欠了他三个月工钱")
    await robot.post("转：赵婶说隔壁天天往她家门口倒垃圾")
    wages, rubbish = sorted(await all_cases(gctx), key=lambda c: c.id)
    content = (await robot.post(f"{wages.number} 反映人电话13698765432"))["stream"]["content"]
    assert wages.number in content and "已记到" in content, content
    content = (await robot.post("赵婶电话是13611112222"))["stream"]["content"]
    assert rubbish.number in content, content
    wages, rubbish = sorted(await all_cases(gctx), key=lambda c: c.id)
    assert (wages.contact, rubbish.contact) == ("13698765432", "13611112222")


async def test_several_matters_in_one_post_are_several_cases(robot, gctx):
    """A trial's "今天收到三件事：1.柳林村… 2.桃源村… 3.石桥村…" was one case of 柳林村; the
    other two villages' people never heard of their matters."""
    content = (await robot.post("今天收到三件事：1.柳林村刘婶说隔壁天天往她家门口倒垃圾 "
                                "2.桃源村有人占了村道修猪圈 3.石桥村周师傅说包工头欠他工钱8000元"))["stream"]["content"]
    cases = sorted(await all_cases(gctx), key=lambda c: c.id)
    assert [c.place_code for c in cases] == ["DX01", "DX02", "DX03"], ([c.place_code for c in cases], content)
    assert all(c.number in content for c in cases)
    assert cases[2].type == "labour"


async def test_a_forward_id_used_again_for_another_post_is_a_conflict(robot, gctx):
    """A trial's forward with a msg_id used before and another text got the old post's answer,
    and the new report was dropped: 409, so the sending system notices."""
    post = {"platform": "12345", "chat_id": "hotline", "msg_id": "w1001", "sender": {"id": "op7"},
            "text": "市民反映：南湖社区3栋楼上漏水到楼下，物业一直不管，电话13700001111"}
    assert (await forward(robot.client, post)).status == 200
    assert (await forward(robot.client, post)).status == 200           # a retry: the same post
    other = {**post, "text": "市民反映：杏花村有人偷砍集体的树木，电话13700002222"}
    resp = await forward(robot.client, other)
    assert resp.status == 409, (resp.status, await resp.text())
    assert len(await all_cases(gctx)) == 1


async def test_workers_relaying_one_report_are_not_a_crowd(robot, gctx):
    """A trial's three workers each relayed one resident's 养鸭场 complaint: three reporters, a red
    case and the leader on duty woken."""
    for user in ("gw-a", "gw-b", "gw-c"):
        await robot.post("柳林村村东养鸭场臭味太大，苍蝇到处飞", user=user)
    [case] = await all_cases(gctx)
    assert case.risk != "red", case.risk_reasons
