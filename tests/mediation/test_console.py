"""The mediation figures on the centre's console dashboard, for the area the viewer looks at."""
from __future__ import annotations

from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo

from bot.case_actions import Action, Actor, perform
from tests.console.conftest import client, ctx, login, open_case  # noqa: F401  (fixtures)

CN = ZoneInfo("Asia/Shanghai")
PERIOD = "from=2026-11-01&to=2026-11-30"


async def test_the_dashboard_shows_the_mediation_figures_of_its_area(client, ctx, clock):  # noqa: F811
    clock.set(datetime(2026, 11, 10, 10, 0, tzinfo=CN).astimezone(UTC))
    number = await open_case(ctx, "m1", "DX01")
    centre = Actor(ctx.registry.staff["centre-qs"], via="console")
    for action, note in ((Action.ORIGIN, "法院委托"), (Action.INVITE, "王强 13900001111"),
                         (Action.AGREE, "事实：楼上夜间拖椅子 内容：加装静音垫并赔偿 金额：2000元 履行期限：5个工作日")):
        async with ctx.uow() as uow:
            case = await (await uow.cases()).get_for_update(number)
            await perform(ctx, uow, centre, case, action, note)
    await login(client, "centre-qs")
    d = await (await client.get(f"/console/api/dashboard?{PERIOD}")).json()
    m = d["mediation"]
    assert (m["agreements"], m["written"], m["amount_yuan"], m["follow_ups_due"]) == (1, 1, 2000.0, 1)
    assert {r["key"]: r["cases"] for r in m["origins"]}["court"] == 1
    page = await (await client.get(f"/console/dashboard?{PERIOD}")).text()
    assert "人民调解" in page and "调解协议" in page and "人民法院委托移送" in page
    # another town's area holds none of it
    d = await (await client.get(f"/console/api/dashboard?{PERIOD}&place=NH")).json()
    assert d["mediation"]["agreements"] == 0 and d["mediation"]["cases_by_origin"]["court"] == 0


async def test_the_case_page_masks_the_mediation_parties_and_cut_phones(client, ctx, clock):  # noqa: F811
    """A trial saw 王强 (invited) in full 17 times on the case page's ledger, and a card's
    preview "概要：…电话13812345" cut before masking, eight digits showing."""
    number = await open_case(ctx, "m2", "DX01")
    centre = Actor(ctx.registry.staff["centre-qs"], via="console")
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get_for_update(number)
        await perform(ctx, uow, centre, case, Action.INVITE, "王强 13900001111")
        await perform(ctx, uow, centre, case, Action.PROGRESS,
                      "已与王强电话沟通，王强同意调解" + "，" * 62 + "他的另一个号码13812345678")
    await login(client, "centre-qs")
    page = await (await client.get(f"/console/cases/{number}")).text()
    assert "王强" not in page and "王*" in page
    assert "13900001111" not in page and "1381234" not in page and "1390000" not in page


async def test_the_ledger_names_who_spoke_and_what_happened_in_chinese(client, ctx, clock):  # noqa: F811
    """A trial's case page labelled a mediator's WeCom commands and the respondent's replies
    "群众消息 其他反映人", and showed party_added, invited, party_joined, party_statement."""
    from bot.lifecycle import EVENT_NAMES
    from storage.lifecycle import EventKind
    assert set(EventKind) <= set(EVENT_NAMES)
    import re as _re

    from jiefen.testing import TestBot
    number = await open_case(ctx, "m3", "DX01")
    li = TestBot(ctx, channel="wecom_app", user="LiHongMei")
    await li.say(f"接单 {number}")
    token = _re.search(r"invite=([A-Z0-9]{10})", await li.last(f"邀请 {number} 王强 13900001111")).group(1)
    respondent = TestBot(ctx, channel="test", user="respondent-3")
    await respondent.say(f"邀请码 {token}")
    await respondent.say("他们家先占的路，我不同意他说的")
    await login(client, "centre-qs")
    page = await (await client.get(f"/console/cases/{number}")).text()
    assert "李红梅（网格员，企业微信）" in page and "当事人（被申请人）" in page, page[:2000]
    for raw in ("party_added", "invited", "party_joined", "party_statement"):
        assert f">{raw}<" not in page


async def test_the_mediation_records_rows_say_what_was_recorded(client, ctx, clock):  # noqa: F811
    """A trial's case page showed 登记当事人, 安排调解会, 调解协议, 回访 … with nothing after them."""
    clock.set(datetime(2026, 11, 10, 10, 0, tzinfo=CN).astimezone(UTC))
    number = await open_case(ctx, "m4", "DX01")
    centre = Actor(ctx.registry.staff["centre-qs"], via="console")
    for action, note in ((Action.INVITE, "王强 13900001111"), (Action.SCHEDULE, "11月12日下午3点 柳林村委会"),
                         (Action.AGREE, "事实：楼上夜间拖椅子 内容：加装静音垫并赔偿 金额：2000元 履行期限：5个工作日"),
                         (Action.ORIGIN, "法院委托")):
        async with ctx.uow() as uow:
            case = await (await uow.cases()).get_for_update(number)
            await perform(ctx, uow, centre, case, action, note)
    await login(client, "centre-qs")
    page = await (await client.get(f"/console/cases/{number}")).text()
    for said in ("被申请人：王*", "电话 139****1111", "第1次调解会：11月12日 15:00 柳林村委会",
                 "金额 2000.00 元", "来源：人民法院委托移送"):
        assert said in page, said
    assert "王强" not in page and "13900001111" not in page


async def test_minutes_before_a_booked_meeting_and_no_reminder_once_the_case_is_over(client, ctx, clock):  # noqa: F811
    """A trial's 笔录 said "第2次" with one meeting booked (it was another meeting, held that
    day), and the booked meeting's reminder went out after the case was settled and archived."""
    from sqlalchemy import select

    from bot.mediation.sessions import remind_session
    from storage.models import MediationSession, OutboxItem
    clock.set(datetime(2026, 11, 10, 10, 0, tzinfo=CN).astimezone(UTC))
    number = await open_case(ctx, "m5", "DX01")
    centre = Actor(ctx.registry.staff["centre-qs"], via="console")
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get_for_update(number)
        await perform(ctx, uow, centre, case, Action.SCHEDULE, "11月16日上午9点 柳林村委会")
        said = await perform(ctx, uow, centre, case, Action.RECORD, "到场：双方 争议焦点：噪音")
    assert "第2次" in said and "第1次调解会还没有举行" in said, said
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get_for_update(number)
        await perform(ctx, uow, centre, case, Action.RESOLVE, "双方和解")
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get_for_update(number)
        session = (await (await uow.session()).scalars(select(MediationSession).where(
            MediationSession.case_id == case.id, MediationSession.seq == 1))).one()
        before = len((await (await uow.session()).scalars(select(OutboxItem))).all())
        await remind_session(ctx, uow, case, session.id, clock.now())
        after = len((await (await uow.session()).scalars(select(OutboxItem))).all())
    assert after == before
