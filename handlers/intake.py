"""The intake's work: from a resident's words to a case number.

`Intake` is what the step handlers (handlers/drafting.py) call: put the words into the
draft (Draft.apply), ask for what is still missing (place, other party, contact), open the
case on confirmation. A red-risk report is opened at once and the questions become
additions to the open case.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from bot.context import AppContext
from bot.conversation import CONFIRM, CONTACT, DESCRIBE, PARTY, PLACE, SAFETY, Conversation, Draft, Safety, Step, Told
from bot.duplicates import link_duplicate
from bot.message import Message
from bot.middlewares import Turn
from bot.privacy import mask_phone
from bot.routing import LEADER_ALERTED
from bot.uow import UnitOfWork
from bot.words import Words, han_count, words_of
from handlers import texts
from handlers.case_from_draft import draft_history, new_case
from handlers.joining import join_case
from handlers.open_cases import OpenCases
from handlers.place_answers import PlaceAnswers
from handlers.safety import IN_DANGER
from nlp import Reading
from nlp.intents import contact_caution, is_filler, strip_correction
from nlp.matters import matters_listed
from nlp.reading import TYPE_NAMES
from nlp.slots import own_phones, spoken_digits
from storage.lifecycle import Risk, Status
from storage.models import Case

_NUMBERS = re.compile(r"[\d\s\-+－—]+")
_FILLER = re.compile(r"电话|手机|号码|我是|我在|的|了|嗯|是|这里|在|村|社区")
DIGITS_RUN = re.compile(r"\d[\d\s-]{5,}\d")
OUR_PLACE = re.compile(r"(?:我们|咱们|俺们|咱|俺|我)(?:村|社区|小区|组|屯|庄)")
# below this the reading only guessed the type of an urgent self-harm report, which is then
# typed 其他. Session 47, the model trained on 175 voices: of the 1,058 labelled chat reds read
# as self-harm, the type read is right for 1,019 of the 1,021 read at 0.8 or more and for none
# of the 9 read between 0.5 and 0.8 (0.927 from 0.5 up with session 45's model, 535 reds);
# writers give these lines the dispute they are about, so 其他 for all would be wrong
SURE_OF_TYPE = 0.8
DONT_KNOW = re.compile(r"不知道|不清楚|说不清|不晓得|不确定")
# an answer that names a place we do not know, rather than more of the story
PLACE_LIKE = re.compile(r"^.{1,5}$|(?:村|社区|镇|乡|组|栋|小区|街道|屯|庄|号楼|单元|路|街|厂|店|公司|工地|学校|医院|"
                         r"市场|广场|车站|宾馆|酒店|超市|园|场|站|馆|楼|院|中心|大厦)[。.!！]?$")



class Intake:
    """One message's worth of intake work on one conversation."""

    def __init__(self, ctx: AppContext, uow: UnitOfWork, conv: Conversation, message: Message, turn: Turn):
        self.ctx, self.uow, self.conv, self.message, self.turn = ctx, uow, conv, message, turn
        self.registry = ctx.registry
        self.places = PlaceAnswers(ctx)

    @property
    def open_cases(self) -> OpenCases:
        """The writer's open cases (a chase or a report joining one, mid-intake)."""
        return OpenCases(self.ctx, self.uow, self.conv, self.message, self.turn, places=self.places)

    @property
    def draft(self) -> Draft:
        assert self.conv.draft is not None, "the intake works on an open draft"
        return self.conv.draft

    # ---- entry points -------------------------------------------------------------
    async def hear(self, raw: str) -> Words:
        """Words read as the resident middleware reads a message (for one kept to say later)."""
        text = self.ctx.nlp.normalize(raw)
        _, body = strip_correction(text)
        return words_of(raw, text, await self.ctx.reader.read(body), False)

    async def absorb_said(self, raw: str) -> bool:
        """More of the story said with something else (after a type correction, after "没有")."""
        return await self.absorb(raw, (await self.hear(raw)).reading)

    async def begin(self, words: Words) -> list[str]:
        self.conv.start(self.uow.now)
        last = await self._last_cases()
        await self.known_contact(last)
        raw, reading = words.raw or words.text, words.reading
        items = matters_listed(raw)
        if len(items) >= 2:
            # "一是…鸡… 二是…米生虫了…": one report now, the others after it (one case held
            # both, with one matter's type and the other's party); the place and phone said
            # once are each one's
            shared = " ".join([*(p.matched for p in reading.places), *reading.phones])
            raw, *rest = [f"{item} {' '.join(w for w in shared.split() if w not in item)}".strip() for item in items]
            self.conv.held = "；".join(rest)
            reading = await self.ctx.reader.read(raw)
        await self.absorb(raw, reading)
        await self.our_place(words.text, last)
        following = await self.next_step()
        return [texts.MATTERS_APART.format(n="两" if len(items) == 2 else len(items)), *following] if len(items) >= 2 \
            else following

    async def _last_cases(self) -> Sequence[Case]:
        """This account's latest cases: on a web page none (a browser may be a village office's
        shared computer, a cookie is not one person)."""
        if not self.account_reaches:
            return ()
        return await (await self.uow.cases()).by_reporter(self.message.channel, self.message.user, limit=5)

    async def known_contact(self, last: Sequence[Case] | None = None) -> None:
        """The phone this account gave for its last case, for the summary to confirm (a
        number said now replaces it): the same resident is not asked twice."""
        for case in last if last is not None else await self._last_cases():
            if case.contact:
                self.draft.contact = case.contact
                return

    async def our_place(self, text: str, last: Sequence[Case]) -> None:
        """"我们村有个人拿着刀…" with no village named: the village of this account's last case."""
        draft = self.draft
        if draft.place_code or draft.place_options or not OUR_PLACE.search(text):
            return
        for case in last:
            place = self.registry.place(case.place_code)
            if place and place.level not in ("town", "county"):
                draft.place_code = place.code
                return

    async def begin_from_code(self, place_code: str) -> list[str]:
        """A dispute code was scanned: the place is known before a word is said."""
        draft = self.conv.start(self.uow.now, source=place_code)
        await self.known_contact()
        draft.place_code = place_code if place_code in self.registry.places else None
        self.conv.step = DESCRIBE
        name = self.registry.full_name(draft.place_code)
        where = f"{name}的" if name else ""
        return [f"欢迎使用{where}解纷码。请直接说说遇到了什么纠纷，我们会转给{where or '当地'}网格员处理。"]

    # ---- reading the words into the draft ---------------------------------------------
    async def absorb(self, raw: str, reading: Reading, describe: bool = True, step: Step | None = None) -> bool:
        """Take what the words say into the draft (Draft.apply); True when it filled or
        changed a slot. The whole description is read again only when it grew."""
        draft = self.draft
        whole = None
        describe = describe and not is_filler(raw)          # "那个", "嗯……": said while thinking
        if describe and raw and draft.texts:
            whole = await self.ctx.reader.read(draft.description_with(raw))
        place = self.places.read(reading, step == PLACE)
        area = self.places.area_of(place) if isinstance(place, list) else None
        caution = contact_caution(raw)
        if not caution and len(own_phones(raw)) > 1:
            # "手机138…，座机0731-…，白天打座机": the first number is the contact, the others and
            # when to use them go with it (the landline was dropped)
            caution = " ".join(raw.split())[:200]
        if caution:
            draft.contact_note = caution
        return draft.apply(Told(raw=raw, reading=reading, whole=whole, place=place, area=area), describe, step) \
            or bool(caution)

    async def take_description(self, words: Words) -> list[str]:
        """The words add to the story; asked the same question again, the person hears that what
        they said was kept (the phone question came back word for word, as if unheard)."""
        step, told = self.conv.step, len(self.draft.texts)
        await self.absorb(self.raw(words), words.reading, describe=True)
        following = await self.next_step()
        if step == PLACE and self.conv.step == PLACE and not self.draft.place_options:
            # more of the story, sent a fragment at a time, instead of where: the question was
            # asked again after each (five times); twice is enough, the centre checks the place
            self.draft.place_tries += 1
            if self.draft.place_tries >= 2:
                self.draft.place_unknown = True
                following = await self.next_step()
        if step not in (None, CONFIRM) and self.conv.step == step and len(self.draft.texts) > told and following \
                and not self.draft.case_number:
            following = [f"好的，记下了。{following[0]}", *following[1:]]
        return following

    async def take_answer(self, words: Words, step: Step) -> list[str] | None:
        """The words answer the question at `step`: the next question, or None when they
        filled nothing the step asked for."""
        draft = self.draft
        before = (draft.place_code, draft.party, len(draft.texts))
        # "我是石桥村的，承包地被村里收回去了" to "where?": the village, and the story is kept
        # too (it was dropped, and the case opened with whatever was said before)
        told = words.reading.is_dispute and not words.corrected
        if told and han_count(DIGITS_RUN.sub("", spoken_digits(words.body))) < 2:
            told = False        # "幺三八 一二三四 五六七八": a number said aloud, no part of the story
        caution = contact_caution(words.raw) if told else ""
        if caution:
            # "131… 不要在我老公在家的时候打": how to call, kept with the number, no part of the story
            rest = DIGITS_RUN.sub("", words.raw)
            for clause in caution.split("，"):
                rest = rest.replace(clause, "")
            told = han_count(rest) >= 4
        if not await self.absorb(self.raw(words), words.reading, describe=told, step=step):
            if told:
                draft.texts[before[2]:] = []        # nothing the step asked for: the caller decides
            return None
        if words.corrected and draft.texts and (draft.place_code, draft.party) != before[:2]:
            # "我说错了，是石桥村不是桃源村": the story still says 桃源村; the correction goes with it
            draft.texts.append(f"（更正：{words.raw.strip()}）")
        following = await self.next_step()
        if self.conv.step == step and following:
            # the same question again after "不对 是桃源村" / "对方叫张福贵": say what was taken first
            said = []
            if draft.place_code != before[0] and draft.place_code:
                said.append(f"地点改为{self.registry.residents_name(draft.place_code)}")
            if draft.party != before[1] and draft.party:
                said.append(f"对方记为{draft.party}")
            if said:
                following = [f"好的，{'，'.join(said)}。{following[0]}", *following[1:]]
        return following

    @staticmethod
    def raw(words: Words) -> str:
        """What the description keeps: the words as said, or after a correction word the rest."""
        return words.body if words.corrected else words.raw

    # ---- what to say next ---------------------------------------------------------------
    async def next_step(self) -> list[str]:
        draft = self.draft
        if draft.risk == Risk.RED and not draft.case_number and draft.type:
            return await self.open_case(urgent=True)
        if draft.case_number:                  # an urgent case is open: answers are additions to it
            return await self.update_open_case()
        if draft.safety == Safety.ASKED and self.conv.step != SAFETY:
            self.conv.step = SAFETY
            return [texts.safety_question(draft.risk_reasons)]
        if not draft.type:
            self.conv.step = DESCRIBE
            return [texts.ASK_DESCRIBE]
        if not draft.place_code and not draft.place_unknown:
            self.conv.step = PLACE
            if draft.place_options:
                options = "\n".join(f"{i}. {self.registry.full_name(c)}" for i, c in enumerate(draft.place_options, 1))
                return [texts.ASK_PLACE_OPTIONS.format(options=options)]
            return [texts.ASK_PLACE]
        if not draft.story_asked and not self.told_what_happened():
            # a phone and a place are no story (a report went in as "138****5678；柳林村"): asked once
            draft.story_asked = True
            self.conv.step = DESCRIBE
            return [texts.ASK_WHAT_HAPPENED]
        if draft.party is None and not draft.party_asked:
            self.conv.step = PARTY
            draft.party_asked = True
            return [texts.ASK_PARTY]
        if draft.contact is None:
            self.conv.step = CONTACT
            return [self.ask_contact]
        self.conv.step = CONFIRM
        return [texts.summary(draft, self.registry)]

    def told_what_happened(self) -> bool:
        """Whether the report holds more than a phone, a place and a yes."""
        draft = self.draft
        rest = _NUMBERS.sub("", draft.description)
        for p in self.registry.ancestors(draft.place_code):
            for name in (p.name, *p.aliases):
                if name:
                    rest = rest.replace(name, "")
        return han_count(_FILLER.sub("", rest)) >= 3

    @property
    def account_reaches(self) -> bool:
        """Whether staff can reach the person through the account they write from (a WeChat
        follower can be written to; a web page's cookie cannot be called)."""
        return getattr(self.ctx.channels.get(self.message.channel), "lasting_account", True)

    @property
    def ask_contact(self) -> str:
        return texts.ASK_CONTACT if self.account_reaches else texts.ASK_CONTACT_WEB

    async def open_case(self, urgent: bool = False) -> list[str]:
        draft = self.draft
        if urgent and texts.has_reason(draft.risk_reasons, "self_harm") and not draft.type_told \
                and draft.confidence < SURE_OF_TYPE:
            # a person in danger, not a medical or family dispute to route by a type the reading
            # only guessed; a type the dispute is plainly about (wages, a parking space) is kept,
            # and one the resident confirmed in the summary is never changed
            draft.type = "other"
        store = await self.uow.cases()
        new = new_case(draft, self.message.channel, self.message.user, self.registry)
        history = draft_history(draft, self.message.conversation_key)
        if not await store.by_intake_key(draft.id):         # a retried confirmation is not a repeat report
            linked = await link_duplicate(self.ctx, self.uow, await self.ctx.reader.read(draft.description),
                                          draft.place_code, self.message, draft.description,
                                          contact=draft.contact or "", reporter_name=draft.reporter_name)
            if linked is not None:
                return await join_case(self, linked, history)
        case, created = await store.open(new, history)
        if created:
            for hook in self.ctx.on_case_opened:
                await hook(self.ctx, self.uow, case)
        self.turn.case_numbers.add(case.number)
        self.conv.last_case = case.number
        where = self.registry.residents_name(case.place_code)
        lines = [f"已受理！案件编号：{case.number}",
                 f"类型：{TYPE_NAMES.get(case.type, case.type)}；地点：{where or '待补充'}"]
        if urgent:
            draft.case_number = case.number
            if texts.hiding(draft.description):
                # "我躲在厕所里": how to call for help without a voice, at once
                draft.urgent_asks["contact"] = 2          # asked in that text, for one that takes messages
                return [texts.urgent_text(draft.risk_reasons, bool(self.uow.queued["alert"]), draft.description,
                                   leader=bool(self.uow.queued[LEADER_ALERTED])),
                        texts.HIDING.format(number=case.number), *await self._urgent_followup()]
            if texts.has_reason(draft.risk_reasons, "self_harm"):
                lines = [f"编号：{case.number}"]           # a person in distress, not a type of dispute
            # say who was alerted only when an alert to them was queued in this very transaction
            lines.insert(0, texts.urgent_text(draft.risk_reasons, bool(self.uow.queued["alert"]), draft.description,
                                   leader=bool(self.uow.queued[LEADER_ALERTED])))
            more = await self._urgent_followup()
            return ["\n".join(lines)] + more
        # whose people: the village or community ("南湖社区第一网格3栋的网格员" named a building as if it had one)
        unit = self.registry.at_level(case.place_code, "village", "community")
        whose = self.registry.full_name(unit.code) if unit is not None else where
        if case.status == Status.DISPATCHED:     # routed in this very transaction: say so, not "within a day"
            lines.append(f"接下来：已转给{whose or '当地'}的网格员或调解员，他们会尽快联系您；办理的每一步都会主动告诉您。")
        else:
            lines.append(f"接下来：{self.ctx.settings.dispatch_days}个工作日内分派给{whose or '当地'}的网格员或调解员，"
                         "办理的每一步都会主动告诉您。")
        lines.append(f"查询进度请发“查询 {case.number}”。")
        self.conv.finish()
        return ["\n".join(lines)]

    async def safety_answered(self, in_danger: bool) -> list[str]:
        """Yes: red at once, with the resident's own words as the reason. No: on with the intake."""
        draft = self.draft
        if in_danger:
            draft.safety, draft.risk = Safety.YES, Risk.RED
            draft.risk_reasons = sorted({*draft.risk_reasons, IN_DANGER})
            draft.type = draft.type or "other"
            return await self.next_step()
        draft.safety = Safety.NO
        self.conv.step = None
        following = await self.next_step()
        # a gas leak is dangerous before anyone is hurt: what to do first, whatever the answer
        noted = texts.SAFETY_NOTED + (texts.GAS_FIRST if texts.gas_told(draft.description) else "")
        return [noted + following[0], *following[1:]] if following else [noted]

    async def _urgent_followup(self) -> list[str]:
        """After an urgent case is open, ask for what is still missing, as additions: the
        place at most twice, the phone once; someone in distress is asked each once, and
        gently (nobody is pressed for where they are)."""
        draft = self.draft
        asked = draft.urgent_asks
        distress = texts.writer_in_distress(draft.risk_reasons, draft.description)
        if not draft.place_code and not draft.place_unknown and asked.get("place", 0) < (1 if distress else 2):
            asked["place"] = asked.get("place", 0) + 1
            self.conv.step = PLACE
            return [texts.ASK_WHERE_SELF_HARM if distress else texts.ASK_WHERE_URGENT]
        if draft.contact is None and draft.contact_note:
            # "别打电话 他会听到 只能发消息": no callable number is asked for after that (she was
            # asked twice more); the staff write here
            draft.contact, draft.contact_by_account = "", True
        if draft.contact is None and asked.get("contact", 0) < (1 if distress else 2):
            again = asked.get("contact", 0) > 0
            asked["contact"] = asked.get("contact", 0) + 1
            self.conv.step = CONTACT
            ask = texts.ASK_PHONE_SELF_HARM if distress else texts.ASK_PHONE_URGENT
            return [f"已补充到案件 {draft.case_number}。{ask}" if again else ask]
        self.conv.finish()
        return []

    async def update_open_case(self) -> list[str]:
        draft = self.draft
        store = await self.uow.cases()
        number = draft.case_number
        case = await store.get(number) if number else None
        if case is None:                       # only reached with the urgent case open
            self.conv.finish()
            return []
        self.turn.case_numbers.add(case.number)
        changes = {k: v for k, v in {"place_code": draft.place_code, "contact": draft.contact or "",
                                     "contact_note": draft.contact_note,
                                     "description": draft.description}.items() if getattr(case, k) != v}
        if changes:
            await store.update(case, self.message.conversation_key, **changes)
            for hook in self.ctx.on_case_updated:
                await hook(self.ctx, self.uow, case)
        latest = draft.texts[-1] if draft.texts else ""
        if texts.hiding(latest):
            # "我躲在厕所里 不敢出声": how to call for help without a voice, not "已补充到案件"
            if draft.contact is None:
                self.conv.step = CONTACT
            else:
                self.conv.finish()
            return [texts.HIDING.format(number=case.number)]
        more = await self._urgent_followup()
        if texts.has_reason(draft.risk_reasons, "self_harm") and texts.says_it_is_themselves(latest):
            # asked "for someone" and now told it is themselves: care first, nobody pressed
            return [texts.ITS_ME_THANKS, *more]
        if more:
            return more
        if "contact_note" in changes:
            kept = f"号码 {mask_phone(str(changes['contact']))} 收到。" if changes.get("contact") else ""
            return [kept + texts.caution_noted(case.number, draft.contact_note)]
        if changes.get("contact"):
            return [f"好的，案件 {case.number} 的联系电话记为 {mask_phone(str(changes['contact']))}，工作人员会尽快联系您。"]
        if texts.writer_in_distress(draft.risk_reasons, draft.description):
            return [texts.DISTRESS_NOTED.format(number=case.number)]
        return [f"已补充到案件 {case.number}，工作人员正在处理。"]


