"""Sessions, the agreement (人民调解协议书) as Word copies per holder and a PDF in an embedded
CJK font, the oral agreement, judicial confirmation and the case's figures."""
from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo

import docx

from bot.mediation import case_documents
from jiefen.testing import TestBot
from storage.lifecycle import AgreementForm, Confirmation, EventKind, Status
from storage.mediation import MediationStore, mediation_figures
from tests.staff.helpers import case_of, events_of, outbox, report, staff_bot

CN = ZoneInfo("Asia/Shanghai")
APPLICANT_PHONE, RESPONDENT_PHONE = "13812345678", "13900001111"
AGREEMENT = ("协议 {n}\n事实：被申请人家中夜间拖动桌椅，噪音影响申请人休息。\n争议：噪音是否超出正常生活限度。\n"
             "责任：被申请人对夜间噪音负主要责任。\n内容：被申请人在桌椅脚加装静音垫，22点后不再拖动家具；"
             "被申请人向申请人赔偿精神损失费。\n金额：1500元\n履行方式：微信转账\n履行期限：5个工作日")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CN).astimezone(UTC)


async def invited(ctx, bot):
    """Report, accept, invite: the respondent has joined and not yet said whether they agree."""
    number = await report(bot)
    staff = staff_bot(ctx, "LiHongMei")
    await staff.say(f"接单 {number}")
    token = re.search(r"invite=([A-Z0-9]{10})", await staff.last(f"邀请 {number} 王强 {RESPONDENT_PHONE}")).group(1)
    respondent = TestBot(ctx, channel="test", user="respondent-9")
    await respondent.say(f"邀请码 {token}")
    return number, staff, respondent


async def mediated(ctx, bot, clock):
    """Report, accept, invite, the respondent joins and agrees; a session is held and recorded."""
    number, staff, respondent = await invited(ctx, bot)
    await respondent.say("同意调解")
    assert "张建华" in await staff.last(f"当事人 {number} 申请人 张建华 {APPLICANT_PHONE} 柳林村一组12号")
    await staff.say(f"当事人 {number} 被申请人 王强 {RESPONDENT_PHONE} 柳林村一组12号楼上")
    return number, staff, respondent


async def test_session_scheduled_reminded_and_recorded(ctx, bot, clock):
    from bot.mediation import run_timers

    clock.set(local(2026, 12, 3, 10, 0))                       # Thursday
    number, staff, respondent = await mediated(ctx, bot, clock)
    reply = await staff.last(f"会谈 {number} 12月7日 下午3点 柳林村调解室")
    assert "第1次调解会" in reply and "12月07日 15:00" in reply and "已通知2位当事人" in reply
    told = [(r.user, r.text) for r in await outbox(ctx, "test") if "调解会" in r.text]
    assert {u for u, _ in told} == {"resident-1", "respondent-9"}
    # the reminder: the working day before, at the same time (Friday 4 December 15:00)
    clock.set(local(2026, 12, 4, 14, 59))
    async with ctx.uow() as uow:
        assert await run_timers(ctx, uow) == 0
    clock.set(local(2026, 12, 4, 15, 0))
    async with ctx.uow() as uow:
        assert await run_timers(ctx, uow) == 1
    async with ctx.uow() as uow:
        assert await run_timers(ctx, uow) == 0                 # once
    reminders = [r.user for r in await outbox(ctx) if r.text.startswith(("提醒", "【调解会提醒】"))]
    assert sorted(reminders) == ["LiHongMei", "resident-1", "respondent-9"]
    clock.set(local(2026, 12, 7, 16, 30))
    reply = await staff.last(f"笔录 {number}\n到场：双方当事人、调解员李红梅\n争议焦点：夜间噪音\n"
                             f"申请人：每晚十一点后仍有拖椅子声\n被申请人：孩子写作业挪椅子\n方案：加静音垫\n下一步：起草协议")
    assert "第1次调解会笔录" in reply and "未填" not in reply
    recorded = (await events_of(ctx, number, EventKind.SESSION_RECORDED))[0].data
    assert recorded["points"] == "夜间噪音" and recorded["respondent"] == "孩子写作业挪椅子"


