"""The parties: entered, invited (a single-use, expiring code; the Official Account where the
number follows it), joining in their own chat, stating their side and consenting; the case's
origin; the record as staff read it.

Privacy between the parties: a party is told what concerns the mediation, never the other side's
contact or words to the mediator; a party's statement goes to the case's staff only.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import notify
from bot.lifecycle import CONFIRMATION_NAMES, OPEN_STATUSES, PERFORMANCE_NAMES, case_status_name
from bot.mediation.common import (
    ROLE_NAMES,
    committee_name,
    ensure_applicant,
    local_time,
    new_token,
    party_line,
    store_of,
    tell_staff,
)
from bot.mediation.text import party_from
from bot.message import Push
from bot.privacy import mask_text, names_of
from bot.scope import sees_contact
from nlp.reading import TYPE_NAMES
from storage.lifecycle import AgreementForm, CaseOrigin, Consent, EventKind, PartyRole, PushKind
from storage.mediation import Redeemed
from storage.models import Case, CaseParty

if TYPE_CHECKING:
    from bot.case_actions import Actor
    from bot.context import AppContext
    from bot.uow import UnitOfWork


# a person's or an organisation's name as printed: Chinese, letters, digits, a middle dot or brackets
PARTY_NAME = re.compile(r"[\w\u4e00-\u9fff·（）()]{1,40}")
ROLE_WORDS = {"申请人": PartyRole.APPLICANT, "被申请人": PartyRole.RESPONDENT, "第三人": PartyRole.OTHER,
              "其他": PartyRole.OTHER, "其他当事人": PartyRole.OTHER}


ORIGIN_WORDS = {"申请": CaseOrigin.APPLIED, "当事人申请": CaseOrigin.APPLIED, "主动": CaseOrigin.OWN_INITIATIVE,
                "主动调解": CaseOrigin.OWN_INITIATIVE, "排查": CaseOrigin.OWN_INITIATIVE,
                "公安": CaseOrigin.POLICE, "派出所": CaseOrigin.POLICE, "公安移送": CaseOrigin.POLICE,
                "法院": CaseOrigin.COURT, "法院委托": CaseOrigin.COURT, "法院移送": CaseOrigin.COURT,
                "政府": CaseOrigin.GOVERNMENT, "政府移送": CaseOrigin.GOVERNMENT, "信访": CaseOrigin.GOVERNMENT,
                "12345": CaseOrigin.GOVERNMENT, "其他移送": CaseOrigin.OTHER_REFERRAL,
                "移送": CaseOrigin.OTHER_REFERRAL}


ORIGIN_NAMES: dict[str, str] = {CaseOrigin.APPLIED: "当事人申请", CaseOrigin.OWN_INITIATIVE: "主动调解",
                                CaseOrigin.POLICE: "公安机关移送",
                CaseOrigin.COURT: "人民法院委托移送", CaseOrigin.GOVERNMENT: "政府及部门移送",
                CaseOrigin.OTHER_REFERRAL: "其他单位移送"}


async def add_party(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """当事人 N 被申请人|第三人 姓名 电话 [地址]"""
    role_word = next((w for w in sorted(ROLE_WORDS, key=len, reverse=True) if note.startswith(w)), None)
    if role_word is None:
        return f"请写：当事人 {case.number} 被申请人/第三人 姓名 电话 地址"
    name, phone, kind, rest = party_from(note[len(role_word):])
    if not name:
        return "请写上当事人的姓名或单位名称。"
    if not PARTY_NAME.fullmatch(name):
        # printed on a legal document and in its file's name: words, not markup or symbols
        return f"当事人的姓名或单位名称只能是文字（收到的是“{name[:20]}”），请重新写：当事人 {case.number} {role_word} 姓名 电话 地址"
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


async def invite(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """邀请 N 姓名 电话 [说明]: the respondent is entered (or found) and gets a single-use,
    expiring invitation to the web chat; the mediator passes the link or the code on."""
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{case_status_name(case)}”，不能再邀请当事人。"
    name, phone, kind, rest = party_from(note)
    if not name:
        return f"请写：邀请 {case.number} 对方姓名 电话（可再写一句给对方的说明）"
    typed = _PHONE_TYPED.match(rest)
    if not phone and typed and sum(c.isdigit() for c in typed.group(0)) >= 6:
        # "王强 1390000abcd": a number typed wrong, not a note for the respondent
        return f"电话“{typed.group(0).strip()}”不是有效的手机号，请核对后重发：邀请 {case.number} {name} 电话"
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
_PHONE_TYPED = re.compile(r"[+＋(（]?[0-9０-９][0-9０-９a-zA-Z\s\-－()（）]{5,}")


async def _invite_on_account(ctx: "AppContext", uow: "UnitOfWork", case: Case, party: CaseParty, token: str, expires: datetime) -> bool:
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
                        f"您好，{committee_name(ctx, case)}邀请您参加一起"
                        f"{kind if kind.endswith('纠纷') else kind + '纠纷'}的调解"
                        f"（案件 {case.number}）。愿意说说您的情况，请在这里回复：邀请码 {token}"
                        f"（{local_time(ctx, expires)}前有效）。", case.number, PushKind.PARTY,
                        key=f"invite:{case.number}:{party.id}:{uow.now.isoformat()}"))
    return True


async def set_origin(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
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


async def show_record(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """卷宗 N: the parties (contacts whole: the reader is the case's staff), sessions, agreement."""
    store = await store_of(uow)
    lines = [f"{case.number} 调解卷宗（来源：{ORIGIN_NAMES.get(case.origin, case.origin)}）"]
    parties = await store.parties(case.id)
    # in full for the case's own staff and the centre; a supervisor reads them masked
    whole = sees_contact(ctx.registry, actor.staff, case)
    lines += [party_line(p, whole=whole) for p in parties] or ["当事人：仅有反映人"]
    for s in await store.sessions(case.id):
        where = s.video_url or s.place
        lines.append(f"第{s.seq}次调解会：{local_time(ctx, s.starts_at)} {where}"
                     + ("（已记录）" if s.recorded_at else ""))
    for a in await store.agreements(case.id):
        lines.append(f"协议 {a.number}（{'口头' if a.form == AgreementForm.ORAL else '书面'}）："
                     f"履行：{PERFORMANCE_NAMES.get(a.performance, a.performance)}，"
                     f"司法确认：{CONFIRMATION_NAMES.get(a.confirmation, a.confirmation)}")
    if parties and whole:
        await (await uow.cases()).event(case, EventKind.VIEWED_CONTACT, actor.key, via="record")
    return "\n".join(lines)


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
    if case is None:                    # cases are never deleted; a row gone is a broken database
        raise LookupError(f"invitation {found.invitation.id} names no case")
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
