"""The issue's "Done means", end to end against a fake WeChat and a fake WeCom API on
loopback: a resident reports over the Official Account (wechatpy-encrypted callbacks), the
village's grid worker gets a WeCom push, a grid worker of another town is refused, the
assignee accepts and resolves through encrypted WeCom callbacks, the resident is told each
step and asked to rate, and a report of a knife reaches the leader on duty at once."""
from __future__ import annotations

import re

import pytest

from jiefen.gateway import make_app
from jiefen.testing import make_context
from tests.fakes.wechat_api import FakeWeChatAPI
from tests.fakes.wecom_api import FakeWeComAPI
from tests.staff.conftest import WECOM
from tests.staff.helpers import case_of
from tests.staff.wecom import StaffMember
from tests.wechat.conftest import AES_KEY, APPID, TOKEN, Resident

CS_SEND = "/cgi-bin/message/custom/send"


@pytest.fixture
async def apis():
    wx = await FakeWeChatAPI(appid=APPID).start()
    wc = await FakeWeComAPI(corpid=WECOM["wecom_corpid"], secret=WECOM["wecom_secret"]).start()
    yield wx, wc
    await wc.stop()
    await wx.stop()


@pytest.fixture
async def world(tmp_path, clock, apis, aiohttp_client):
    wx, wc = apis
    ctx = await make_context(tmp_path, clock=clock, wechat_token=TOKEN, wechat_appid=APPID, wechat_secret=wx.secret,
                             wechat_aes_key=AES_KEY, wechat_api_base=wx.url, wechat_passive_timeout=5.0,
                             wecom_api_base=wc.url, **WECOM)
    client = await aiohttp_client(make_app(ctx, run_outbox=False))    # every enabled channel, one app
    yield ctx, client, wx, wc
    await ctx.close()


async def flush(ctx):
    while await ctx.outbox.run_once():
        pass


def told(wx, openid):
    return [c.body["text"]["content"] for c in wx.calls_to(CS_SEND) if c.body.get("touser") == openid]


async def test_done_means(world, clock):
    ctx, client, wx, wc = world
    resident = Resident(client, clock, openid="oVillager00000000000000001")
    reply = await resident.say("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    if "对方是谁" in reply:
        reply = await resident.say("跳过")
    assert "请核对" in reply
    reply = await resident.say("确认")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    await flush(ctx)

    # the village's grid worker gets a WeCom push with the case number (and the contact)
    [assignment] = [b for b in wc.sent() if b["touser"] == "LiHongMei"]
    assert number in assignment["text"]["content"] and "13812345678" in assignment["text"]["content"]
    assert any("已分派" in t for t in told(wx, resident.openid))

    # a grid worker of another town is refused; the case stays as it was
    before = await case_of(ctx, number)
    assert "不在您的办理范围" in await StaffMember(client, "ChenZhiQiang").say(f"办结 {number} 已处理")
    after = await case_of(ctx, number)
    assert (after.status, after.assignees, after.updated_at) == (before.status, before.assignees, before.updated_at)

    # the assignee accepts: mediating, and the resident is told
    li = StaffMember(client, "LiHongMei")
    assert "已接单" in await li.say(f"接单 {number}")
    assert (await case_of(ctx, number)).status == "mediating"
    await flush(ctx)
    assert any("正在调解" in t and number in t for t in told(wx, resident.openid))

    # resolved: the resident is told the result and asked to rate
    assert "已办结" in await li.say(f"办结 {number} 双方签了协议，晚上十点后不拖椅子")
    assert (await case_of(ctx, number)).status == "resolved"
    await flush(ctx)
    final = told(wx, resident.openid)[-1]
    assert "签了协议" in final and "1-5" in final
    assert "感谢" in await resident.say("5")
    case = await case_of(ctx, number)
    assert (case.status, case.satisfaction) == ("closed", 5)

    # a knife: the leader on duty is alerted at once, before anything else
    sent_before = len(wc.sent())
    other = Resident(client, clock, openid="oVillager00000000000000002")
    reply = await other.say("柳林村有人拿着刀说要砍人")
    assert "110" in reply
    red = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    await flush(ctx)
    first = wc.sent()[sent_before]
    assert first["touser"] == "GaoZhenHua" and red in first["text"]["content"] and "红色预警" in first["text"]["content"]