async def test_a_session_on_a_day_gone_by_is_refused_not_booked_a_year_ahead(ctx, bot, clock):
    """A trial's "会谈 N 12月1日 上午 石桥村" on 5 December was booked for 2027 and both parties
    told; 上午 ended up in the place."""
    clock.set(local(2026, 12, 5, 10, 0))
    number = await report(bot)
    staff = staff_bot(ctx, "LiHongMei")
    await staff.say(f"接单 {number}")
    reply = await staff.last(f"会谈 {number} 12月1日 上午 石桥村")
    assert "已经过去" in reply, reply
    reply = await staff.last(f"会谈 {number} 12月8日 上午 石桥村")
    assert "2026年12月08日 09:00" in reply and "上午 石桥村" not in reply, reply


async def test_agreement_documents_and_confirmation(ctx, bot, clock, tmp_path):
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    reply = await staff.last(AGREEMENT.format(n=number))
    agreement_no = re.search(r"调解协议书 (\S+号)", reply).group(1)
    assert agreement_no.endswith("〔2026〕001号")
    assert "2027年01月04日" in reply                        # 2 Jan is a Saturday: the window runs to Monday 4th
    case = await case_of(ctx, number)
    assert case.status == Status.RESOLVED
    assert "达成调解协议" in " ".join(r.text for r in await outbox(ctx, "test") if r.user == "respondent-9")
    async with ctx.db.session() as s:
        docs = await case_documents(s, ctx.settings, ctx.registry, await case_of(ctx, number))
    words = [d for d in docs if d.name.endswith(".docx")]
    assert [d.name.split("_", 3)[3] for d in words] == ["申请人张建华.docx", "被申请人王强.docx",
                                                        "柳林村人民调解委员会.docx"]
    for i, d in enumerate(words, 1):
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(d.data)).paragraphs)
        for part in ("人民调解协议书", f"编号：{agreement_no}", f"第{i}份，共3份",
                     "申请人：张建华，住所：柳林村一组12号", "被申请人：王强",
                     "纠纷的主要事实", "夜间拖动桌椅", "争议事项", "噪音是否超出", "各方当事人的责任", "主要责任",
                     "自愿达成如下协议", "静音垫", "1,500.00元", "微信转账", "前履行完毕", "人民调解员（签名）：李红梅",
                     "人民调解委员会（印章）：柳林村人民调解委员会", "2026年12月3日", "一式3份"):
            assert part in text, part
        assert "{{" not in text and "{%" not in text
        assert APPLICANT_PHONE not in text and RESPONDENT_PHONE not in text and "****" not in text
    pdf = next(d for d in docs if d.name.endswith(".pdf"))
    assert pdf.data.startswith(b"%PDF") and b"/FontFile2" in pdf.data          # the CJK font is embedded
    if shutil.which("pdftoppm") or os.environ.get("JIEFEN_REQUIRE_SERVERS"):
        (tmp_path / "agreement.pdf").write_bytes(pdf.data)
        render = ["pdftoppm", "-png", "-r", "60", str(tmp_path / "agreement.pdf"), str(tmp_path / "page")]
        await asyncio.to_thread(subprocess.run, render, check=True, timeout=60)
        pages = sorted(tmp_path.glob("page-*.png"))
        assert len(pages) >= 3                                              # a copy per holder
        from PIL import Image
        with Image.open(pages[0]) as im:
            dark = sum(im.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255:])
        assert dark > 2000                                                  # text drawn, not tofu-less blank
        keep = os.environ.get("JIEFEN_KEEP_DOCUMENTS")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for p in pages + [tmp_path / "agreement.pdf"]:
                shutil.copy(p, keep)
    # what `jiefen agreement N --out DIR` writes on the server
    from jiefen.admin import write_documents
    paths = await write_documents(ctx.settings, number, str(tmp_path / "out"))
    assert len(paths) == 4
    assert all((tmp_path / "out" / p.rsplit("/", 1)[1]).stat().st_size > 1000 for p in paths)
    # judicial confirmation: applied, the application generated, the court's decision recorded
    reply = await staff.last(f"申请确认 {number} 青山县人民法院")
    assert "已登记" in reply and "青山县人民法院" in reply
    async with ctx.db.session() as s:
        app = await case_documents(s, ctx.settings, ctx.registry, await case_of(ctx, number), application=True)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(app[0].data)).paragraphs)
    for part in ("司法确认申请书", "申请人：王强", agreement_no, "青山县人民法院", "第三十三条",
                 "申请人（签名或盖章）"):
        assert part in text, part
    assert app[1].data.startswith(b"%PDF")
    # the court decides later; a decision dated after today is a slip of the pen
    assert "还没到" in await staff.last(f"确认结果 {number} 受理 (2026)青0101民特88号 2026-12-10")
    clock.set(local(2026, 12, 21, 10, 0))
    assert "还没有登记" not in await staff.last(f"确认结果 {number} 受理 (2026)青0101民特88号 2026-12-10")
    reply = await staff.last(f"确认结果 {number} 确认 (2026)青0101民特88号 2026年12月20日")
    assert "确认协议有效" in reply and "2026-12-20" in reply
    async with ctx.db.session() as s:
        a = await MediationStore(s, now=clock.now()).latest_agreement((await case_of(ctx, number)).id)
        assert (a.confirmation, a.confirm_number, a.confirm_decided_on) == (Confirmation.CONFIRMED,
                                                                           "(2026)青0101民特88号", "2026-12-20")
        assert a.amount_fen == 150000
        f = await mediation_figures(s)
    assert (f.agreements, f.written, f.amount_yuan) == (1, 1, 1500.0)
    assert (f.confirmations_applied, f.confirmations_granted) == (1, 1)
    assert f.cases_by_origin["applied"] == 1


