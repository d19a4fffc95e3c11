"""Work groups: a post that @-mentions the bot, or a grid worker's forward of a resident's
words, becomes a case at once. The group sees one short line (the number and who has it);
missing details are asked of the poster privately, never in the group."""
from __future__ import annotations

import re

from bot.context import AppContext
from bot.conversation import CONTACT, Conversation
from bot.dispatcher import Answer, Router
from bot.duplicates import link_duplicate
from bot.filters import InGroup
from bot.lifecycle import case_status_name
from bot.message import Message, Push
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers import relays
from nlp import Reading, find_phones
from nlp.intents import asks_progress
from nlp.matters import enumerated
from nlp.parties import find_party
from storage.cases import NewCase, canonical_number
from storage.lifecycle import PushKind
from storage.models import Case
from storage.registry import Registry

router = Router("group", InGroup())
ROLE_NAMES = {"grid_worker": "网格员", "mediator": "调解员", "committee": "专业调解员",
              "leader_on_duty": "值班领导", "centre": "综治中心"}
GROUP_HELP = "请@我并说明纠纷情况（什么事、在哪里），我会登记并转给网格员。转述群众反映请以“转：”开头。"
# a person as workers name them: a name (no place word: "杏花村孙大爷" is 孙大爷) and how they are
# addressed, or 老X, or X某
_NAME = r"[^\W\d_村组区镇乡社街楼栋号的是了在我他她你说让帮叫托请给]"
_PERSON = (rf"(?:{_NAME}{{1,3}}(?:大爷|大妈|大娘|阿姨|大哥|大姐|奶奶|爷爷|师傅|老师|婶|叔)|老[\u4e00-\u9fa5]|"
           r"[\u4e00-\u9fa5]某某?)")
_FORWARD = re.compile(rf"^\s*(?:转发?\s*[:：]|代(?P<who>{_PERSON}|{_NAME}{{1,4}}?)反映\s*[:：]?)\s*")
_SPEAKER = re.compile(rf"({_PERSON})(?:说|反映|讲|称|来电)")
# "王大爷让我帮他反映一下…", "帮村里张奶奶反映一下…": relayed, though no 转
_ASKED_TO = re.compile(rf"({_PERSON})(?:让|叫|托|请)我(?:帮(?:他|她|忙)?)?(?:反映|问)"
                       rf"|帮(?:村里|组里|社区|我们村)?的?({_PERSON})(?:反映|问)")


def read_post(message: Message) -> tuple[str, bool, str]:
    """(the words to read, whether they are relayed, the person relayed)."""
    text = message.text
    prefix = _FORWARD.match(text)
    asked = _ASKED_TO.search(text)
    forwarded = bool(message.quoted) or bool(prefix) or bool(asked)
    body = text
    speaker = ""
    if prefix:
        speaker = prefix.group("who") or ""
        body = (f"{speaker}反映：" if speaker else "") + text[prefix.end():]     # "代王奶奶反映：…" keeps her
    if message.quoted:
        body = f"{message.quoted}；{body}" if body else message.quoted
    if asked:
        speaker = speaker or asked.group(1) or asked.group(2)
    if forwarded and not speaker:
        said = _SPEAKER.search(body)
        speaker = said.group(1) if said else ""
    return body.strip(), forwarded, speaker


def holders(case: Case, registry: Registry) -> str:
    """Who has the case, as the group may see it: roles and staff names, never residents'."""
    people = [registry.staff[s] for s in case.assignees if s in registry.staff]
    shown = [p for p in people if p.role in ("grid_worker", "mediator", "committee")] or people
    if not shown:
        return "综治中心分派中"
    # a role the name already says is not said twice ("综治中心县综治中心")
    return "、".join(p.name if ROLE_NAMES.get(p.role, "") in p.name else f"{ROLE_NAMES.get(p.role, '')}{p.name}"
                    for p in shown[:2]) + "负责"


