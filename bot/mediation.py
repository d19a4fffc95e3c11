"""The mediation record: the other party, sessions, the agreement, its performance, judicial
confirmation (司法确认) and the follow-up visit (回访).

Staff reach these as case actions (bot/case_actions.perform: who may act is checked there);
parties reach them from their own chat (handlers/party.py). Every change is a ledger event
with who did it; every message to a person is an outbox row in the same transaction.

Privacy between the parties: a party is only ever told what concerns the mediation (time,
place, the agreement's number), never the other side's contact or words to the mediator;
a party's statement goes to the case's staff only.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import clocks, notify, rating, routing
from bot.lifecycle import OPEN_STATUSES, STATUS_NAMES, Status, can_move
from bot.mediation_text import amount_fen, deadline, labelled, parse_date, parse_when, party_from, video_link
from bot.message import Push
from bot.privacy import mask_phone, mask_text, names_of
from nlp.reading import TYPE_NAMES
from storage.lifecycle import (AgreementForm, CaseOrigin, Confirmation, Consent, EventKind, PartyKind, PartyRole,
                               Performance, PushKind, TimerKind)
from storage.mediation import MediationStore, Redeemed
from storage.models import Agreement, Case, CaseParty, FollowUp, MediationSession

if TYPE_CHECKING:
    from bot.case_actions import Actor
    from bot.context import AppContext
    from bot.uow import UnitOfWork

ROLE_NAMES = {PartyRole.APPLICANT: "申请人", PartyRole.RESPONDENT: "被申请人", PartyRole.OTHER: "第三人"}
ROLE_WORDS = {"申请人": PartyRole.APPLICANT, "被申请人": PartyRole.RESPONDENT, "第三人": PartyRole.OTHER,
              "其他": PartyRole.OTHER, "其他当事人": PartyRole.OTHER}
ORIGIN_WORDS = {"申请": CaseOrigin.APPLIED, "当事人申请": CaseOrigin.APPLIED, "主动": CaseOrigin.OWN_INITIATIVE,
                "主动调解": CaseOrigin.OWN_INITIATIVE, "排查": CaseOrigin.OWN_INITIATIVE,
                "公安": CaseOrigin.POLICE, "派出所": CaseOrigin.POLICE, "公安移送": CaseOrigin.POLICE,
                "法院": CaseOrigin.COURT, "法院委托": CaseOrigin.COURT, "法院移送": CaseOrigin.COURT,
                "政府": CaseOrigin.GOVERNMENT, "政府移送": CaseOrigin.GOVERNMENT, "信访": CaseOrigin.GOVERNMENT,
                "12345": CaseOrigin.GOVERNMENT, "其他移送": CaseOrigin.OTHER_REFERRAL, "移送": CaseOrigin.OTHER_REFERRAL}
ORIGIN_NAMES = {CaseOrigin.APPLIED: "当事人申请", CaseOrigin.OWN_INITIATIVE: "主动调解", CaseOrigin.POLICE: "公安机关移送",
                CaseOrigin.COURT: "人民法院委托移送", CaseOrigin.GOVERNMENT: "政府及部门移送",
                CaseOrigin.OTHER_REFERRAL: "其他单位移送"}
DECISION_WORDS = {"受理": Confirmation.ACCEPTED, "已受理": Confirmation.ACCEPTED, "确认": Confirmation.CONFIRMED,
                  "确认有效": Confirmation.CONFIRMED, "有效": Confirmation.CONFIRMED, "驳回": Confirmation.REFUSED,
                  "不予确认": Confirmation.REFUSED, "无效": Confirmation.REFUSED}
PERFORMANCE_WORDS = {"已履行": Performance.PERFORMED, "履行完毕": Performance.PERFORMED, "完成": Performance.PERFORMED,
                     "部分": Performance.PARTLY, "部分履行": Performance.PARTLY, "未履行": Performance.NOT_PERFORMED,
                     "没履行": Performance.NOT_PERFORMED, "拒不履行": Performance.NOT_PERFORMED}
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I: read aloud and typed from paper
TOKEN_LENGTH = 10                                       # 50 bits


def new_token(length: int = TOKEN_LENGTH) -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


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


async def documents_for_staff(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
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


async def store_of(uow: "UnitOfWork") -> MediationStore:
    return MediationStore(await uow.session(), now=uow.now)


def local_time(ctx: "AppContext", when: datetime | None) -> str:
    return when.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y年%m月%d日 %H:%M") if when else ""


def _day(ctx: "AppContext", when: datetime | None) -> str:
    return when.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y年%m月%d日") if when else ""


def committee_name(ctx: "AppContext", case: Case) -> str:
    """The committee that mediates: a setting, or the people's mediation committee of the
    case's village (community) or, for a case at the town or county, of that level."""
    if ctx.settings.mediation_committee:
        return ctx.settings.mediation_committee
    reg = ctx.registry
    chain = {p.level: p for p in reg.ancestors(case.place_code)}
    want = {"town": ("town",), "county": ("county",)}.get(case.level, ("village", "community"))
    for level in (*want, "town", "county"):
        if level in chain:
            return f"{chain[level].name}人民调解委员会"
    return "人民调解委员会"