async def test_a_written_agreement_states_its_facts_and_its_documents_carry_no_number(ctx, bot, clock):
    """A trial's "协议 N 内容：…" without 事实 took the resident's own words as the facts, phone
    number and all, into every holder's copy (the respondent's too): a written agreement is
    asked for its facts; any number written into its fields is masked in the documents."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    reply = await staff.last(f"协议 {number} 内容：被申请人22点后不再拖动家具")
    assert "事实" in reply and (await case_of(ctx, number)).status != Status.RESOLVED, reply
    reply = await staff.last(f"协议 {number}\n事实：申请人（电话{APPLICANT_PHONE}）反映楼上夜间拖动桌椅。\n"
                             f"内容：被申请人22点后不再拖动家具，有事联系{RESPONDENT_PHONE}")
    assert "调解协议书" in reply, reply
    async with ctx.db.session() as s:
        docs = await case_documents(s, ctx.settings, ctx.registry, await case_of(ctx, number))
    for d in (d for d in docs if d.name.endswith(".docx")):
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(d.data)).paragraphs)
        assert "夜间拖动桌椅" in text and "不再拖动家具" in text
        assert APPLICANT_PHONE not in text and RESPONDENT_PHONE not in text, text


async def test_a_second_agreement_on_a_settled_case_is_refused(ctx, bot, clock):
    """A trial's second 协议 on a case its first agreement had settled made a second agreement
    (two sets of clocks, the old link serving the new one, the applicant never told of it)."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    assert "调解协议书" in await staff.last(AGREEMENT.format(n=number))
    reply = await staff.last(AGREEMENT.format(n=number).replace("1500元", "3000元"))
    assert "已登记" in reply and "〔2026〕001号" in reply and "调解协议书 " not in reply, reply
    async with ctx.db.session() as s:
        assert len(await MediationStore(s, now=clock.now()).agreements((await case_of(ctx, number)).id)) == 1