# "王大爷那个装修的事处理了没有": a question about a case reported before, not a report
# ("河边有人倒垃圾 有人管吗" is a report: it names no earlier matter)
_ASKS_AFTER = re.compile(r"(?:处理|解决|办|管)(?:了|好了|完了)?(?:没有|没|吗|没得)|怎么样了|咋样了|进展|有结果")
_EARLIER = re.compile(r"(?:那个|那件|上次|之前|前几天|上回|前天|昨天报的|报过的).{0,12}?(?:事|案子|案件|情况)")


async def _case_asked_about(ctx: AppContext, uow: UnitOfWork, body: str, turn: Turn,
                            message: Message) -> str | None:
    """A post asking how a case stands: its status and who has it (what the group saw when it
    was opened, no more), for a case of the group's area, posted in it or by the asker; None
    when the post asks nothing of the kind."""
    number = canonical_number(body, ctx.settings.case_number_prefix)
    if number:
        case = await (await uow.cases()).get(number)
        if case is None or not _of_this_group(ctx, case, message):
            # anyone in any group tried numbers in turn and learned who held a family-violence case
            return f"没有找到本群范围内编号为 {number} 的案件，请核对编号，或向经办人、综治中心查询。"
        turn.case_numbers.add(case.number)
        return f"{case.number}：{case_status_name(case)}，由{holders(case, ctx.registry)}。"
    if (asks_progress(body) or _ASKS_AFTER.search(body)) and _EARLIER.search(body):
        return "请带上案件编号查询，例如“JF261123-001 怎么样了”（编号在登记时的回复里）。"
    return None


async def _phone_for_a_relay(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                             body: str, turn: Turn) -> str | None:
    """"JF… 反映人电话139…" or "赵婶电话是139…" from the poster of relays waiting for a phone: the
    number onto the case it names (it was answered with the case's status and dropped)."""
    phones = find_phones(body)
    if not phones or len(body) > 60:
        return None
    pending = await relays.waiting(ctx, uow, message)
    number = canonical_number(body, ctx.settings.case_number_prefix)
    named = [c for c in pending if (number and c.number == number)
             or (not number and c.reporter_name and c.reporter_name in body)]
    if len(named) != 1:
        return None
    await relays.give_phone(ctx, uow, conversation, message, named[0], phones[0])
    turn.case_numbers.add(named[0].number)
    return f"已记到案件 {named[0].number}。电话等个人信息请尽量在与我的单聊里发。"


def _of_this_group(ctx: AppContext, case: Case, message: Message) -> bool:
    """A case the group may hear about: posted by the asker or in this group, or at a place of
    the group's area (a mapped group)."""
    if (case.channel, case.reporter) == (message.channel, message.user):
        return True
    group = ctx.registry.group_for_chat(message.chat)
    if (case.source or "") in (f"group:{message.chat}", f"group:{group.id}" if group else ""):
        return True
    return group is not None and bool(group.place) and bool(case.place_code) \
        and case.place_code in ctx.registry.subtree(group.place)