async def ensure_applicant(ctx: "AppContext", uow: "UnitOfWork", case: Case, actor: str) -> CaseParty:
    """The reporter is the applicant: entered the first time the record is touched."""
    store = await store_of(uow)
    for p in await store.parties(case.id):
        if p.role == PartyRole.APPLICANT:
            return p
    # a case from a work group was posted by staff for the resident: the poster's chat is not the
    # applicant's, so nothing is sent there as to a party
    relayed = case.source.startswith("group:")
    party = await store.add_party(case.id, PartyRole.APPLICANT, name=case.reporter_name, contact=case.contact,
                                  channel="" if relayed else case.channel, user="" if relayed else case.reporter,
                                  consent=Consent.AGREED)
    await (await uow.cases()).event(case, EventKind.PARTY_ADDED, actor, party=party.id, role=party.role,
                                    kind=party.kind, name=party.name, contact=party.contact)
    return party


def party_line(p: CaseParty, *, whole: bool) -> str:
    """A party as staff read it; `whole`: the case's own staff see the contact unmasked."""
    contact = (p.contact if whole else mask_phone(p.contact)) if p.contact else "未留电话"
    kind = "（单位）" if p.kind == PartyKind.ORGANISATION else ""
    consent = {Consent.AGREED: "同意调解", Consent.REFUSED: "不同意调解"}.get(p.consent, "尚未表态")
    return f"{ROLE_NAMES.get(p.role, p.role)}：{p.name or '未留姓名'}{kind}｜{contact}｜{consent}"


async def staff_of(ctx: "AppContext", case: Case) -> list:
    reg = ctx.registry
    return [reg.staff[a] for a in case.assignees or [] if a in reg.staff]


async def tell_staff(ctx: "AppContext", uow: "UnitOfWork", case: Case, text: str, key: str,
                     kind: PushKind = PushKind.REMINDER, people=None) -> None:
    for s in people if people is not None else await staff_of(ctx, case):
        push = routing.staff_push(s, text, case, kind, key)
        if push:
            await uow.push(push)


async def tell_parties(ctx: "AppContext", uow: "UnitOfWork", case: Case, text: str, key: str) -> int:
    """Every party who can be reached in a chat of their own (the reporter through the
    channel they reported from). The words are masked for every name on the case: a party
    reads the mediation's facts, not the other side's particulars."""
    store = await store_of(uow)
    parties = list(await store.parties(case.id))
    names = names_of(case) + tuple(p.name for p in parties if p.name)
    told = 0
    reached = set()
    for p in parties:
        if not p.channel or not p.user or (p.channel, p.user) in reached:
            continue
        sender = ctx.channels.get(p.channel)
        if sender is not None and not getattr(sender, "takes_pushes", True):
            continue
        reached.add((p.channel, p.user))
        await uow.push(Push(p.channel, p.user, mask_text(text, names), case.number, PushKind.PARTY,
                            key=f"{key}:party:{p.id}"))
        told += 1
    return told


# the staff's actions --------------------------------------------------------------------