async def test_oral_agreement_is_recorded_as_such_and_origin_counts(ctx, bot, clock):
    number = await report(bot)
    staff = staff_bot(ctx, "LiHongMei")
    await staff.say(f"接单 {number}")
    assert "公安机关移送" in await staff.last(f"来源 {number} 派出所移送")
    reply = await staff.last(f"口头协议 {number} 内容：双方同意晚上十点后不再拖椅子")
    assert "未登记" not in reply                                   # no document: no names to complete
    assert "口头协议" in reply and "协议书：" not in reply          # no document to sign, no confirmation window
    async with ctx.db.session() as s:
        a = await MediationStore(s, now=clock.now()).latest_agreement((await case_of(ctx, number)).id)
        assert a.form == AgreementForm.ORAL and a.confirm_window_ends is None
        f = await mediation_figures(s)
    assert (f.agreements, f.oral, f.written) == (1, 1, 0) and f.cases_by_origin["police"] == 1
    assert "口头协议不能申请司法确认" in await staff.last(f"申请确认 {number} 青山县人民法院")


async def test_no_meeting_or_agreement_after_a_party_refused_mediation(ctx, bot, clock):
    """A trial's respondent replied 不同意调解; 会谈 was booked three times (each pushed to him)
    and a 协议 was registered, the case resolved and both told of an agreement (《人民调解法》
    第十七条: one side's clear refusal ends the mediation). When he agrees after all, both go on."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await invited(ctx, bot)
    await respondent.say("不同意调解")
    reply = await staff.last(f"会谈 {number} 12月8日下午3点 村调解室")
    assert "不同意调解" in reply and "第十七条" in reply, reply
    assert not [p for p in await outbox(ctx, "test") if p.user == "respondent-9" and "调解会" in p.text]
    reply = await staff.last(AGREEMENT.format(n=number))
    assert "不同意调解" in reply and (await case_of(ctx, number)).status != Status.RESOLVED, reply
    await respondent.say("同意调解")
    assert "已安排" in await staff.last(f"会谈 {number} 12月8日下午3点 村调解室")


async def test_an_agreement_due_before_today_or_for_less_than_nothing_is_refused(ctx, bot, clock):
    clock.set(local(2026, 12, 5, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    reply = await staff.last(AGREEMENT.format(n=number).replace("5个工作日", "2026-11-30"))
    assert "已过" in reply and (await case_of(ctx, number)).status != Status.RESOLVED, reply
    reply = await staff.last(AGREEMENT.format(n=number).replace("1500元", "-500"))
    assert "金额" in reply and (await case_of(ctx, number)).status != Status.RESOLVED, reply


async def test_a_meeting_needs_an_hour_and_is_not_reminded_at_night(ctx, bot, clock):
    """A trial's "会谈 N 明天 村委" was booked at 09:00 nobody said; a Monday 09:00 meeting booked
    on Saturday was reminded at 05:00 on Monday (four hours before): the evening before, then."""
    from bot.mediation import run_timers

    clock.set(local(2026, 12, 5, 10, 0))                       # Saturday
    number, staff, respondent = await mediated(ctx, bot, clock)
    reply = await staff.last(f"会谈 {number} 明天 村委")
    assert "几点" in reply and "已安排" not in reply, reply
    reply = await staff.last(f"会谈 {number} 12月7日上午9点 村委")
    assert "已安排" in reply and "12月06日 20:00" in reply, reply
    clock.set(local(2026, 12, 6, 19, 59))
    async with ctx.uow() as uow:
        assert await run_timers(ctx, uow) == 0
    clock.set(local(2026, 12, 6, 20, 0))
    async with ctx.uow() as uow:
        assert await run_timers(ctx, uow) == 1


async def test_what_happens_after_the_agreement_reaches_the_parties_and_the_figures(ctx, bot, clock):
    """A trial: after 申请确认 and 履行 … 未履行 neither party heard a word (the applicant asking was
    told 已化解, no next step); a follow-up visit done before its due day counted 0/0; its
    "申请人扬言要去上访" left the case green and nobody on duty alerted."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    assert "调解协议书" in await staff.last(AGREEMENT.format(n=number))
    before = len(await outbox(ctx, "test"))
    assert "申请书" in await staff.last(f"申请确认 {number} 青山县人民法院")
    told = [p for p in (await outbox(ctx, "test"))[before:]]
    assert {p.user for p in told if "司法确认" in p.text} == {"resident-1", "respondent-9"}, [(p.user, p.text) for p in told]
    before = len(await outbox(ctx, "test"))
    await staff.say(f"履行 {number} 未履行 对方说没钱")
    told = [p for p in (await outbox(ctx, "test"))[before:] if p.user == "resident-1"]
    assert told and "未履行" in told[0].text and "法院" in told[0].text, [p.text for p in told]
    await staff.say(f"履行 {number} 已履行")                   # recorded as performed, then the visit finds otherwise
    reply = await staff.last(f"回访 {number} 未履行 不满意 风险 对方拒付，申请人扬言要去县政府上访")
    assert "重新进入调解" in reply
    async with ctx.db.session() as s:
        a = await MediationStore(s, now=clock.now()).latest_agreement((await case_of(ctx, number)).id)
    assert a.performance == "not_performed", a.performance
    case = await case_of(ctx, number)
    assert case.risk == "red", (case.risk, case.risk_reasons)
    assert [p for p in await outbox(ctx, "wecom_app") if p.kind == "alert" and p.user == "GaoZhenHua"]
    async with ctx.db.session() as s:
        f = await mediation_figures(s, since=local(2026, 12, 1, 0, 0), until=local(2026, 12, 4, 0, 0))
    assert (f.follow_ups_done, f.follow_ups_reopened, f.not_performed) == (1, 1, 1), f


