"""What a resident says about the cases they already have open: a correction or an addition
("不对，是石桥村", "补充：…"), a chase, a wish to withdraw, danger told later; which of their
open cases the words are about, and whether a new dispute is more of one of them."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.context import AppContext
from bot.conversation import Conversation
from bot.lifecycle import OPEN_STATUSES
from bot.message import Message
from bot.middlewares import Turn
from bot.privacy import mask_phone
from bot.routing import LEADER_ALERTED, WITHDRAW_LABEL, WITHDRAW_TITLE
from bot.uow import UnitOfWork
from bot.words import han_count
from handlers import texts
from handlers.place_answers import PlaceAnswers
from nlp import Reading
from nlp.duplicates import aboutness, names_something, other_matter, similarity, subject_overlap
from nlp.field_edits import field_edit
from nlp.intents import (
    ADDING,
    FIELD_CHANGE,
    another_matter,
    asks_call_back,
    asks_to_reschedule,
    contact_caution,
    points_back,
    says_settled,
    strip_correction,
    takes_back,
    tells_how_it_stands,
    told_again,
    wants_a_person,
)
from nlp.slots import own_phones
from storage.lifecycle import EventKind, Risk
from storage.models import Case

# a number given as the new one to call ("换成139…", "打这个", "新号码")
NEW_NUMBER = re.compile(r"改|换|新|打这个|用这个|联系这个")


class OpenCases:
    """One message's words about the writer's open cases."""

    def __init__(self, ctx: AppContext, uow: UnitOfWork, conv: Conversation, message: Message, turn: Turn, *,
                 places: PlaceAnswers | None = None):
        self.ctx, self.uow, self.conv, self.message, self.turn = ctx, uow, conv, message, turn
        self.registry = ctx.registry
        self.places = places or PlaceAnswers(ctx)

    async def amend(self, text: str, reading: Reading | None = None) -> list[str] | None:
        """"不对，是石桥村" / "电话改成139…" / "补充：…" after the case was opened: the resident's
        own open case takes the correction (place, contact or description), its people hear of
        it. None when the text is not a correction of one."""
        corrected, rest = strip_correction(text)
        edit = field_edit(rest)
        if edit is not None and edit[0] == "party":
            return await self._new_party(edit[1])
        if edit is not None and edit[0] == "last_digit":
            return await self._last_digit(edit[1])
        field = FIELD_CHANGE.match(text)
        if field and not corrected:
            corrected, rest = True, text[field.end():].strip()
        adding = ADDING.match(text)
        if not (corrected or adding):
            return None
        # an addition goes to the case it is about ("补充一下 楼上昨晚又…"); a correction to the last
        case = await (self.about(reading) if adding and reading is not None else self.last())
        if case is None:
            return None
        number, store = case.number, await self.uow.cases()
        body = rest if corrected or adding is None else text[adding.end():].strip()
        if not body:
            return [texts.ASK_WHAT_TO_CHANGE_CASE.format(number=number)]
        # a correction is read as said: "应该是柳林村 不是桃源村" names the one place not denied
        reading = await self.ctx.reader.read(text if corrected else body)
        place = self.places.read(reading, asked=True)
        phones = reading.phones or (() if reading.other_phones else tuple(own_phones(body)))
        if isinstance(place, list):
            return [texts.ASK_PLACE_PRECISELY.format(
                options="、".join(self.registry.full_name(c) for c in place))]
        if place and place != case.place_code:
            changes, said = {"place_code": place}, f"地点改为{self.registry.full_name(place)}"
        elif phones and phones[0] != case.contact:
            changes, said = {"contact": phones[0]}, f"联系电话改为{mask_phone(phones[0])}"
        else:
            joined = f"{case.description}；{'更正' if corrected else '补充'}：{body}"
            changes, said = {"description": joined}, "情况已补充"
        await store.update(case, self.message.conversation_key, **changes)
        for hook in self.ctx.on_case_updated:
            await hook(self.ctx, self.uow, case)
        self.turn.case_numbers.add(number)
        return [f"好的，案件 {number} {said}，经办人会看到。"]


    async def _last_digit(self, digit: str) -> list[str] | None:
        """"电话最后一位是8不是9" after opening: the last case's number, that digit changed."""
        case = await self.last()
        if case is None:
            return None
        self.turn.case_numbers.add(case.number)
        if not case.contact or not case.contact[-1:].isdigit():
            return [f"案件 {case.number} 没有记下电话，请把完整的号码发一遍。"]
        phone = case.contact[:-1] + digit
        await (await self.uow.cases()).update(case, self.message.conversation_key, contact=phone)
        for hook in self.ctx.on_case_updated:
            await hook(self.ctx, self.uow, case)
        return [f"好的，案件 {case.number} 联系电话改为{mask_phone(phone)}，经办人会看到。"]

    async def _new_party(self, name: str) -> list[str] | None:
        """"对方说错了 应该是物业公司" after opening: the last case's other party."""
        case = await self.last()
        if case is None:
            return None
        parties = [p for p in case.parties if not (isinstance(p, dict) and p.get("role") == "other")]
        await (await self.uow.cases()).update(case, self.message.conversation_key,
                                              parties=[*parties, {"role": "other", "name": name}])
        for hook in self.ctx.on_case_updated:
            await hook(self.ctx, self.uow, case)
        self.turn.case_numbers.add(case.number)
        return [f"好的，案件 {case.number} 的对方改为{name}，经办人会看到。"]

    async def last(self) -> Case | None:
        """The resident's own last case, while it is open (what they say next may be about it)."""
        number = self.conv.last_case
        if not number:
            return None
        case = await (await self.uow.cases()).get(number)
        if case is None or case.status not in OPEN_STATUSES \
                or (case.channel, case.reporter) != (self.message.channel, self.message.user):
            return None
        return case

    async def joined(self) -> Case | None:
        """The open case this resident's report joined (they are not its reporter of record):
        what they say next is about it, though the case is not theirs to change."""
        number = self.conv.last_case
        if not number:
            return None
        store = await self.uow.cases()
        case = await store.get(number)
        if case is None or case.status not in OPEN_STATUSES \
                or (self.message.channel, self.message.user) not in await store.reporters(case):
            return None
        return case

    async def current(self) -> Case | None:
        """The resident's own last open case, else the open case their report joined."""
        return await self.last() or await self.joined()

    async def spoken_of(self, reading: Reading) -> Case | None:
        """The resident's own case these words are about, else the case their report joined."""
        return await self.about(reading) or await self.joined()

    async def about(self, reading: Reading) -> Case | None:
        """The resident's open case these words are about, when they have several: the one
        they fit best (its type, its party, its people, words in common: "我那个工资的事…",
        "楼上那个事…", "漏水那个呢"), else the last one opened."""
        last = await self.last()
        if last is None:
            return None
        return await self._fitting(reading, last) or last

    async def named(self, reading: Reading) -> Case | None:
        """Of several open cases, the one the words pick out ("我那个工资的事怎么样了"); None
        when they fit none better than the others ("我的案子怎么样了")."""
        mine = await (await self.uow.cases()).by_reporter(self.message.channel, self.message.user, open_only=True)
        return await self._fitting(reading, None, mine) if len(mine) >= 2 else None

    async def _fitting(self, reading: Reading, last: Case | None, mine: Sequence[Case] | None = None) -> Case | None:
        """The open case the words fit clearly better than `last` (or than every other)."""
        if mine is None:
            mine = await (await self.uow.cases()).by_reporter(self.message.channel, self.message.user,
                                                              open_only=True)
        if len(mine) < 2:
            return None

        def fit(case: Case) -> float:
            return aboutness(reading, case.description, case.type, other_party(case))
        ranked = sorted(mine, key=lambda c: (fit(c), last is not None and c.number == last.number), reverse=True)
        best, rival = ranked[0], (last if last is not None and ranked[0].number != last.number else ranked[1])
        # "你们到底来不来": nothing in it to tell the cases apart (the report as first told: the
        # resident's own later words, "到底有人管没有", are in the descriptions too)
        first_told = best.description.split("；补充：")[0]
        if not names_something(reading) and similarity(reading.text, first_told) < 0.1 \
                and subject_overlap(reading.text, first_told) < 0.6:
            return None
        return best if fit(best) > max(fit(rival), 0.0) + 0.1 else None

    def same_matter(self, case: Case, reading: Reading) -> bool:
        """Whether a dispute (or danger) told while `case` is open is more of it: no other
        place named, and the case urgent, the words urgent, or no other party, person or
        building named and the same type, or the trouble told as happening again ("今天狗又叫了
        一晚上 还咬了我家鸡" after the barking dog: read as damages, but the same dog)."""
        if another_matter(reading.text):            # "还有个事…", "这是两回事"
            return False
        place = self.places.read(reading, asked=False)
        if isinstance(place, str) and case.place_code and place != case.place_code \
                and not self.places.related(place, case.place_code):
            return False
        if case.risk == Risk.RED or reading.risk == Risk.RED:
            return True
        if place is None and (points_back(reading.text) or tells_how_it_stands(reading.text)):
            # "哦对了 他还骂我全家", "路让出来了 但是墙还没拆": of the case, whatever type the words read
            return not other_matter(reading.text, case.description, other_party(case))
        return (reading.type == case.type or told_again(reading.text)) \
            and not other_matter(reading.text, case.description, other_party(case))

    async def tell(self, case: Case, words: str, *, withdraw: bool = False, chase: bool = False,
                   reading: Reading | None = None) -> list[str]:
        """`_tell`, and whom to call when the words may tell of danger the reading is unsure of
        ("他威胁我说不撤案就打我")."""
        said = await self._tell(case, words, withdraw=withdraw, chase=chase, reading=reading)
        unsure = reading is not None and reading.ask_safety and reading.risk != Risk.RED
        return [*said, texts.CALL_110_IF_DANGER] if unsure and texts.CALL_110_IF_DANGER not in said else said

    async def _tell(self, case: Case, words: str, *, withdraw: bool = False, chase: bool = False,
                    reading: Reading | None = None) -> list[str]:
        """Words about an open case ("没事了，不用来了", "他昨晚又拖到两点"), or a wish to withdraw
        it: added to its description and ledger, and sent to its people; words that tell of
        danger (`reading` red) turn it red, which alerts the leader on duty. Withdrawing is
        theirs to do, after calling back: the bot only asks. A chase ("你们到底来不来"), or a short
        request of its people ("能不能给我打个电话", "改到下午"), is a ledger row of its own sent to
        them: the description keeps what was reported."""
        store = await self.uow.cases()
        own = (case.channel, case.reporter) == (self.message.channel, self.message.user)
        request = not chase and not withdraw and han_count(words) <= 24 \
            and (asks_call_back(words) or wants_a_person(words) or asks_to_reschedule(words))
        # a resident whose report joined the case speaks for themselves: their words are told
        # as theirs, and the case's contact and withdrawal stay its reporter's
        if chase or request:
            label = ("催办" if chase else "留言") if own else ("另一位反映人催办" if chase else "另一位反映人留言")
        else:
            label = (WITHDRAW_LABEL if withdraw else "补充") if own else ("另一位反映人希望撤回" if withdraw else "另一位反映人补充")
        changes: dict[str, Any] = {} if chase or request else {"description": f"{case.description}；{label}：{words}"}
        phones = own_phones(words) if own else []
        if phones and phones[0] != case.contact and (NEW_NUMBER.search(words) or not case.contact):
            # "我想改一下电话，换成139…"; or the number a case without one was asked for, sent late
            changes["contact"] = phones[0]
        caution = contact_caution(words) if own else ""
        if caution and caution != case.contact_note:
            changes["contact_note"] = caution
        raised = reading is not None and reading.risk == Risk.RED and case.risk != Risk.RED
        if raised:
            assert reading is not None
            changes.update(risk=Risk.RED.value, risk_reasons=sorted({*case.risk_reasons, *reading.risk_reasons}))
        elif reading is not None and reading.ask_safety and case.risk == Risk.GREEN:
            # a threat the reading is unsure of, told about the case ("他还说要找人收拾我"): the
            # case's people see it flagged, and nobody is woken
            changes.update(risk=Risk.YELLOW.value, risk_reasons=sorted({*case.risk_reasons, *reading.risk_reasons}))
        if changes:
            await store.update(case, self.message.conversation_key, **changes)
        if chase or request:
            await store.event(case, EventKind.CHASED, self.message.conversation_key, text=words)
        key = f"said:{case.number}:{self.message.msg_id or self.uow.now.isoformat()}"
        if own:
            title = "群众催办" if chase else WITHDRAW_TITLE if withdraw else "群众留言"
        else:
            title = "另一位反映人催办" if chase else "另一位反映人申请撤回" if withdraw else "另一位反映人留言"
        for hook in self.ctx.on_resident_said:
            await hook(self.ctx, self.uow, case, f"{label}：{words}", title, key)
        self.turn.case_numbers.add(case.number)
        if raised:
            alerted = bool(self.uow.queued["alert"])
            said = texts.urgent_text(case.risk_reasons, alerted, words, leader=bool(self.uow.queued[LEADER_ALERTED]))
            told = [f"{said}\n已补充到案件 {case.number}，并升为紧急。"]
            # "他现在拿着棍子在我家门口 我躲在屋里": how to call for help without a voice
            return [*told, texts.HIDING.format(number=case.number)] if texts.hiding(words) else told
        if "contact_note" in changes:
            kept = f"号码 {mask_phone(str(changes['contact']))} 收到。" if changes.get("contact") else ""
            return [kept + texts.caution_noted(case.number, str(changes["contact_note"]))]
        if "contact" in changes and case.contact_note and texts.no_calls(case.contact_note):
            # she said not to call: the number is kept, and nobody promises to ring it
            return [f"好的，案件 {case.number} 的联系电话记为 {mask_phone(changes['contact'])}。按您的提醒，"
                    + texts.NO_CALL_PROMISE]
        if "contact" in changes:
            return [f"好的，案件 {case.number} 的联系电话记为 {mask_phone(changes['contact'])}，经办人会打这个电话联系您。"]
        # nobody has the case yet: the centre dispatching it was told, not "its handler"
        who = f"案件 {case.number} 的经办人" if case.assignees else f"正在分派案件 {case.number} 的综治中心"
        if withdraw and not own:
            return [f"好的，已把您的意见转给{who}。"]
        theirs = [] if own or chase else own_phones(words)
        if theirs:
            # a resident whose report joined the case gives a new number: it is theirs (in the case
            # as they said it, for its people), not the case's contact, and they hear it was taken
            return [f"好的，您的电话记为 {mask_phone(theirs[0])}，已告诉{who}，需要时会打这个电话联系您。"]
        if withdraw:
            return [f"好的，已把您撤回案件 {case.number} 的请求转给{'经办人' if case.assignees else '综治中心'}，"
                    "他们和您确认后结案，结果会通知您。"]
        if asks_to_reschedule(words):
            return [f"好的，已告诉{who}，他们会和您另约时间。"]
        if says_settled(words):
            return [f"好的，已告诉{who}，他们和您核实后结案，结果会通知您。"]
        if asks_call_back(words):
            return [f"好的，已请{who}给您回电话。"]
        if wants_a_person(words):
            return [f"好的，已请{who}（网格员、调解员或中心的工作人员，都是真人）联系您；您在这里说的每句话也都会转给他们。"]
        if takes_back(words):
            return [f"好的，已告诉{who}，他们会和您核实情况。"]
        if case.risk == Risk.RED:
            return [f"已转告{who}，他们会尽快联系您。{texts.help_now(case.risk_reasons)}"]
        return [f"已转告{who}，有进展会通知您。"]


def other_party(case: Case) -> str | None:
    """The other party's name as the case holds it."""
    return next((p.get("name") for p in case.parties if p.get("role") == "other"), None)
