"""Shared by the mediation record's parts: the store, local times, the committee's name, the
applicant, and telling the staff and the parties.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import routing
from bot.lifecycle import PARTY_ROLE_NAMES
from bot.message import Push
from bot.privacy import mask_party, mask_phone, mask_text, names_of
from nlp.reading import TYPE_NAMES
from storage.lifecycle import Consent, EventKind, PartyKind, PartyRole, PushKind
from storage.mediation import MediationStore
from storage.models import Agreement, Case, CaseParty
from storage.registry import StaffInfo

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork


ROLE_NAMES = PARTY_ROLE_NAMES


TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I: read aloud and typed from paper


TOKEN_LENGTH = 10                                       # 50 bits


def new_token(length: int = TOKEN_LENGTH) -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


async def store_of(uow: "UnitOfWork") -> MediationStore:
    return MediationStore(await uow.session(), now=uow.now)


def local_time(ctx: "AppContext", when: datetime | None) -> str:
    return when.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y年%m月%d日 %H:%M") if when else ""


def day_text(ctx: "AppContext", when: datetime | None) -> str:
    return when.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y年%m月%d日") if when else ""


def committee_name(ctx: "AppContext", case: Case, staff: StaffInfo | None = None) -> str:
    """The committee that mediates: a setting; a professional committee when one of its
    mediators does (a labour case settled by the county's labour committee was issued as the
    village's); else the people's mediation committee of the case's village (community) or,
    for a case at the town or county, of that level."""
    if ctx.settings.mediation_committee:
        return ctx.settings.mediation_committee
    reg = ctx.registry
    chain = {p.level: p for p in reg.ancestors(case.place_code)}
    if staff is not None and staff.role == "committee" and staff.types:
        area = next((reg.places[c].name for c in staff.places if c in reg.places), "")
        kind = case.type if case.type in staff.types else staff.types[0]
        return f"{area}{TYPE_NAMES.get(kind, kind)}人民调解委员会"
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


CONSENT_NAMES: dict[str, str] = {Consent.AGREED: "同意调解", Consent.REFUSED: "不同意调解"}


async def refused_by(uow: "UnitOfWork", case: Case) -> str:
    """Why no meeting nor agreement may be made: a party said 不同意调解 (《人民调解法》第十七条:
    one side's clear refusal ends the mediation), or "" when none did."""
    refused = [p for p in await (await store_of(uow)).parties(case.id) if p.consent == Consent.REFUSED]
    if not refused:
        return ""
    who = "、".join(ROLE_NAMES.get(p.role, p.role) for p in refused)
    return (f"{who}已表示不同意调解，依《人民调解法》第十七条不能继续调解（不能安排调解会或登记协议）。"
            f"如其改变主意，请其在邀请的对话里回复“同意调解”；否则请发“终止 {case.number} 对方不同意调解”"
            "终止调解，系统会告知申请人可以通过诉讼、仲裁等途径解决。")


def party_line(p: CaseParty, *, whole: bool) -> str:
    """A party as staff read it; `whole`: the case's own staff see the contact unmasked."""
    contact = (p.contact if whole else mask_phone(p.contact)) if p.contact else "未留电话"
    kind = "（单位）" if p.kind == PartyKind.ORGANISATION else ""
    consent = CONSENT_NAMES.get(p.consent, "尚未表态")
    name = (p.name if whole or p.kind == PartyKind.ORGANISATION else mask_party(p.name)) if p.name else "未留姓名"
    return f"{ROLE_NAMES.get(p.role, p.role)}：{name}{kind}｜{contact}｜{consent}"


async def staff_of(ctx: "AppContext", case: Case) -> list[StaffInfo]:
    reg = ctx.registry
    return [reg.staff[a] for a in case.assignees or [] if a in reg.staff]


async def tell_staff(ctx: "AppContext", uow: "UnitOfWork", case: Case, text: str, key: str,
                     kind: PushKind = PushKind.REMINDER, people: Iterable[StaffInfo] | None = None) -> None:
    for s in people if people is not None else await staff_of(ctx, case):
        push = routing.staff_push(ctx, s, text, case, kind, key)
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


async def mediators(ctx: "AppContext", case: Case, a: Agreement) -> list[StaffInfo]:
    people = await staff_of(ctx, case)
    m = ctx.registry.staff.get(a.mediator)
    if m is not None and m not in people:
        people.insert(0, m)
    return people