async def test_a_court_decision_dated_before_the_application_is_refused(ctx, bot, clock):
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    await staff.say(AGREEMENT.format(n=number))
    await staff.say(f"申请确认 {number} 青山县人民法院")
    reply = await staff.last(f"确认结果 {number} 受理 （2026）青0101民特1号 2026-11-01")
    assert "早于" in reply, reply
    assert "法院已受理" in await staff.last(f"确认结果 {number} 受理 （2026）青0101民特1号 2026-12-03")


async def test_each_committee_numbers_its_own_agreements(ctx, bot, clock):
    """A trial's three committees' agreements were 柳林村调001, 桃源村调002, 石桥村调003 (one
    counter for all); a labour case settled by the county's labour committee was issued as the
    village's. Each committee counts its own from the numbers it already gave."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    assert "柳林村调〔2026〕001号" in await staff.last(AGREEMENT.format(n=number))
    async with ctx.uow() as uow:
        store = MediationStore(await uow.session(), now=clock.now())
        assert await store.next_agreement_seq(2026, "桃源村调") == 1
        assert await store.next_agreement_seq(2026, "柳林村调") == 2        # after the 001 it gave
        assert await store.next_agreement_seq(2026, "桃源村调") == 2
    from bot.mediation.common import committee_name
    case = await case_of(ctx, number)
    assert committee_name(ctx, case, ctx.registry.staff["com-labour"]).endswith("劳动争议人民调解委员会")
    assert committee_name(ctx, case, ctx.registry.staff["gw-liulin"]) == "柳林村人民调解委员会"


async def test_what_is_printed_is_what_was_meant(ctx, bot, clock):
    """A trial's documents: 工资８５００元 printed spaced out, emoji as blank gaps, a 责任 nobody
    wrote filled with "（各方当事人经协商，对责任承担达成一致…）", and a party named
    "<script>alert(1)</script>" cut at "/" into a name and an address and into a file name."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    reply = await staff.last(f'当事人 {number} 第三人 "<script>alert(1)</script>" 13700001111')
    assert "只能是文字" in reply and "已登记" not in reply, reply
    await staff.say(f"协议 {number}\n事实：楼上拖椅子👍，赔偿８５００元。\n内容：被申请人赔偿８５００元😀")
    async with ctx.db.session() as s:
        docs = await case_documents(s, ctx.settings, ctx.registry, await case_of(ctx, number))
    for d in docs:
        assert re.fullmatch(r"[\w\u4e00-\u9fff（）()·.\-]+", d.name), d.name
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(next(d for d in docs if d.name.endswith(".docx")).data)).paragraphs)
    assert "8500元" in text and "８" not in text and "😀" not in text and "👍" not in text, text
    assert "对责任承担达成一致" not in text


