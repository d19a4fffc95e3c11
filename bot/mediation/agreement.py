"""The agreement (人民调解协议, People's Mediation Law Art. 28–29), its performance deadline, judicial
confirmation (Art. 33) and its documents.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clocks, notify, rating
from bot.lifecycle import CONFIRMATION_NAMES, Status, can_move, case_status_name
from bot.mediation.common import (
    ROLE_NAMES,
    committee_name,
    day_text,
    ensure_applicant,
    local_time,
    mediators,
    new_token,
    refused_by,
    store_of,
    tell_parties,
    tell_staff,
)
from bot.mediation.text import amount_fen, deadline, decision_day, labelled
from bot.message import Push
from bot.settings import Settings
from storage.lifecycle import AgreementForm, Confirmation, EventKind, Performance, PushKind, TimerKind
from storage.mediation import MediationStore
from storage.models import Agreement, Case
from storage.registry import Registry

if TYPE_CHECKING:
    from bot.case_actions import Actor
    from bot.context import AppContext
    from bot.documents import Document
    from bot.uow import UnitOfWork


MAX_AMOUNT_FEN = 100_000_000 * 100      # a hundred million yuan: more is a typing slip
DECISION_WORDS = {"受理": Confirmation.ACCEPTED, "已受理": Confirmation.ACCEPTED, "确认": Confirmation.CONFIRMED,
                  "确认有效": Confirmation.CONFIRMED, "有效": Confirmation.CONFIRMED, "驳回": Confirmation.REFUSED,
                  "不予确认": Confirmation.REFUSED, "无效": Confirmation.REFUSED}


PERFORMANCE_WORDS = {"已履行": Performance.PERFORMED, "履行完毕": Performance.PERFORMED, "完成": Performance.PERFORMED,
                     "部分": Performance.PARTLY, "部分履行": Performance.PARTLY, "未履行": Performance.NOT_PERFORMED,
                     "没履行": Performance.NOT_PERFORMED, "拒不履行": Performance.NOT_PERFORMED}


DOCUMENT_KINDS = ("agreement", "application")


LINK_LENGTH = 24                                        # 120 bits: a link nobody types


async def document_link(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, kind: str) -> str:
    """A link for the staff member to the case's documents (adapters/documents.py serves it),
    good for JIEFEN_DOCUMENT_LINK_HOURS; the ledger keeps who was given one."""
    token = new_token(LINK_LENGTH)
    expires = uow.now + timedelta(hours=ctx.settings.document_link_hours)
    await (await store_of(uow)).add_document_link(case.id, kind, token, staff_id=actor.staff.id, expires_at=expires)
    await (await uow.cases()).event(case, EventKind.DOCUMENT_LINK, actor.key, kind=kind, expires=expires.isoformat())
    return f"{ctx.settings.web_url.rstrip('/')}/mediation/documents/{token}"


async def documents_for_staff(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """文书 N [申请书]: a fresh link to the agreement (or the application)."""
    kind = "application" if "申请" in note else "agreement"
    agreement = await (await store_of(uow)).latest_agreement(case.id)
    if agreement is None or agreement.form != AgreementForm.WRITTEN:
        return f"案件 {case.number} 还没有书面调解协议。"
    if kind == "application" and agreement.confirmation == Confirmation.NONE:
        return f"请先登记司法确认申请：申请确认 {case.number} 法院名称"
    link = await document_link(ctx, uow, actor, case, kind)
    what = "司法确认申请书" if kind == "application" else "调解协议书（每方一份 Word 和 PDF）"
    return f"{case.number} 的{what}：\n{link}\n（{ctx.settings.document_link_hours:g}小时内有效，请勿转发）"


async def agree(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str, form: AgreementForm = AgreementForm.WRITTEN) -> str:
    """协议 N 事实：… 争议：… 责任：… 内容：… 金额：… 履行方式：… 履行期限：…
    (口头协议 N … for an oral agreement, recorded as such: Art. 28)."""
    fields = labelled(note)
    if not fields.get("terms"):
        return ("请写上协议内容，例如：\n协议 " + case.number + "\n事实：……\n争议：……\n责任：……\n"
                "内容：……\n金额：3000元\n履行方式：……\n履行期限：10个工作日（或 2026-12-31）")
    if not (can_move(case.status, Status.RESOLVED) or case.status == Status.RESOLVED):
        return f"案件 {case.number} 当前状态是“{case_status_name(case)}”，不能登记协议。"
    if case.status == Status.RESOLVED:
        made = await (await store_of(uow)).latest_agreement(case.id)
        if made is not None:
            # its clocks, its documents and both parties' news are the first agreement's
            return (f"案件 {case.number} 已登记调解协议 {made.number}，不能再登记一份。"
                    "如双方重新达成协议，请联系综治中心。")
    if form == AgreementForm.WRITTEN and not fields.get("facts"):
        # the resident's own words are no statement of facts (and hold their phone number)
        return (f"协议书要写明纠纷的主要事实（《人民调解法》第二十九条），请加一行“事实：……”，例如：\n协议 {case.number}\n"
                "事实：……\n争议：……\n责任：……\n内容：……")
    refused = await refused_by(uow, case)
    if refused:
        return refused
    tz = ctx.settings.timezone
    due = deadline(fields.get("due", ""), uow.now, tz, clocks.add_working_days)
    if fields.get("due") and due is None:
        return f"没有认出履行期限“{fields['due']}”：可写“10个工作日”“30日内”或日期“2026-12-31”。"
    if due is not None and due <= uow.now:
        return f"履行期限“{fields['due']}”已过，请写今天以后的日期，或“10个工作日”“30日内”。"
    if re.search(r"^\s*[-－—负]", fields.get("amount", "")):
        return f"协议金额“{fields['amount']}”不能是负数：请写应支付的金额，例如“金额：1500元”。"
    if amount_fen(fields.get("amount", "")) > MAX_AMOUNT_FEN:
        return f"协议金额“{fields['amount']}”超过一亿元，请核对后再写（人民调解的协议金额一般远小于此）。"
    if fields.get("due") and re.match(r"^\s*[0０]+\s*(?:个)?(?:工作)?(?:日|天)", fields["due"]):
        return "履行期限不能是0天：请写“10个工作日”“30日内”或具体日期。"
    store = await store_of(uow)
    applicant = await ensure_applicant(ctx, uow, case, actor.key)
    others = [p for p in await store.parties(case.id) if p.id != applicant.id]
    if form == AgreementForm.WRITTEN and not others:
        return (f"协议书需要双方当事人：请先用“邀请 {case.number} 姓名 电话”"
                f"或“当事人 {case.number} 被申请人 姓名 电话”登记对方。")
    year = uow.now.astimezone(ZoneInfo(tz)).year
    committee = committee_name(ctx, case, actor.staff)
    prefix = ctx.settings.agreement_number_prefix or committee.replace("人民调解委员会", "") + "调"
    seq = await store.next_agreement_seq(year, prefix)
    number = f"{prefix}〔{year}〕{seq:03d}号"
    ends = confirmation_window_end(ctx, uow.now) if form == AgreementForm.WRITTEN else None
    agreement = await store.add_agreement(
        case_id=case.id, number=number, form=form, facts=fields.get("facts", ""),
        disputes=fields.get("points", ""), responsibility=fields.get("responsibility", ""), terms=fields["terms"],
        amount_fen=amount_fen(fields.get("amount", "")), performance_method=fields.get("method", ""),
        performance_due=due, committee=committee, mediator=actor.staff.id,
        performance=Performance.PENDING, confirmation=Confirmation.NONE, confirm_window_ends=ends,
        confirm_court="", confirm_number="", confirm_decided_on="", created_by=actor.key)
    cases = await uow.cases()
    await cases.event(case, EventKind.AGREEMENT, actor.key, agreement=agreement.id, number=number, form=form,
                      terms=agreement.terms, amount_fen=agreement.amount_fen,
                      performance_due=due.isoformat() if due else None)
    if due is not None:
        remind = _working_days_before(due, ctx.settings.performance_remind_days, tz)
        if remind > uow.now:
            await store.add_timer(case.id, TimerKind.PERFORMANCE_REMINDER, agreement.id, remind)
        await store.add_timer(case.id, TimerKind.PERFORMANCE_DUE, agreement.id, due)
    if ends is not None:
        remind = ends - timedelta(days=ctx.settings.confirmation_remind_days)
        if remind > uow.now:
            await store.add_timer(case.id, TimerKind.CONFIRMATION_REMINDER, agreement.id, remind)
    follow = clocks.add_working_days(uow.now, ctx.settings.follow_up_days, tz)
    visit = await store.add_follow_up(case.id, agreement.id, follow)
    await store.add_timer(case.id, TimerKind.FOLLOW_UP, visit.id, follow)
    result = f"达成{'口头' if form == AgreementForm.ORAL else ''}调解协议（{number}）：{agreement.terms}"
    if case.status != Status.RESOLVED:
        await cases.transition(case, Status.RESOLVED, actor.key, outcome=result, agreement=number)
        await notify.status_changed(ctx, uow, case, note=result)
        await rating.ask(ctx, uow, case)
    respondents = [p for p in others if p.channel and p.user]
    for p in respondents:      # the reporter heard it through the case's own update above
        await uow.push(Push(p.channel, p.user, f"案件 {case.number} 已达成调解协议（{number}）。"
                            + (f"请在 {local_time(ctx, due)} 前按协议履行。" if due else ""),
                            case.number, PushKind.PARTY, key=f"agreement:{number}:party:{p.id}"))
    lines = [f"已登记{'口头协议' if form == AgreementForm.ORAL else '调解协议书'} {number}（{case.number}）。"]
    unnamed = [ROLE_NAMES.get(p.role, p.role) for p in [applicant, *others] if not p.name]
    if unnamed and form == AgreementForm.WRITTEN:
        lines.append(f"注意：{'、'.join(unnamed)}的姓名未登记，协议书上是“（未填）”："
                     f"请用“当事人 {case.number} 申请人 姓名 电话 住址”补全后再取文书。")
    if form == AgreementForm.WRITTEN:
        link = await document_link(ctx, uow, actor, case, "agreement")
        hours = f"{ctx.settings.document_link_hours:g}"
        lines.append(f"协议书（Word 与 PDF，每方一份；{hours}小时内有效，请勿转发）：{link}")
        lines.append(f"如需司法确认，双方应在 {day_text(ctx, ends)} 前共同向人民法院申请。")
    if due:
        lines.append(f"履行期限：{local_time(ctx, due)}，到期前提醒。")
    lines.append(f"回访：{day_text(ctx, follow)}，届时通知网格员。")
    return "\n".join(lines)


async def agree_orally(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    return await agree(ctx, uow, actor, case, note, AgreementForm.ORAL)


def _working_days_before(due: datetime, days: int, tz: str) -> datetime:
    zone = ZoneInfo(tz)
    local = due.astimezone(zone)
    day, left = local.date(), days
    while left > 0:
        day -= timedelta(days=1)
        if clocks.is_workday(day):
            left -= 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(due.tzinfo)


def confirmation_window_end(ctx: "AppContext", signed: datetime) -> datetime:
    """30 days from the agreement's taking effect (People's Mediation Law Art. 33); a period
    whose last day is a holiday ends on the first working day after it (Civil Procedure Law
    Art. 85). The end of that day, local time."""
    zone = ZoneInfo(ctx.settings.timezone)
    day = signed.astimezone(zone).date() + timedelta(days=ctx.settings.confirmation_days)
    while not clocks.is_workday(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(signed.tzinfo)


async def _agreement_or_reply(uow: "UnitOfWork", case: Case) -> Agreement | str:
    agreement = await (await store_of(uow)).latest_agreement(case.id)
    return agreement if agreement is not None else f"案件 {case.number} 还没有登记调解协议。"


async def performed(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """履行 N [已履行|部分履行|未履行] [说明]"""
    agreement = await _agreement_or_reply(uow, case)
    if isinstance(agreement, str):
        return agreement
    word = next((w for w in sorted(PERFORMANCE_WORDS, key=len, reverse=True) if note.startswith(w)), "")
    state = PERFORMANCE_WORDS.get(word, Performance.PERFORMED)
    detail = note[len(word):].strip()
    before = agreement.performance
    agreement.performance = state
    if state == Performance.PERFORMED:
        agreement.performed_at = uow.now
    on_time = (state == Performance.PERFORMED and (agreement.performance_due is None
                                                    or uow.now <= agreement.performance_due))
    await (await uow.cases()).event(case, EventKind.PERFORMANCE, actor.key, agreement=agreement.number,
                                    before=before, after=state, on_time=on_time, text=detail)
    names = {Performance.PERFORMED: "已履行", Performance.PARTLY: "部分履行", Performance.NOT_PERFORMED: "未履行"}
    news = f"案件 {case.number} 的调解协议（{agreement.number}）登记为{names[state]}。"
    if state != Performance.PERFORMED:
        # the agreement binds (人民调解法 31); what a party may do when it is not kept
        news += ("调解员会继续督促履行；" + (f"协议已经法院确认，可以向{agreement.confirm_court or '人民法院'}申请强制执行。"
                                     if agreement.confirmation == Confirmation.CONFIRMED
                                     else "也可以就履行或者协议内容向人民法院起诉。"))
    await tell_parties(ctx, uow, case, news, f"performance:{agreement.number}:{state}:{uow.now.isoformat()}")
    return (f"已记录 {agreement.number}：{names[state]}" + ("（按期）" if on_time else "")
            + (f"，{detail}" if detail else "") + "。")


async def apply_confirmation(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """申请确认 N 法院名称: the joint application (申请书) is generated and the application
    recorded; only within the 30-day window."""
    agreement = await _agreement_or_reply(uow, case)
    if isinstance(agreement, str):
        return agreement
    if agreement.form != AgreementForm.WRITTEN:
        return "口头协议不能申请司法确认，请先制作书面调解协议书。"
    if agreement.confirmation != Confirmation.NONE:
        return f"{agreement.number} 已申请过司法确认（{agreement.confirm_court}）。"
    if agreement.confirm_window_ends and uow.now > agreement.confirm_window_ends:
        return f"{agreement.number} 的司法确认申请期限已于 {day_text(ctx, agreement.confirm_window_ends)} 届满。"
    court = note.strip() or ctx.settings.confirmation_court
    if not court:
        return f"请写上受理的人民法院，例如：申请确认 {case.number} 青山县人民法院"
    agreement.confirmation, agreement.confirm_court = Confirmation.APPLIED, court[:100]
    agreement.confirm_applied_at = uow.now
    await (await uow.cases()).event(case, EventKind.CONFIRMATION, actor.key, agreement=agreement.number,
                                    after=Confirmation.APPLIED, court=agreement.confirm_court)
    link = await document_link(ctx, uow, actor, case, "application")
    # both parties sign the joint application: each hears of it
    await tell_parties(ctx, uow, case, f"案件 {case.number} 的调解协议（{agreement.number}）将向{agreement.confirm_court}"
                       "申请司法确认，需要双方一起签名申请书，调解员会和您约时间。",
                       f"confirm:{agreement.number}:applied")
    return (f"已登记 {agreement.number} 向{agreement.confirm_court}申请司法确认。"
            f"申请书（双方签名后递交）：{link}")


async def confirmation_decision(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """确认结果 N 受理|确认|驳回 [文号] [日期]"""
    agreement = await _agreement_or_reply(uow, case)
    if isinstance(agreement, str):
        return agreement
    word = next((w for w in sorted(DECISION_WORDS, key=len, reverse=True) if note.startswith(w)), None)
    if word is None:
        return f"请写：确认结果 {case.number} 受理/确认/驳回 文号 日期"
    if agreement.confirmation == Confirmation.NONE:
        return f"{agreement.number} 还没有登记司法确认申请（申请确认 {case.number} 法院）。"
    if agreement.confirmation in (Confirmation.CONFIRMED, Confirmation.REFUSED):
        # the court has ruled: a ruling is not taken back by a second message (it went 确认 → 驳回 → 受理)
        return (f"{agreement.number} 已记录法院裁定（{CONFIRMATION_NAMES[agreement.confirmation]}），不能再改。"
                "如记错了，请联系综治中心更正。")
    rest = note[len(word):].strip()
    today = uow.now.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    day, rest, wrong = decision_day(rest, today)
    if wrong:
        return f"{wrong}，请写法院作出决定的日期，例如 {today.isoformat()}。"
    if day is not None and day > today:
        return f"裁定日期 {day.isoformat()} 还没到，请写法院作出决定的日期。"
    applied = agreement.confirm_applied_at
    if day is not None and applied is not None and day < applied.astimezone(ZoneInfo(ctx.settings.timezone)).date():
        return f"日期 {day.isoformat()} 早于申请司法确认的日期，请写法院作出决定的日期。"
    before = agreement.confirmation
    agreement.confirmation = DECISION_WORDS[word]
    agreement.confirm_number = rest.strip(" ，,")[:100] or agreement.confirm_number
    agreement.confirm_decided_on = day.isoformat() if day else agreement.confirm_decided_on
    await (await uow.cases()).event(case, EventKind.CONFIRMATION, actor.key, agreement=agreement.number,
                                    before=before, after=agreement.confirmation, number=agreement.confirm_number,
                                    date=agreement.confirm_decided_on)
    names = {Confirmation.ACCEPTED: "法院已受理", Confirmation.CONFIRMED: "法院裁定确认协议有效",
             Confirmation.REFUSED: "法院裁定驳回申请"}
    if agreement.confirmation in (Confirmation.CONFIRMED, Confirmation.REFUSED):
        await tell_parties(ctx, uow, case, f"案件 {case.number} 的调解协议（{agreement.number}）司法确认结果："
                           f"{names[agreement.confirmation]}。", f"confirm:{agreement.number}:{agreement.confirmation}")
    return (f"已记录 {agreement.number}：{names[agreement.confirmation]}"
            + (f"，{agreement.confirm_number}" if agreement.confirm_number else "")
            + (f"，{agreement.confirm_decided_on}" if agreement.confirm_decided_on else "") + "。")


async def agreement_by_id(uow: "UnitOfWork", agreement_id: int) -> Agreement | None:
    found: Agreement | None = await (await uow.session()).get(Agreement, agreement_id)
    return found


async def remind_performance(ctx: "AppContext", uow: "UnitOfWork", case: Case, agreement_id: int, due: datetime) -> None:
    a = await agreement_by_id(uow, agreement_id)
    if a is None or a.performance != Performance.PENDING or a.performance_due is None:
        return
    text = f"提醒：调解协议 {a.number}（案件 {case.number}）的履行期限是 {local_time(ctx, a.performance_due)}。"
    await tell_parties(ctx, uow, case, text + "请按协议按时履行。", f"perf_reminder:{a.number}")
    await tell_staff(ctx, uow, case, "【履行即将到期】" + text + f"履行后回复“履行 {case.number}”。",
                     f"perf_reminder:{a.number}", people=await mediators(ctx, case, a))
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="performance", what="reminder",
                                    agreement=a.number, due=a.performance_due.isoformat())


async def performance_overdue(ctx: "AppContext", uow: "UnitOfWork", case: Case, agreement_id: int, due: datetime) -> None:
    a = await agreement_by_id(uow, agreement_id)
    if a is None or a.performance != Performance.PENDING or a.performance_due is None:
        return
    a.performance = Performance.OVERDUE
    await (await uow.cases()).event(case, EventKind.PERFORMANCE, "scheduler", agreement=a.number,
                                    before=Performance.PENDING, after=Performance.OVERDUE)
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="performance", what="notice",
                                    agreement=a.number, due=a.performance_due.isoformat())
    await tell_staff(ctx, uow, case, f"【履行已超期】调解协议 {a.number}（案件 {case.number}）应在 "
                     f"{local_time(ctx, a.performance_due)} 前履行，尚未登记履行。"
                     f"请督促履行；已履行请回复“履行 {case.number}”，"
                     f"未履行请回复“履行 {case.number} 未履行 说明”。", f"perf_overdue:{a.number}",
                     kind=PushKind.ALERT, people=await mediators(ctx, case, a))


async def remind_confirmation(ctx: "AppContext", uow: "UnitOfWork", case: Case, agreement_id: int, due: datetime) -> None:
    a = await agreement_by_id(uow, agreement_id)
    if a is None or a.confirmation != Confirmation.NONE or a.confirm_window_ends is None:
        return
    await tell_staff(ctx, uow, case, f"【司法确认期限】调解协议 {a.number}（案件 {case.number}）如需司法确认，"
                     f"双方须在 {day_text(ctx, a.confirm_window_ends)} 前共同向人民法院申请"
                     f"（回复“申请确认 {case.number} 法院名称”生成申请书）。", f"confirm_reminder:{a.number}",
                     people=await mediators(ctx, case, a))
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="confirmation", what="reminder",
                                    agreement=a.number, due=a.confirm_window_ends.isoformat())


async def case_documents(session: AsyncSession, settings: Settings, registry: Registry, case: Case, *,
                         application: bool = False, pdf: bool = True) -> list["Document"]:
    """The latest agreement's documents: every holder's Word copy and one PDF with them all,
    or the joint application for judicial confirmation (Word and PDF)."""
    from bot import documents

    store = MediationStore(session, now=case.updated_at)
    agreement = await store.latest_agreement(case.id)
    if agreement is None:
        raise documents.DocumentError(f"case {case.number} has no agreement")
    parties = list(await store.parties(case.id))
    mediator = registry.staff[agreement.mediator].name if agreement.mediator in registry.staff else ""
    context = documents.agreement_context(case, agreement, parties, mediator=mediator,
                                          place=registry.full_name(case.place_code) or "", tz=settings.timezone)
    def font() -> str:
        return documents.find_font(settings.document_font or settings.poster_font)

    if application:
        out = [documents.application_docx(context, settings.template_dir)]
        return out + ([documents.application_pdf(context, font())] if pdf else [])
    out = documents.agreement_docx(context, settings.template_dir)
    return out + ([documents.agreement_pdf(context, font())] if pdf else [])