async def add_party(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """当事人 N 被申请人|第三人 姓名 电话 [地址]"""
    role_word = next((w for w in sorted(ROLE_WORDS, key=len, reverse=True) if note.startswith(w)), None)
    if role_word is None:
        return f"请写：当事人 {case.number} 被申请人/第三人 姓名 电话 地址"
    name, phone, kind, rest = party_from(note[len(role_word):])
    if not name:
        return "请写上当事人的姓名或单位名称。"
    applicant = await ensure_applicant(ctx, uow, case, actor.key)
    if ROLE_WORDS[role_word] == PartyRole.APPLICANT:      # the reporter's particulars, completed or corrected
        before = {"name": applicant.name, "contact": applicant.contact, "address": applicant.address}
        applicant.name, applicant.kind = name, kind
        applicant.contact = phone or applicant.contact
        applicant.address = rest[:200] or applicant.address
        await (await uow.cases()).event(case, EventKind.UPDATED, actor.key, party=applicant.id, before=before,
                                        after={"name": name, "contact": applicant.contact,
                                               "address": applicant.address})
        return f"已更新 {case.number} 的{party_line(applicant, whole=True)}"
    store = await store_of(uow)
    same = next((p for p in await store.parties(case.id) if p.role == ROLE_WORDS[role_word] and p.name == name), None)
    if same is not None:                                  # the one invited already: completed
        before = {"contact": same.contact, "address": same.address}
        same.contact, same.address = phone or same.contact, rest[:200] or same.address
        await (await uow.cases()).event(case, EventKind.UPDATED, actor.key, party=same.id, before=before,
                                        after={"contact": same.contact, "address": same.address})
        return f"已更新 {case.number} 的{party_line(same, whole=True)}"
    party = await store.add_party(case.id, ROLE_WORDS[role_word], kind=kind, name=name,
                                  contact=phone, address=rest[:200])
    await (await uow.cases()).event(case, EventKind.PARTY_ADDED, actor.key, party=party.id, role=party.role,
                                    kind=party.kind, name=name, contact=phone, address=party.address)
    return f"已登记 {case.number} 的{party_line(party, whole=True)}"


async def invite(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """邀请 N 姓名 电话 [说明]: the respondent is entered (or found) and gets a single-use,
    expiring invitation to the web chat; the mediator passes the link or the code on."""
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES.get(case.status, case.status)}”，不能再邀请当事人。"
    name, phone, kind, rest = party_from(note)
    if not name:
        return f"请写：邀请 {case.number} 对方姓名 电话（可再写一句给对方的说明）"
    await ensure_applicant(ctx, uow, case, actor.key)
    store = await store_of(uow)
    cases = await uow.cases()
    party = next((p for p in await store.parties(case.id)
                  if p.role == PartyRole.RESPONDENT and p.name == name), None)
    if party is None:
        party = await store.add_party(case.id, PartyRole.RESPONDENT, kind=kind, name=name, contact=phone)
        await cases.event(case, EventKind.PARTY_ADDED, actor.key, party=party.id, role=party.role, kind=party.kind,
                          name=name, contact=phone)
    elif phone and not party.contact:
        party.contact = phone
    token = new_token()
    expires = uow.now + timedelta(days=ctx.settings.invitation_days)
    inv = await store.invite(case.id, party.id, token, expires_at=expires, note=rest[:500], created_by=actor.key)
    await cases.event(case, EventKind.INVITED, actor.key, party=party.id, invitation=inv.id,
                      expires=expires.isoformat(), note=rest[:500])
    link = f"{ctx.settings.web_url.rstrip('/')}/?invite={token}"
    told = await _invite_on_account(ctx, uow, case, party, token, expires)
    return (f"已为 {case.number} 生成给{ROLE_NAMES[PartyRole.RESPONDENT]}{name}的邀请（只能使用一次，"
            f"{local_time(ctx, expires)}前有效）：\n{link}\n"
            f"对方也可以在网页或公众号里发送：邀请码 {token}\n请通过短信或微信发给对方本人；"
            f"当面邀请可出示二维码：{ctx.settings.web_url.rstrip('/')}/mediation/invite/{token}"
            + ("\n对方关注了公众号，邀请也已发到其公众号对话里。" if told else ""))


OFFICIAL_ACCOUNT = "wechat_mp"


async def _invite_on_account(ctx, uow, case: Case, party: CaseParty, token: str, expires: datetime) -> bool:
    """Where the invited phone number reported through the Official Account before, the
    invitation goes there too; they answer with the code, so a number typed wrong reaches a
    stranger with nothing but a case number and a code."""
    if OFFICIAL_ACCOUNT not in ctx.channels or not party.contact:
        return False
    account = await (await uow.cases()).account_of(party.contact, OFFICIAL_ACCOUNT)
    if account is None or (OFFICIAL_ACCOUNT, account) == (case.channel, case.reporter):
        return False
    kind = TYPE_NAMES.get(case.type, "")
    await uow.push(Push(OFFICIAL_ACCOUNT, account,
                        f"您好，{committee_name(ctx, case)}邀请您参加一起{kind if kind.endswith('纠纷') else kind + '纠纷'}的调解"
                        f"（案件 {case.number}）。愿意说说您的情况，请在这里回复：邀请码 {token}"
                        f"（{local_time(ctx, expires)}前有效）。", case.number, PushKind.PARTY,
                        key=f"invite:{case.number}:{party.id}:{uow.now.isoformat()}"))
    return True


async def schedule(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """会谈 N 时间 地点（或视频链接）: the parties and the mediator are told now and reminded."""
    when, rest = parse_when(note, uow.now, ctx.settings.timezone)
    if when is None:
        return f"请写上时间和地点，例如：会谈 {case.number} 12月8日 下午3点 村调解室（视频调解可写链接）"
    if when <= uow.now:
        return f"会谈时间 {local_time(ctx, when)} 已经过去，请写以后的时间。"
    video, place = video_link(rest)
    place = place.strip() or ("视频调解" if video else "")
    if not place and not video:
        return "请写上地点，或视频调解的链接。"
    await ensure_applicant(ctx, uow, case, actor.key)
    store = await store_of(uow)
    session = await store.add_session(case.id, starts_at=when, place=place[:200], video_url=video[:500],
                                      scheduled_by=actor.key)
    await (await uow.cases()).event(case, EventKind.SESSION_SCHEDULED, actor.key, session=session.id,
                                    seq=session.seq, starts_at=when.isoformat(), place=place, video_url=video)
    remind = session_reminder_at(ctx, when, uow.now)
    if remind is not None:
        await store.add_timer(case.id, TimerKind.SESSION_REMINDER, session.id, remind)
    where = f"视频调解：{video}" if video else place
    text = f"案件 {case.number} 的调解会定于 {local_time(ctx, when)} 举行，地点：{where}。请准时参加，如不能参加请回复说明。"
    told = await tell_parties(ctx, uow, case, text, f"session:{case.number}:{session.id}")
    await tell_staff(ctx, uow, case, f"【调解会】{case.number} 第{session.seq}次调解会：{local_time(ctx, when)}，{where}",
                     f"session:{case.number}:{session.id}", people=[actor.staff])
    return (f"已安排 {case.number} 第{session.seq}次调解会：{local_time(ctx, when)}，{where}。"
            f"已通知{told}位当事人" + (f"，{local_time(ctx, remind)}再提醒各方。" if remind else "。"))


def session_reminder_at(ctx: "AppContext", when: datetime, now: datetime) -> datetime | None:
    """The working day before the session, at the same time; when that is past already, a
    few hours before it; none when even that is past (they were just told)."""
    zone = ZoneInfo(ctx.settings.timezone)
    day = when.astimezone(zone).date() - timedelta(days=1)
    while not clocks.is_workday(day):
        day -= timedelta(days=1)
    at = datetime.combine(day, when.astimezone(zone).time(), tzinfo=zone).astimezone(when.tzinfo)
    if at > now:
        return at
    soon = when - timedelta(hours=ctx.settings.reminder_hours)
    return soon if soon > now else None


RECORD_FIELDS = ("attendees", "points", "applicant", "respondent", "proposal", "next_step")
RECORD_NAMES = {"attendees": "到场", "points": "争议焦点", "applicant": "申请人陈述", "respondent": "被申请人陈述",
                "proposal": "调解方案", "next_step": "下一步"}


async def record_session(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """笔录 N 到场：… 争议焦点：… 申请人：… 被申请人：… 方案：… 下一步：…  (the latest
    session not yet recorded; a session held without scheduling is added)."""
    fields = labelled(note)
    record = {k: fields.get(k, "") for k in RECORD_FIELDS}
    if not any(record.values()):
        return ("请按项目写笔录，例如：\n笔录 " + case.number + "\n到场：双方当事人、调解员\n争议焦点：……\n"
                "申请人：……\n被申请人：……\n方案：……\n下一步：……")
    store = await store_of(uow)
    session = next((s for s in reversed(await store.sessions(case.id)) if s.recorded_at is None), None)
    if session is None:
        session = await store.add_session(case.id, starts_at=uow.now, place="", video_url="", scheduled_by=actor.key)
    session.record = record
    session.recorded_at = uow.now
    await (await uow.cases()).event(case, EventKind.SESSION_RECORDED, actor.key, session=session.id,
                                    seq=session.seq, **record)
    missing = [RECORD_NAMES[k] for k in RECORD_FIELDS if not record[k]]
    return (f"已记录 {case.number} 第{session.seq}次调解会笔录。"
            + (f"（未填：{'、'.join(missing)}）" if missing else ""))


async def agree(ctx, uow, actor: "Actor", case: Case, note: str, form: AgreementForm = AgreementForm.WRITTEN) -> str:
    """协议 N 事实：… 争议：… 责任：… 内容：… 金额：… 履行方式：… 履行期限：…
    (口头协议 N … for an oral agreement, recorded as such: Art. 28)."""
    fields = labelled(note)
    if not fields.get("terms"):
        return ("请写上协议内容，例如：\n协议 " + case.number + "\n事实：……\n争议：……\n责任：……\n"
                "内容：……\n金额：3000元\n履行方式：……\n履行期限：10个工作日（或 2026-12-31）")
    if not (can_move(case.status, Status.RESOLVED) or case.status == Status.RESOLVED):
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES.get(case.status, case.status)}”，不能登记协议。"
    tz = ctx.settings.timezone
    due = deadline(fields.get("due", ""), uow.now, tz, clocks.add_working_days)
    if fields.get("due") and due is None:
        return f"没有认出履行期限“{fields['due']}”：可写“10个工作日”“30日内”或日期“2026-12-31”。"
    store = await store_of(uow)
    applicant = await ensure_applicant(ctx, uow, case, actor.key)
    others = [p for p in await store.parties(case.id) if p.id != applicant.id]
    if form == AgreementForm.WRITTEN and not others:
        return f"协议书需要双方当事人：请先用“邀请 {case.number} 姓名 电话”或“当事人 {case.number} 被申请人 姓名 电话”登记对方。"
    year = uow.now.astimezone(ZoneInfo(tz)).year
    seq = await store.next_agreement_seq(year)
    prefix = ctx.settings.agreement_number_prefix or committee_name(ctx, case).replace("人民调解委员会", "") + "调"
    number = f"{prefix}〔{year}〕{seq:03d}号"
    ends = confirmation_window_end(ctx, uow.now) if form == AgreementForm.WRITTEN else None
    agreement = await store.add_agreement(
        case_id=case.id, number=number, form=form, facts=fields.get("facts", "") or case.description,
        disputes=fields.get("points", ""), responsibility=fields.get("responsibility", ""), terms=fields["terms"],
        amount_fen=amount_fen(fields.get("amount", "")), performance_method=fields.get("method", ""),
        performance_due=due, committee=committee_name(ctx, case), mediator=actor.staff.id,
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
        lines.append(f"协议书（Word 与 PDF，每方一份；{ctx.settings.document_link_hours:g}小时内有效，请勿转发）：{link}")
        lines.append(f"如需司法确认，双方应在 {_day(ctx, ends)} 前共同向人民法院申请。")
    if due:
        lines.append(f"履行期限：{local_time(ctx, due)}，到期前提醒。")
    lines.append(f"回访：{_day(ctx, follow)}，届时通知网格员。")
    return "\n".join(lines)


async def agree_orally(ctx, uow, actor, case, note):
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


async def _agreement_or_reply(uow, case: Case) -> Agreement | str:
    agreement = await (await store_of(uow)).latest_agreement(case.id)
    return agreement if agreement is not None else f"案件 {case.number} 还没有登记调解协议。"


async def performed(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
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
    return (f"已记录 {agreement.number}：{names[state]}" + ("（按期）" if on_time else "")
            + (f"，{detail}" if detail else "") + "。")


async def apply_confirmation(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
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
        return f"{agreement.number} 的司法确认申请期限已于 {_day(ctx, agreement.confirm_window_ends)} 届满。"
    court = note.strip() or ctx.settings.confirmation_court
    if not court:
        return f"请写上受理的人民法院，例如：申请确认 {case.number} 青山县人民法院"
    agreement.confirmation, agreement.confirm_court, agreement.confirm_applied_at = Confirmation.APPLIED, court[:100], uow.now
    await (await uow.cases()).event(case, EventKind.CONFIRMATION, actor.key, agreement=agreement.number,
                                    after=Confirmation.APPLIED, court=agreement.confirm_court)
    link = await document_link(ctx, uow, actor, case, "application")
    return (f"已登记 {agreement.number} 向{agreement.confirm_court}申请司法确认。"
            f"申请书（双方签名后递交）：{link}")


async def confirmation_decision(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """确认结果 N 受理|确认|驳回 [文号] [日期]"""
    agreement = await _agreement_or_reply(uow, case)
    if isinstance(agreement, str):
        return agreement
    word = next((w for w in sorted(DECISION_WORDS, key=len, reverse=True) if note.startswith(w)), None)
    if word is None:
        return f"请写：确认结果 {case.number} 受理/确认/驳回 文号 日期"
    if agreement.confirmation == Confirmation.NONE:
        return f"{agreement.number} 还没有登记司法确认申请（申请确认 {case.number} 法院）。"
    rest = note[len(word):].strip()
    day, rest = parse_date(rest, uow.now.astimezone(ZoneInfo(ctx.settings.timezone)).date())
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


async def follow_up(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """回访 N 履行 是/否 满意 是/否 风险 无/说明 (or shorter: 回访 N 已履行 满意 无风险).
    A remaining risk reopens the case (its number and ledger kept)."""
    store = await store_of(uow)
    visit = await store.open_follow_up(case.id)
    if visit is None:
        return f"案件 {case.number} 没有待回访的任务。"
    performed_, satisfied, risk = read_follow_up(note)
    if performed_ is None or satisfied is None or risk is None:
        return (f"请写：回访 {case.number} 已履行/未履行 满意/不满意 无风险（或：风险 说明）\n"
                f"例如：回访 {case.number} 已履行 满意 无风险")
    visit.done_at, visit.performed, visit.satisfied, visit.risk = uow.now, performed_, satisfied, risk[:1000]
    visit.staff_id = visit.staff_id or actor.staff.id
    cases = await uow.cases()
    await cases.event(case, EventKind.FOLLOW_UP_VISIT, actor.key, what="done", visit=visit.id,
                      performed=performed_, satisfied=satisfied, risk=visit.risk)
    if not risk:
        return f"已记录 {case.number} 的回访：{'已履行' if performed_ else '未履行'}，{'满意' if satisfied else '不满意'}，无遗留风险。"
    visit.reopened = True
    await cases.transition(case, Status.MEDIATING, actor.key, reason=f"回访发现遗留风险：{risk}")
    await tell_staff(ctx, uow, case, f"【回访重新办理】{case.number} 回访发现遗留风险：{notify.inert(risk)}。"
                     "案件已回到调解中，原有记录保留，请继续跟进。", f"reopen:{case.number}:{visit.id}")
    await notify.status_changed(ctx, uow, case, reopened=True)
    return f"已记录回访，发现遗留风险：{risk}。案件 {case.number} 已重新进入调解，经办人已收到通知。"


def read_follow_up(note: str) -> tuple[bool | None, bool | None, str | None]:
    """(performed, satisfied, remaining risk: '' none, None unread)."""
    text = note.strip()
    perf = sat = None
    m = re.search(r"(未履行|没履行|没有履行|部分履行|已履行|履行了|履行完毕)|履行\s*[:：]?\s*(是|否|已|未)", text)
    if m:
        perf = not re.match(r"未|没|部分|否", m.group(1) or m.group(2))
    m = re.search(r"(不满意|满意)|满意\s*[:：]?\s*(是|否)", text)
    if m:
        sat = (m.group(1) or ("满意" if m.group(2) == "是" else "不满意")) == "满意"
    risk: str | None = None
    if re.search(r"无(遗留)?风险|没有风险|风险\s*[:：]?\s*(无|没有|否)\b|风险\s*[:：]?\s*(无|没有|否)$", text):
        risk = ""
    else:
        m = re.search(r"(?:遗留)?风险\s*[:：]?\s*(.+)$", text, re.S)
        if m and m.group(1).strip():
            risk = m.group(1).strip()
    return perf, sat, risk


async def set_origin(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """来源 N 申请|主动|公安|法院|政府|其他移送: the justice bureau's statistics count it."""
    word = next((w for w in sorted(ORIGIN_WORDS, key=len, reverse=True) if note.startswith(w)), None)
    if word is None:
        return f"请写：来源 {case.number} 申请/主动/公安移送/法院委托/政府移送/其他移送"
    origin = ORIGIN_WORDS[word]
    if case.origin == origin:
        return f"案件 {case.number} 的来源已经是“{ORIGIN_NAMES[origin]}”。"
    before = case.origin
    case.origin = origin
    await (await uow.cases()).event(case, EventKind.ORIGIN, actor.key, before=before, after=origin)
    return f"已记录 {case.number} 的来源：{ORIGIN_NAMES[origin]}。"


async def show_record(ctx, uow, actor: "Actor", case: Case, note: str) -> str:
    """卷宗 N: the parties (contacts whole: the reader is the case's staff), sessions, agreement."""
    store = await store_of(uow)
    lines = [f"{case.number} 调解卷宗（来源：{ORIGIN_NAMES.get(case.origin, case.origin)}）"]
    parties = await store.parties(case.id)
    lines += [party_line(p, whole=True) for p in parties] or ["当事人：仅有反映人"]
    for s in await store.sessions(case.id):
        where = s.video_url or s.place
        lines.append(f"第{s.seq}次调解会：{local_time(ctx, s.starts_at)} {where}"
                     + ("（已记录）" if s.recorded_at else ""))
    for a in await store.agreements(case.id):
        lines.append(f"协议 {a.number}（{'口头' if a.form == AgreementForm.ORAL else '书面'}）："
                     f"履行 {a.performance}，司法确认 {a.confirmation}")
    if parties:
        await (await uow.cases()).event(case, EventKind.VIEWED_CONTACT, actor.key, via="record")
    return "\n".join(lines)


# a party in their own chat (handlers/party.py) --------------------------------------------

async def join(ctx: "AppContext", uow: "UnitOfWork", token: str, channel: str, user: str) -> tuple[str, Case | None]:
    """Redeem an invitation: the chat now speaks for the party. What the party is told: the
    type and place of the dispute and the mediator's note, never the other side's words."""
    store = await store_of(uow)
    found = await store.redeem(token, channel, user)
    if not isinstance(found, Redeemed):
        return {"unknown": "这个邀请码不对，请核对后再发（如：邀请码 ABCD234567），或联系邀请您的调解员。",
                "used": "这个邀请已经使用过了。如需再次参加，请联系调解员重新邀请。",
                "expired": "这个邀请已经过期，请联系调解员重新邀请。"}[found], None
    case = await (await uow.cases()).get_by_id(found.invitation.case_id)
    party = found.party
    await (await uow.cases()).event(case, EventKind.PARTY_JOINED, f"{channel}:{user}", party=party.id,
                                    role=party.role, invitation=found.invitation.id)
    await tell_staff(ctx, uow, case, f"【当事人已加入】{case.number} {ROLE_NAMES.get(party.role)}{party.name}"
                     "已通过邀请进入调解，对其陈述和是否同意调解会转给您。", f"joined:{case.number}:{party.id}")
    place = ctx.registry.full_name(case.place_code) or ""
    note = mask_text(found.invitation.note, names_of(case))
    kind = TYPE_NAMES.get(case.type, "")
    kind = kind if kind.endswith("纠纷") else kind + "纠纷"
    return (f"您好，{committee_name(ctx, case)}正在调解一起{kind}"
            f"（案件 {case.number}{'，' + place if place else ''}），您是{ROLE_NAMES.get(party.role)}。"
            + (f"\n调解员说明：{note}" if note else "")
            + "\n请直接写下您对这件事的说法，调解员会看到（对方看不到）。"
              "\n愿意参加调解请回复“同意调解”，不愿意请回复“不同意调解”。"), case


AGREE_WORDS = ("同意调解", "愿意调解", "同意", "愿意", "接受调解", "可以调解")
REFUSE_WORDS = ("不同意调解", "不愿意调解", "不同意", "不愿意", "拒绝调解", "拒绝", "不接受")


def consent_of(text: str) -> Consent | None:
    t = text.strip().strip("。！!.，, ")
    if t in REFUSE_WORDS or any(t.startswith(w) for w in REFUSE_WORDS):
        return Consent.REFUSED
    if t in AGREE_WORDS or any(t.startswith(w) and len(t) <= len(w) + 6 for w in AGREE_WORDS):
        return Consent.AGREED
    return None


async def party_says(ctx: "AppContext", uow: "UnitOfWork", party: CaseParty, case: Case, text: str,
                     actor: str) -> str:
    """A joined party's message: their consent, or their side of the story. It goes to the
    ledger and to the case's staff (who may read it), never to the other party."""
    cases = await uow.cases()
    consent = consent_of(text)
    who = f"{ROLE_NAMES.get(party.role)}{party.name}"
    if consent is not None:
        before = party.consent
        party.consent = consent
        await cases.event(case, EventKind.PARTY_CONSENT, actor, party=party.id, role=party.role, before=before,
                          after=consent, text=text)
        word = "同意调解" if consent == Consent.AGREED else "不同意调解"
        await tell_staff(ctx, uow, case, f"【当事人表态】{case.number} {who}：{word}。",
                         f"consent:{case.number}:{party.id}:{uow.now.isoformat()}")
        if consent == Consent.AGREED:
            return "收到，您同意参加调解。调解员会和您约定调解的时间和地点，届时会在这里通知您。"
        return ("收到，您不同意调解。调解员会知道您的意见；人民调解自愿进行，"
                "您也可以通过其他途径解决。如改变主意，回复“同意调解”即可。")
    await cases.event(case, EventKind.PARTY_STATEMENT, actor, party=party.id, role=party.role, text=text)
    await tell_staff(ctx, uow, case, f"【当事人陈述】{case.number} {who}：{notify.inert(notify.shorten(text, 300))}",
                     f"statement:{case.number}:{party.id}:{uow.now.isoformat()}")
    tail = "" if party.consent != Consent.PENDING else "\n是否同意调解？请回复“同意调解”或“不同意调解”。"
    return "您的说法已记录，调解员会看到（对方看不到）。" + tail


# the clocks -----------------------------------------------------------------------------

TIMER_BATCH = 50


async def run_timers(ctx: "AppContext", uow: "UnitOfWork") -> int:
    """A job on the scheduler's tick and lock: the mediation clocks due now. Each timer is
    claimed (compare-and-set on done_at) in the transaction that acts on it."""
    store = await store_of(uow)
    fired = 0
    for timer in await store.due_timers(TIMER_BATCH):
        if not await store.claim_timer(timer.id):
            continue
        case = await (await uow.cases()).get_by_id(timer.case_id)
        if case is None:
            continue
        await FIRE[TimerKind(timer.kind)](ctx, uow, case, timer.ref_id, timer.due_at)
        fired += 1
    return fired


async def _session_reminder(ctx, uow, case: Case, session_id: int, due) -> None:
    session = await (await uow.session()).get(MediationSession, session_id)
    if session is None or session.recorded_at is not None or session.starts_at <= uow.now:
        return
    where = f"视频调解：{session.video_url}" if session.video_url else session.place
    text = f"提醒：案件 {case.number} 的调解会将于 {local_time(ctx, session.starts_at)} 举行，地点：{where}。"
    await tell_parties(ctx, uow, case, text, f"session_reminder:{case.number}:{session.id}")
    await tell_staff(ctx, uow, case, "【调解会提醒】" + text, f"session_reminder:{case.number}:{session.id}")
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="session", what="reminder",
                                    session=session.id, due=session.starts_at.isoformat())


async def _agreement(uow, agreement_id: int) -> Agreement | None:
    return await (await uow.session()).get(Agreement, agreement_id)


async def _performance_reminder(ctx, uow, case: Case, agreement_id: int, due) -> None:
    a = await _agreement(uow, agreement_id)
    if a is None or a.performance != Performance.PENDING:
        return
    text = f"提醒：调解协议 {a.number}（案件 {case.number}）的履行期限是 {local_time(ctx, a.performance_due)}。"
    await tell_parties(ctx, uow, case, text + "请按协议按时履行。", f"perf_reminder:{a.number}")
    await tell_staff(ctx, uow, case, "【履行即将到期】" + text + f"履行后回复“履行 {case.number}”。",
                     f"perf_reminder:{a.number}", people=await _mediators(ctx, case, a))
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="performance", what="reminder",
                                    agreement=a.number, due=a.performance_due.isoformat())


async def _performance_due(ctx, uow, case: Case, agreement_id: int, due) -> None:
    a = await _agreement(uow, agreement_id)
    if a is None or a.performance != Performance.PENDING:
        return
    a.performance = Performance.OVERDUE
    await (await uow.cases()).event(case, EventKind.PERFORMANCE, "scheduler", agreement=a.number,
                                    before=Performance.PENDING, after=Performance.OVERDUE)
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="performance", what="notice",
                                    agreement=a.number, due=a.performance_due.isoformat())
    await tell_staff(ctx, uow, case, f"【履行已超期】调解协议 {a.number}（案件 {case.number}）应在 "
                     f"{local_time(ctx, a.performance_due)} 前履行，尚未登记履行。请督促履行；已履行请回复“履行 {case.number}”，"
                     f"未履行请回复“履行 {case.number} 未履行 说明”。", f"perf_overdue:{a.number}",
                     kind=PushKind.ALERT, people=await _mediators(ctx, case, a))


async def _confirmation_reminder(ctx, uow, case: Case, agreement_id: int, due) -> None:
    a = await _agreement(uow, agreement_id)
    if a is None or a.confirmation != Confirmation.NONE or a.confirm_window_ends is None:
        return
    await tell_staff(ctx, uow, case, f"【司法确认期限】调解协议 {a.number}（案件 {case.number}）如需司法确认，"
                     f"双方须在 {_day(ctx, a.confirm_window_ends)} 前共同向人民法院申请"
                     f"（回复“申请确认 {case.number} 法院名称”生成申请书）。", f"confirm_reminder:{a.number}",
                     people=await _mediators(ctx, case, a))
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="confirmation", what="reminder",
                                    agreement=a.number, due=a.confirm_window_ends.isoformat())


async def _follow_up(ctx, uow, case: Case, visit_id: int, due) -> None:
    visit = await (await uow.session()).get(FollowUp, visit_id)
    if visit is None or visit.done_at is not None:
        return
    people = grid_workers_of(ctx, case)
    visit.staff_id, visit.tasked_at = (people[0].id if people else ""), uow.now
    reg = ctx.registry
    text = (f"【回访任务】{case.number}（{TYPE_NAMES.get(case.type, case.type)}，{reg.full_name(case.place_code)}）"
            f"调解协议已满{ctx.settings.follow_up_days}个工作日，请上门或电话回访：协议是否履行？当事人是否满意？还有没有风险？\n"
            f"回访后回复：回访 {case.number} 已履行 满意 无风险（有风险写：风险 情况说明）")
    await tell_staff(ctx, uow, case, text, f"follow_up:{case.number}:{visit.id}", kind=PushKind.TASK, people=people)
    await (await uow.cases()).event(case, EventKind.FOLLOW_UP_VISIT, "scheduler", what="task", visit=visit.id,
                                    to=[p.id for p in people])


def grid_workers_of(ctx: "AppContext", case: Case) -> list:
    """Who visits: the case's grid worker, else the place's, else its first assignee."""
    reg = ctx.registry
    mine = [reg.staff[a] for a in case.assignees or [] if a in reg.staff and reg.staff[a].role == "grid_worker"]
    if mine:
        return mine[:1]
    local = [c.staff for c in routing.grid_workers(reg, case.place_code)]
    if local:
        return local[:1]
    return [reg.staff[a] for a in case.assignees or [] if a in reg.staff][:1]


async def _mediators(ctx, case: Case, a: Agreement) -> list:
    people = await staff_of(ctx, case)
    m = ctx.registry.staff.get(a.mediator)
    if m is not None and m not in people:
        people.insert(0, m)
    return people


FIRE = {TimerKind.SESSION_REMINDER: _session_reminder, TimerKind.PERFORMANCE_REMINDER: _performance_reminder,
        TimerKind.PERFORMANCE_DUE: _performance_due, TimerKind.CONFIRMATION_REMINDER: _confirmation_reminder,
        TimerKind.FOLLOW_UP: _follow_up}


# the documents ----------------------------------------------------------------------------

async def case_documents(session, settings, registry, case: Case, *, application: bool = False,
                         pdf: bool = True) -> list:
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
    font = (lambda: documents.find_font(settings.document_font or settings.poster_font))
    if application:
        out = [documents.application_docx(context, settings.template_dir)]
        return out + ([documents.application_pdf(context, font())] if pdf else [])
    out = documents.agreement_docx(context, settings.template_dir)
    return out + ([documents.agreement_pdf(context, font())] if pdf else [])
