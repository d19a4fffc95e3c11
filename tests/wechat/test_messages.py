"""Every message and event type a resident can send, translated and answered."""
from __future__ import annotations

from sqlalchemy import select

from bot.lifecycle import OPEN_STATUSES
from bot.message import Push
from bot.outbox import Outcome
from storage.models import Case, CodeScan
from tests.wechat.conftest import Resident


async def test_subscribe_with_a_dispute_code_names_the_village(resident, wx_ctx):
    answer = await resident.event("subscribe", "qrscene_DX01", Ticket="TICKET")
    assert "柳林村" in answer and "解纷码" in answer
    async with wx_ctx.db.session() as s:
        assert [(r.code, r.kind) for r in (await s.scalars(select(CodeScan))).all()] == [("DX01", "follow")]


async def test_scan_by_a_follower_starts_intake_at_the_place(resident, wx_ctx):
    answer = await resident.event("SCAN", "NH01", Ticket="TICKET")
    assert "南湖社区" in answer
    summary = await resident.say("物业天天不管垃圾，跟他们说了好几次没用，电话13912345678")
    assert "南湖社区" in summary and "确认" in summary
    assert "已受理" in await resident.say("确认")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    assert case.source == "NH01" and case.place_code == "NH01"


async def test_plain_subscribe_welcomes_and_says_what_to_type(resident):
    answer = await resident.event("subscribe")
    assert "直接说说情况" in answer


async def test_menu_clicks(resident):
    assert "发生了什么" in await resident.event("CLICK", "report")
    assert "还没有" in await resident.event("CLICK", "my_cases")


async def test_voice_with_recognition_is_words(resident, wx_ctx):
    fields = resident.fields("voice", MediaId="MEDIA-V1", Format="amr", MsgId=111,
                             Recognition="我是柳林村的，隔壁邻居天天半夜吵闹，电话13912345678")
    [answer] = await resident.send(fields)
    assert "柳林村" in answer and "确认" in answer
    assert "已受理" in await resident.say("确认")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    assert case.media[0]["media_id"] == "MEDIA-V1" and "隔壁邻居" in case.description


async def test_voice_without_recognition_keeps_the_media_and_asks_to_type(resident, wx_ctx):
    [answer] = await resident.send(resident.fields("voice", MediaId="MEDIA-V2", Format="amr", MsgId=112,
                                                   Recognition=""))
    assert "语音" in answer and "文字" in answer
    await resident.say("我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    assert "已受理" in await resident.say("确认")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    assert {"kind": "voice", "media_id": "MEDIA-V2"}.items() <= case.media[0].items()


async def test_image_is_evidence_of_the_draft(resident, wx_ctx):
    await resident.say("我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    [answer] = await resident.send(resident.fields("image", PicUrl="http://mmbiz.example/p.jpg", MediaId="MEDIA-I1",
                                                   MsgId=113))
    assert "图片" in answer
    await resident.say("确认")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    assert case.media[0]["media_id"] == "MEDIA-I1"


async def test_location_fills_the_place(resident):
    fields = resident.fields("location", Location_X="28.2102", Location_Y="112.9106", Scale="15",
                             Label="东溪镇柳林村", MsgId=114)
    [answer] = await resident.send(fields)
    assert "柳林村" in answer


async def test_location_label_matched_when_far_from_places(resident):
    fields = resident.fields("location", Location_X="30.0", Location_Y="120.0", Scale="15", Label="桃源村村委会",
                             MsgId=115)
    [answer] = await resident.send(fields)
    assert "桃源村" in answer


async def test_link_is_read_as_words(resident):
    fields = resident.fields("link", Title="柳林村邻居噪音扰民", Description="楼上天天半夜吵闹", Url="http://x.example/a",
                             MsgId=116)
    [answer] = await resident.send(fields)
    assert answer


async def test_unsubscribe_stops_pushes_keeps_cases(resident, wx_ctx):
    await resident.say("我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    await resident.say("确认")
    assert await resident.event("unsubscribe") == ""
    assert await wx_ctx.state.get(f"unfollowed:wechat_mp:{resident.openid}")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    assert case is not None and case.status in OPEN_STATUSES       # the case goes on
    push = Push("wechat_mp", resident.openid, "案件已分派", case_number=case.number)
    assert (await wx_ctx.channels["wechat_mp"].deliver(push)).outcome is Outcome.HOLD
    await resident.event("subscribe")                     # back again: pushes may go
    assert not await wx_ctx.state.get(f"unfollowed:wechat_mp:{resident.openid}")


POPUP = """<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[TPL-A]]></TemplateId>
<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>2</PopupScene></List>
<List><TemplateId><![CDATA[TPL-B]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
<PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>"""


async def test_consent_is_recorded_per_template(resident, wx_ctx):
    answer = await resident.send(resident.fields("event", Event="subscribe_msg_popup_event",
                                                 SubscribeMsgPopupEvent=POPUP[len("<SubscribeMsgPopupEvent>"):
                                                                              -len("</SubscribeMsgPopupEvent>")]))
    assert answer and "服务通知" in answer[0]
    assert await wx_ctx.state.get(f"consent:wechat_mp:{resident.openid}:TPL-A") == 1
    assert await wx_ctx.state.get(f"consent:wechat_mp:{resident.openid}:TPL-B") is None


async def test_unknown_event_answers_success(resident):
    assert await resident.event("VIEW", "http://x.example/menu") == ""


async def test_a_second_resident_is_kept_apart(client, clock, resident):
    other = Resident(client, clock, openid="oOther00000000000000000002")
    await resident.event("SCAN", "DX01")
    assert (await other.say("你好")).startswith("您好")          # no draft of the first resident's
    summary = await resident.say("楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    assert "柳林村" in summary


async def test_consent_withdrawn(resident, wx_ctx):
    await wx_ctx.state.set(f"consent:wechat_mp:{resident.openid}:TPL-A", 3)
    change = ("<List><TemplateId><![CDATA[TPL-A]]></TemplateId>"
              "<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List>")
    assert await resident.send(resident.fields("event", Event="subscribe_msg_change_event",
                                               SubscribeMsgPopupEvent=change)) == []
    assert await wx_ctx.state.get(f"consent:wechat_mp:{resident.openid}:TPL-A") is None