async def test_the_signatures_and_the_date_share_a_page(ctx, bot, clock, tmp_path):
    """With a third party the date sat alone on a second page, away from the signatures."""
    if not (shutil.which("pdftotext") or os.environ.get("JIEFEN_REQUIRE_SERVERS")):
        return
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    await staff.say(f"当事人 {number} 第三人 李四 13700001111 柳林村一组13号")
    await staff.say(AGREEMENT.format(n=number))
    async with ctx.db.session() as s:
        docs = await case_documents(s, ctx.settings, ctx.registry, await case_of(ctx, number))
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(next(d for d in docs if d.name.endswith(".pdf")).data)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    for page in pages:
        if "2026年12月3日" in page.replace(" ", ""):
            text = page.replace(" ", "")
            assert "第三人（签名或盖章）" in text and "人民调解员（签名）" in text, page


async def test_a_court_ruling_stands_and_its_day_must_exist(ctx, bot, clock):
    """A trial's 确认结果 took "2027-02-30" and the word "昨天" as dates, and went 确认 → 驳回 → 受理
    (the applicant was told both rulings); "12月6日" on the 5th was read as a year ago."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    await staff.say(AGREEMENT.format(n=number))
    await staff.say(f"申请确认 {number} 青山县人民法院")
    assert "不存在" in await staff.last(f"确认结果 {number} 确认 （2026）青0101民特1号 2027-02-30")
    assert "还没到" in await staff.last(f"确认结果 {number} 确认 （2026）青0101民特1号 12月4日")
    reply = await staff.last(f"确认结果 {number} 确认 （2026）青0101民特1号 今天")
    assert "确认协议有效" in reply, reply
    reply = await staff.last(f"确认结果 {number} 驳回 （2026）青0101民特2号 今天")
    assert "不能再改" in reply, reply
    async with ctx.db.session() as s:
        a = await MediationStore(s, now=clock.now()).latest_agreement((await case_of(ctx, number)).id)
    assert a.confirmation == Confirmation.CONFIRMED and a.confirm_decided_on == "2026-12-03", (a.confirmation, a.confirm_decided_on)


async def test_absurd_sums_and_no_time_to_perform_are_refused_and_a_record_is_of_a_meeting_held(ctx, bot, clock):
    """A trial's agreement of 99,999,999,999元 and 履行期限 0个工作日 were accepted, and a 笔录 was
    filed against a meeting five days ahead."""
    clock.set(local(2026, 12, 3, 10, 0))
    number, staff, respondent = await mediated(ctx, bot, clock)
    assert "超过一亿" in await staff.last(AGREEMENT.format(n=number).replace("1500元", "９９９９９９９９９９９元"))
    assert "0天" in await staff.last(AGREEMENT.format(n=number).replace("5个工作日", "0个工作日"))
    await staff.say(f"会谈 {number} 12月8日下午3点 村调解室")
    await staff.say(f"笔录 {number}\n到场：双方\n争议焦点：噪音")
    async with ctx.db.session() as s:
        sessions = await MediationStore(s, now=clock.now()).sessions((await case_of(ctx, number)).id)
    planned = [x for x in sessions if x.starts_at > clock.now()]
    assert planned and all(x.recorded_at is None for x in planned)