@router.message()
async def on_group_post(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    body, forwarded, speaker = read_post(message)
    if not body:
        return GROUP_HELP if message.mentioned else None
    given = await _phone_for_a_relay(ctx, uow, conversation, message, body, turn)
    if given is not None:
        return given
    if not forwarded and message.mentioned and len(body) <= 40:
        asked = await _case_asked_about(ctx, uow, body, turn, message)
        if asked is not None:
            return asked
    items = enumerated(body)
    if len(items) >= 2:
        # "今天收到三件事：1.柳林村… 2.桃源村… 3.石桥村…": three relays, each to its own people
        # (they were one case of the first village, the other two matters lost)
        answers = []
        for i, item in enumerate(items, 1):
            item_reading: Reading = await ctx.reader.read(item)
            if item_reading.is_dispute:
                answers.append(f"{i}. " + await _open_relay(ctx, uow, conversation, message, item, item_reading,
                                                            forwarded, "", turn, part=f":{i}"))
        if answers:
            return "\n".join(answers)
    reading: Reading = await ctx.reader.read(body)
    if not reading.is_dispute:
        if message.mentioned and not forwarded and (reading.phones or reading.other_phones):
            # "@解纷 刘婶电话是135…" after a private ask: the number is taken, and the group is
            # told nothing of it (nor of whose it is)
            pending = await relays.waiting(ctx, uow, message)
            if len(pending) == 1:
                await relays.give_phone(ctx, uow, conversation, message, pending[0],
                                        (reading.phones or reading.other_phones)[0])
                turn.case_numbers.add(pending[0].number)
                return f"已记到案件 {pending[0].number}。电话等个人信息请尽量在与我的单聊里发。"
            if pending:
                return "电话请在与我的单聊中回复，并带上案件编号（如“JF261123-001 138…”）。"
        return GROUP_HELP if message.mentioned and not forwarded else None
    return await _open_relay(ctx, uow, conversation, message, body, reading, forwarded, speaker, turn)


async def _open_relay(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, body: str,
                      reading: Reading, forwarded: bool, speaker: str, turn: Turn, part: str = "") -> str:
    """A relayed matter: joined to the open case it repeats, or a case of its own, routed."""
    group = ctx.registry.group_for_chat(message.chat)
    best = reading.places[0] if reading.places and reading.places[0].score >= ctx.settings.place_match_threshold else None
    place = best.code if best else (group.place if group else None)
    store = await uow.cases()
    linked = await link_duplicate(ctx, uow, reading, place, message, body)
    if linked is not None:
        turn.case_numbers.add(linked.number)
        return f"该纠纷已登记过，编号 {linked.number}（{holders(linked, ctx.registry)}），本条已合并记录。"
    party = find_party(reading.text)
    parties = [{"role": "other", "name": party}] if party else []
    if speaker:
        parties.append({"role": "complainant", "name": speaker})
    # a worker relays someone ("王大爷反映…，他电话138…"): the "他" is the resident to call back
    phones = reading.phones or reading.other_phones
    new = NewCase(intake_key=f"group:{message.channel}:{message.chat}:{message.msg_id or uow.now.isoformat()}{part}",
                  type=reading.type, risk=reading.risk, place_code=place, channel=message.channel,
                  reporter=message.user, description=body, contact=phones[0] if phones else "",
                  reporter_name=speaker, parties=tuple(parties), risk_reasons=reading.risk_reasons,
                  source=f"group:{group.id}" if group else f"group:{message.chat}")
    case, created = await store.open(new)
    turn.case_numbers.add(case.number)            # the ledger records the post and the group's answer
    if created:
        for hook in ctx.on_case_opened:
            await hook(ctx, uow, case)
        await _ask_privately(ctx, uow, conversation, case, message, forwarded)
    urgent = "情况紧急，已通知值班领导和综治中心；如有人身危险请立即拨打110。" if case.risk == "red" else ""
    return f"已登记，编号 {case.number}，由{holders(case, ctx.registry)}。{urgent}"


async def _ask_privately(ctx: AppContext, uow: UnitOfWork, conv: Conversation, case: Case, message: Message,
                         forwarded: bool) -> None:
    """A relayed report without a phone number: ask the poster, in private, for the resident's."""
    if case.contact or not forwarded:
        return
    draft = conv.start(uow.now, source=case.source)
    draft.case_number, draft.place_code, draft.party_asked = case.number, case.place_code, True
    draft.texts = [case.description]
    conv.step = CONTACT
    several = len(await relays.waiting(ctx, uow, message)) >= 2
    await uow.push(Push(ctx.staff_channel, message.user,
                        f"关于群里登记的案件 {case.number}：请在与解纷机器人的单聊中回复反映人的联系电话，"
                        + (f"您还有别的转述在等电话，请带上编号回复，如“{case.number} 138…”；" if several else "")
                        + "不方便可回复“跳过”。", case.number, kind=PushKind.ASK, key=f"ask:{case.number}:{message.user}"))
