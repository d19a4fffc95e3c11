"""The intake conversation: from a resident's words to a case number.

Reads the whole description each time, asks only for what is missing (place, other party,
contact), takes corrections at any step, and opens the case on confirmation. A red-risk
report is opened at once and the questions become additions to the open case.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Sequence

from bot.context import AppContext
from bot.duplicates import link_duplicate
from bot.lifecycle import STATUS_NAMES
from bot.conversation import CONFIRM, CONTACT, DESCRIBE, PARTY, PLACE, Conversation, Draft
from bot.message import Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers import texts
from nlp import Reading, find_phones
from nlp.intents import (is_confirm, is_deny, is_skip, strip_correction, wants_this_account)
from nlp.parties import find_party
from nlp.reading import PlaceMatch, TYPE_NAMES
from storage.cases import NewCase
from storage.registry import LEVEL_RANK

RISK_ORDER = {"green": 0, "yellow": 1, "red": 2}
_DIGITS_RUN = re.compile(r"\d[\d\s-]{5,}\d")
# an answer that names a place we do not know, rather than more of the story
_PLACE_LIKE = re.compile(r"^.{1,5}$|(?:村|社区|镇|乡|组|栋|小区|街道|屯|庄|号楼|单元|路|街)[。.!！]?$")


class Intake:
    """One message's worth of intake work on one conversation."""

    def __init__(self, ctx: AppContext, uow: UnitOfWork, conv: Conversation, message: Message, turn: Turn):
        self.ctx, self.uow, self.conv, self.message, self.turn = ctx, uow, conv, message, turn
        self.registry = ctx.registry

    # ---- entry points -------------------------------------------------------------
    async def begin(self, text: str, reading: Reading, source: str = "") -> list[str]:
        draft = self.conv.start(self.uow.now, source=source)
        if source and source in self.registry.places:
            draft.place_code = source
        await self.absorb(draft, self.message.text.strip() or text, reading)
        return await self.next_step()

    async def begin_from_code(self, place_code: str) -> list[str]:
        """A dispute code was scanned: the place is known before a word is said."""
        draft = self.conv.start(self.uow.now, source=place_code)
        draft.place_code = place_code if place_code in self.registry.places else None
        self.conv.step = DESCRIBE
        name = self.registry.full_name(draft.place_code)
        where = f"{name}的" if name else ""
        return [f"欢迎使用{where}解纷码。请直接说说遇到了什么纠纷，我们会转给{where or '当地'}网格员处理。"]

    async def answer(self, text: str) -> list[str]:
        """The resident answers while a draft is open."""
        draft = self.conv.draft
        step = self.conv.step
        corrected, rest = strip_correction(text)
        if step == CONFIRM and not corrected:
            if is_confirm(text):
                return await self.open_case()
            if is_deny(text):
                return [texts.ASK_WHAT_TO_CHANGE]
        if corrected and not rest:
            return [texts.ASK_WHAT_TO_CHANGE]
        body = rest if corrected else text
        raw = self.message.text.strip() if not corrected else body
        if draft.case_number and is_skip(body):        # additions to an open case are optional
            number = draft.case_number
            self.conv.finish()
            return [f"好的，案件 {number} 照常办理。"]
        if step == PLACE and draft.place_options:
            chosen = self._pick_option(body, draft.place_options)
            if chosen:
                draft.place_code, draft.place_options = chosen, []
                return await self.next_step()
        if step == CONTACT and not corrected:
            if wants_this_account(body):
                draft.contact, draft.contact_by_account = "", True
                return await self.next_step()
        if step == PARTY and not corrected and is_skip(body):
            draft.party, draft.party_asked = None, True
            return await self.next_step()
        reading = await self.ctx.reader.read(body)
        if step == DESCRIBE:
            await self.absorb(draft, raw, reading, describe=True)
            return await self.next_step()
        filled = await self.absorb(draft, raw, reading, describe=False, step=step)
        if filled:
            return await self.next_step()
        # nothing the step wanted: more description, or a wrong answer
        if step == CONTACT:
            bad = _DIGITS_RUN.search(body)
            if bad:
                return [texts.BAD_PHONE.format(digits=bad.group(0))]
            if is_skip(body):
                return [texts.ASK_CONTACT]
        if step == PARTY and len(body) <= 20 and not reading.is_dispute:
            draft.party, draft.party_asked = body, True
            return await self.next_step()
        if step == PLACE and (is_skip(body) or (not reading.is_dispute and _PLACE_LIKE.search(body))):
            example = texts.place_example(self.registry)
            if is_skip(body):
                return [texts.PLACE_REQUIRED.format(example=example)]
            return [texts.ASK_PLACE_AGAIN.format(text=body, example=example)]
        if step == CONFIRM and corrected:
            return [texts.ASK_WHAT_TO_CHANGE]
        await self.absorb(draft, raw, reading, describe=True)
        return await self.next_step()

    # ---- reading the words into the draft ---------------------------------------------
    async def absorb(self, draft: Draft, raw: str, reading: Reading, describe: bool = True, step: str | None = None) -> bool:
        """Take what the text says into the draft; True when it filled or changed a slot."""
        changed = False
        if describe and raw:
            draft.texts.append(raw)
            whole = await self.ctx.reader.read(draft.description) if len(draft.texts) > 1 else reading
            if whole.is_dispute:
                draft.type, draft.confidence, draft.evidence = whole.type, whole.confidence, list(whole.evidence)
            elif draft.type is None and len(draft.texts) >= 2:
                draft.type = "other"       # described twice and still no known type: a person will sort it
            self._raise_risk(draft, reading)
            if whole is not reading:
                self._raise_risk(draft, whole)
        else:
            self._raise_risk(draft, reading)
        place = self._place_from(reading, step == PLACE)
        if place is not None:
            if isinstance(place, list):
                draft.place_options = place
                changed = True
            elif place != draft.place_code:
                draft.place_code, draft.place_options = place, []
                changed = True
            elif step == PLACE:
                changed = True
        phones = reading.phones or tuple(find_phones(raw))
        if phones and phones[0] != draft.contact:
            draft.contact, draft.contact_by_account = phones[0], False
            changed = True
        party = find_party(reading.text or raw)
        if party and party != draft.party and (step in (PARTY, CONFIRM) or not draft.party):
            draft.party, draft.party_asked = party, True
            changed = changed or step in (PARTY, CONFIRM)
        return changed

    def _raise_risk(self, draft: Draft, reading: Reading) -> None:
        if RISK_ORDER.get(reading.risk, 0) > RISK_ORDER.get(draft.risk, 0):
            draft.risk = reading.risk
        draft.risk_reasons = sorted(set(draft.risk_reasons) | set(reading.risk_reasons))

    def _place_from(self, reading: Reading, asked: bool) -> str | list[str] | None:
        """A place code, a list of codes to choose from, or None."""
        matches: Sequence[PlaceMatch] = reading.places
        if not matches and asked:
            matches = self.ctx.nlp.match_places(reading.text)
        threshold = self.ctx.settings.place_match_threshold
        good = [m for m in matches if m.score >= threshold] or ([m for m in matches if m.score >= 60] if asked else [])
        if not good:
            return None
        best = good[0]
        rivals = [m for m in good[1:] if best.score - m.score < 3 and m.code != best.code
                  and not self._related(m.code, best.code)]
        if rivals:
            return [best.code] + [m.code for m in rivals][:4]
        place = self.registry.place(best.code)
        if place and LEVEL_RANK[place.level] < LEVEL_RANK["village"]:
            children = [p.code for p in self.registry.places.values()
                        if p.parent == place.code and p.level in ("village", "community", "town")]
            return children[:9] or best.code
        return best.code

    def _related(self, a: str, b: str) -> bool:
        return a in {p.code for p in self.registry.ancestors(b)} or b in {p.code for p in self.registry.ancestors(a)}

    def _pick_option(self, text: str, options: list[str]) -> str | None:
        t = text.strip()
        if t.isdigit() and 1 <= int(t) <= len(options):
            return options[int(t) - 1]
        for code in options:
            place = self.registry.place(code)
            if place and (place.name in t or any(a in t for a in place.aliases)):
                return code
        return None

    # ---- what to say next ---------------------------------------------------------------
    async def next_step(self) -> list[str]:
        draft = self.conv.draft
        if draft.risk == "red" and not draft.case_number and draft.type:
            return await self.open_case(urgent=True)
        if draft.case_number:                  # an urgent case is open: answers are additions to it
            return await self.update_open_case()
        if not draft.type:
            self.conv.step = DESCRIBE
            return [texts.ASK_DESCRIBE]
        if not draft.place_code:
            self.conv.step = PLACE
            if draft.place_options:
                options = "\n".join(f"{i}. {self.registry.full_name(c)}" for i, c in enumerate(draft.place_options, 1))
                return [texts.ASK_PLACE_OPTIONS.format(options=options)]
            return [texts.ASK_PLACE]
        if draft.party is None and not draft.party_asked:
            self.conv.step = PARTY
            draft.party_asked = True
            return [texts.ASK_PARTY]
        if draft.contact is None:
            self.conv.step = CONTACT
            return [texts.ASK_CONTACT]
        self.conv.step = CONFIRM
        return [texts.summary(draft, self.registry)]

    async def open_case(self, urgent: bool = False) -> list[str]:
        draft = self.conv.draft
        store = await self.uow.cases()
        place = self.registry.place(draft.place_code)
        level = "town" if place and place.level == "town" else "village"
        new = NewCase(intake_key=draft.id, type=draft.type or "other", risk=draft.risk,
                      place_code=draft.place_code, channel=self.message.channel, reporter=self.message.user,
                      description=draft.description, contact=draft.contact or "", reporter_name=draft.reporter_name,
                      parties=({"role": "other", "name": draft.party},) if draft.party else (),
                      risk_reasons=tuple(draft.risk_reasons), source=draft.source, media=tuple(draft.media),
                      level=level)
        actor = self.message.conversation_key
        history = [(datetime.fromisoformat(at), kind, actor if kind == "message_in" else "bot", data)
                   for at, kind, data in draft.history]
        if not await store.by_intake_key(draft.id):         # a retried confirmation is not a repeat report
            linked = await link_duplicate(self.ctx, self.uow, await self.ctx.reader.read(draft.description),
                                          draft.place_code, self.message, draft.description)
            if linked is not None:
                return await self._joined(linked, history)
        case, created = await store.open(new, history)
        if created:
            for hook in self.ctx.on_case_opened:
                await hook(self.ctx, self.uow, case)
        self.turn.case_numbers.add(case.number)
        self.conv.last_case = case.number
        where = self.registry.full_name(case.place_code)
        lines = [f"已受理！案件编号：{case.number}",
                 f"类型：{TYPE_NAMES.get(case.type, case.type)}；地点：{where or '待补充'}"]
        if urgent:
            draft.case_number = case.number
            # say who was alerted only when an alert to them was queued in this very transaction
            lines.insert(0, texts.URGENT if self.uow.queued["alert"] else texts.URGENT_UNSENT)
            more = await self._urgent_followup()
            return ["\n".join(lines)] + more
        lines.append(f"接下来：{self.ctx.settings.dispatch_days}个工作日内分派给{where or '当地'}的网格员或调解员，"
                     "办理的每一步都会主动告诉您。")
        lines.append(f"查询进度请发“查询 {case.number}”。")
        self.conv.finish()
        return ["\n".join(lines)]

    async def _joined(self, case, history) -> list[str]:
        """The report repeats an open case: its words join that case's ledger."""
        await (await self.uow.cases()).record(case, history)
        self.turn.case_numbers.add(case.number)
        self.conv.last_case = case.number
        self.conv.finish()
        return [f"您反映的情况已有案件 {case.number} 在办理（{STATUS_NAMES.get(case.status, case.status)}），"
                f"这次的内容已合并到该案件。办理进展可发“查询 {case.number}”了解。"]

    async def _urgent_followup(self) -> list[str]:
        """After an urgent case is open, ask for what is still missing, as additions."""
        draft = self.conv.draft
        if not draft.place_code:
            self.conv.step = PLACE
            return ["为了尽快找到您，请说一下现在在哪个村（社区）、具体位置。"]
        if draft.contact is None:
            self.conv.step = CONTACT
            return ["请留一个能马上打通的电话。"]
        self.conv.finish()
        return []

    async def update_open_case(self) -> list[str]:
        draft = self.conv.draft
        store = await self.uow.cases()
        case = await store.get(draft.case_number)
        self.turn.case_numbers.add(draft.case_number)
        changes = {k: v for k, v in {"place_code": draft.place_code, "contact": draft.contact or "",
                                     "description": draft.description}.items() if getattr(case, k) != v}
        if changes:
            await store.update(case, self.message.conversation_key, **changes)
            for hook in self.ctx.on_case_updated:
                await hook(self.ctx, self.uow, case)
        more = await self._urgent_followup()
        return more or [f"已补充到案件 {case.number}，工作人员正在处理。"]
