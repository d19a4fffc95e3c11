"""Issue 13's "Done means", end to end over real HTTP: a report in the web chat; the respondent
invited and agreeing in their own web-chat session; a session scheduled and recorded; the
agreement generated and checked; the performance deadline across National Day 2026 (1–7
October off, Saturday 10 October a make-up working day) firing through the running
scheduler; the follow-up visit finding a remaining risk and reopening the archived case."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo

import aiohttp
import docx
import pytest

from jiefen.gateway import SCHEDULER_KEY, make_app, web_channel
from storage.lifecycle import EventKind, Performance, PushKind, Status
from storage.mediation import MediationStore, mediation_figures
from tests.staff.helpers import case_of, events_of, outbox, staff_bot

CN = ZoneInfo("Asia/Shanghai")
APPLICANT_PHONE, RESPONDENT_PHONE = "13812345678", "13900001111"
RESPONDENT_WORDS = "孩子晚上写作业挪椅子我没注意，我愿意垫上静音垫"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CN).astimezone(UTC)


@pytest.fixture
async def client(ctx, aiohttp_client):
    return await aiohttp_client(make_app(ctx, channels=[web_channel(ctx)], run_outbox=False))


async def say(session, url, **body) -> str:
    async with session.post(url, json=body) as resp:
        assert resp.status == 200, await resp.text()
        return "\n".join(r["text"] for r in (await resp.json())["replies"])


async def history(session, url) -> str:
    async with session.get(url) as resp:
        return str(await resp.json())


async def staff_pushes(ctx, user, since=0):
    rows = [r for r in await outbox(ctx, "wecom_app") if r.user == user]
    return rows[since:], len(rows)


async def test_report_to_agreement_to_follow_up_reopening(ctx, client, clock):
    clock.set(local(2026, 9, 28, 10, 0))                      # Monday before National Day
    post, hist = str(client.make_url("/api/messages")), str(client.make_url("/api/history"))
    applicant = client.session                                # the applicant's browser (its own cookie)
    await client.get("/")
    assert "请核对" in await say(applicant, post, text="我是柳林村的，楼上那家天天半夜拖椅子，电话" + APPLICANT_PHONE)
    number = re.search(r"JF\d{6}-\d{3}", await say(applicant, post, text="确认")).group(0)

    staff = staff_bot(ctx, "LiHongMei")
    await staff.say(f"接单 {number}")
    invitation = await staff.last(f"邀请 {number} 王强 {RESPONDENT_PHONE} 关于夜间噪音，请说说您的情况")
    link = re.search(r"http\S+invite=([A-Z0-9]{10})", invitation)
    assert link.group(0).startswith(ctx.settings.web_url)
    path = link.group(0)[len(ctx.settings.web_url):]
    qr = await client.get(f"/mediation/invite/{link.group(1)}")          # shown face to face
    assert qr.status == 200 and "<svg" in await qr.text() and link.group(1) in await qr.text()
    assert (await client.get("/mediation/invite/..%2Fetc")).status == 404

    # the respondent: another browser, another cookie, opening the link
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as respondent:
        async with respondent.get(str(client.make_url(path))) as page:
            assert link.group(1) in await page.text()         # the page passes the token on once
        joined = await say(respondent, post, invite=link.group(1))
        assert number in joined and "被申请人" in joined and "夜间噪音" in joined
        assert "已记录" in await say(respondent, post, text=RESPONDENT_WORDS)
        assert "同意参加调解" in await say(respondent, post, text="同意调解")
        seen_by_respondent = joined + await history(respondent, hist)
        # the link is single-use: opened again in another browser it is refused
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as third:
            assert "已经使用过" in await say(third, post, invite=link.group(1))

        clock.set(local(2026, 9, 28, 15, 0))
        assert "已通知2位当事人" in await staff.last(f"会谈 {number} 9月29日 上午9点 柳林村调解室")
        clock.set(local(2026, 9, 29, 10, 30))
        await staff.say(f"笔录 {number}\n到场：双方当事人\n争议焦点：夜间噪音\n申请人：每晚十一点后仍有声音\n"
                        f"被申请人：{RESPONDENT_WORDS}\n方案：加静音垫并赔偿\n下一步：签协议")
        await staff.say(f"当事人 {number} 申请人 张建华 {APPLICANT_PHONE} 柳林村一组12号")
        clock.set(local(2026, 9, 29, 11, 0))
        reply = await staff.last(f"协议 {number}\n事实：被申请人夜间拖动桌椅影响申请人休息。\n争议：噪音是否超限。\n"
                                 "责任：被申请人负主要责任。\n内容：被申请人加装静音垫并赔偿申请人800元。\n金额：800元\n"
                                 "履行方式：当面支付\n履行期限：3个工作日")
        assert "2026年10月09日 18:00" in reply                 # 30 Sep, 8 Oct, 9 Oct: the holiday not counted; the day's end
        pushed_to_respondent = " ".join(r.text for r in await outbox(ctx, "web") if r.user != _uid(client))
        seen_by_respondent += pushed_to_respondent + await history(respondent, hist)

    # what each side saw of the other: nothing of contact or private words
    for secret in (APPLICANT_PHONE, "138****5678", "张建华", "每晚十一点"):
        assert secret not in seen_by_respondent, secret
    seen_by_applicant = await history(applicant, hist) + " ".join(
        r.text for r in await outbox(ctx, "web") if r.user == _uid(client))
    for secret in (RESPONDENT_PHONE, "139****1111", RESPONDENT_WORDS[:8], "王强"):
        assert secret not in seen_by_applicant, secret
    kinds = {e.kind for e in await events_of(ctx, number)}
    assert {EventKind.PARTY_JOINED, EventKind.PARTY_STATEMENT, EventKind.PARTY_CONSENT, EventKind.SESSION_SCHEDULED,
            EventKind.SESSION_RECORDED, EventKind.AGREEMENT} <= kinds

    # the agreement, generated from the case, fetched from the link the mediator was given
    doc_path = re.search(r"http\S+(/mediation/documents/[A-Z0-9]+)", reply).group(1)
    listing = await (await client.get(doc_path)).text()
    assert listing.count("<li>") == 4 and "协议书_" in listing           # 3 Word copies and the PDF
    first = await client.get(doc_path + "/0")
    assert first.status == 200 and first.headers["Cache-Control"] == "no-store"
    pdf = await (await client.get(doc_path + "/3")).read()
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    assert (await client.get(doc_path[:-3] + "XYZ")).status == 404
    for odd in ("²", "٣", "0x1", "-1"):                         # a digit of another script was a 500
        assert (await client.get(doc_path + "/" + odd)).status == 404, odd
    ledger_text = str([e.data for e in await events_of(ctx, number)])
    assert doc_path.rsplit("/", 1)[1] not in ledger_text and link.group(1) not in ledger_text
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(await first.read())).paragraphs)
    for part in ("人民调解协议书", "申请人：张建华", "被申请人：王强", "纠纷的主要事实", "争议事项", "各方当事人的责任",
                 "静音垫", "800.00元", "2026年10月9日前履行完毕", "柳林村人民调解委员会", "签名或盖章"):
        assert part in text, part

    clock.set(local(2026, 9, 30, 11, 1))                      # the link has run out (24 hours)
    assert (await client.get(doc_path)).status == 404

    # the applicant rates the result: the case is archived
    assert "已归档" in await say(applicant, post, text="5")
    assert (await case_of(ctx, number)).status == Status.CLOSED

    # the performance deadline through the running scheduler (its job list), across the holiday
    scheduler = client.app[SCHEDULER_KEY]
    _, seen = await staff_pushes(ctx, "LiHongMei")
    for when in (local(2026, 10, 1, 11, 0), local(2026, 10, 7, 11, 0), local(2026, 10, 8, 17, 59)):
        clock.set(when)
        await scheduler.run_once()
    new, seen = await staff_pushes(ctx, "LiHongMei", seen)
    assert not [r for r in new if "履行" in r.text]              # nothing during the holiday
    clock.set(local(2026, 10, 8, 18, 0))                       # one working day before: the reminder
    await scheduler.run_once()
    new, seen = await staff_pushes(ctx, "LiHongMei", seen)
    assert [r.kind for r in new if "履行即将到期" in r.text] == [PushKind.REMINDER]
    clock.set(local(2026, 10, 9, 18, 0))                       # due and not performed: the mediator is told
    await scheduler.run_once()
    await scheduler.run_once()
    new, seen = await staff_pushes(ctx, "LiHongMei", seen)
    assert [r.kind for r in new if "履行已超期" in r.text] == [PushKind.ALERT]

    # the follow-up visit: 10 working days after the agreement (the make-up Saturday counts)
    clock.set(local(2026, 10, 19, 10, 59))
    await scheduler.run_once()
    new, seen = await staff_pushes(ctx, "LiHongMei", seen)
    assert not [r for r in new if "回访任务" in r.text]
    clock.set(local(2026, 10, 19, 11, 0))
    await scheduler.run_once()
    new, seen = await staff_pushes(ctx, "LiHongMei", seen)
    task = [r for r in new if "回访任务" in r.text]
    assert [r.kind for r in task] == [PushKind.TASK] and f"回访 {number}" in task[0].text
    reply = await staff.last(f"回访 {number} 未履行 不满意 风险 赔偿未付，双方又因噪音争吵，对方扬言要动手")
    assert "重新进入调解" in reply
    case = await case_of(ctx, number)
    assert case.status == Status.MEDIATING and case.closed_at is None
    ledger = await events_of(ctx, number)
    kinds_in_order = [e.kind for e in ledger]
    assert kinds_in_order.index(EventKind.AGREEMENT) < kinds_in_order.index(EventKind.FOLLOW_UP_VISIT)
    assert ledger[-1].kind in (EventKind.STATUS, EventKind.MESSAGE_OUT, EventKind.FOLLOW_UP_VISIT)
    assert any("重新进入调解" in r.text for r in await outbox(ctx, "web") if r.user == _uid(client))
    async with ctx.db.session() as s:
        a = await MediationStore(s, now=clock.now()).latest_agreement(case.id)
        assert a.performance == Performance.OVERDUE
        f = await mediation_figures(s)
    assert (f.agreements, f.amount_yuan, f.overdue, f.follow_ups_done, f.follow_ups_reopened) == (1, 800.0, 1, 1, 1)


def _uid(client) -> str:
    return next(c.value for c in client.session.cookie_jar if c.key == "jiefen_uid")
