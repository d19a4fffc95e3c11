"""The resident's rating of a result (满意度 1–5), or "not settled", which reopens the case for
the same assignees."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot import notify
from bot.conversation import RATE, Conversation
from storage.lifecycle import Result

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork
    from storage.models import Case

NOT_SETTLED = re.compile(r"没解决|未解决|没有解决|不满意|没化解|没有化解|还没好|没办好")
SHORT = 30        # a longer text is a new story, not an answer to "rate the result"
_SCORE = re.compile(r"^\s*([1-5])\s*(?:分|星)?\s*$")
# a score inside words: "给4分吧", "我给五分", "打5星"
_SCORE_IN = re.compile(r"(?:(?:给|打|评|就)\s*(?:个|你们|您)?\s*([1-5一二三四五])|^\s*([一二三四五]))\s*(?:分|星|颗星)"
                       r"(?!钱|地|田|半|之)")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_WORDS = {"很不满意": 1, "不太满意": 2, "非常满意": 5, "特别满意": 5, "很满意": 5, "挺满意": 4, "比较满意": 4, "满意": 4, "一般": 3, "还行": 3,
          "还可以": 3}


async def ask(ctx: "AppContext", uow: "UnitOfWork", case: "Case") -> None:
    """Put the reporter's conversation on the rating step, unless they are in the middle of
    another report (the question still reaches them in the result push). Written in the
    staff member's transaction, under the reporter's lock, so it commits with the result."""
    if notify.relayed(case):
        return                  # the worker who relayed it does not rate their own work
    key = f"{case.channel}:{case.reporter}"
    async with ctx.state.lock("conv:" + key, ttl=30, wait=20):
        store = await uow.conversations()
        conv = Conversation.from_json(await store.load(key))
        if conv.draft is not None:
            return
        conv.step, conv.rating_case = RATE, case.number
        conv.updated_at = uow.now.isoformat()
        await store.save(key, conv.to_json(), uow.now)


def read(t: str) -> int | str | None:
    """A score 1–5, "reopen", or None when the (normalised) text is neither (the resident moved on)."""
    if len(t) > SHORT:
        return None
    if NOT_SETTLED.search(t):
        return "reopen"
    m = _SCORE.match(t) or _SCORE_IN.search(t)
    if m:
        said = next(g for g in m.groups() if g)
        return _CN.get(said) or int(said)
    for word, score in _WORDS.items():     # the negative and longer phrases first in the dict order
        if word in t:
            return score
    return None


# the result not reached, said in the resident's words ("这就完了啊 钱还是没拿到 我找谁去"): after a
# settlement, it was not settled; after an ended mediation, where to go now
STILL_UNSOLVED = re.compile(r"还是没|还没(?:拿到|给|还|解决|办|好)|找谁|怎么办|这就完了|就这么完了|就这样完了|不了了之|没人管")


async def answer(ctx: "AppContext", uow: "UnitOfWork", conv: Conversation, actor: str, text: str) -> str | None:
    """The reply to a rating answer, or None when the text is not one (handled as usual)."""
    verdict = read(text)
    number = conv.rating_case
    if verdict is None and number and len(text) <= 2 * SHORT and STILL_UNSOLVED.search(text):
        case = await (await uow.cases()).get(number)
        if case is not None and case.status == "resolved":
            if case.result != Result.ENDED:
                verdict = "reopen"            # "钱还是没拿到" of a case told settled: it was not
            else:
                # nothing to reopen: the other routes, the words to its people, the score still asked
                await _tell_staff(ctx, uow, case, f"【群众留言】{case.number}（已终止调解）\n{notify.inert(notify.shorten(text, 300))}",
                                  "after-end")
                return (f"案件 {case.number} 的调解已经终止，您说的话已转给经办人。{notify.OTHER_ROUTES}\n"
                        f"{notify.RATE_SCORE}")
    if verdict is None or not number:
        if verdict is None:
            conv.step, conv.rating_case = None, None
        return None
    conv.step, conv.rating_case = None, None
    store = await uow.cases()
    case = await store.get(number)
    if case is None or case.status not in ("resolved", "closed"):
        return None
    if case.status == "closed":
        # archived by its staff (回访归档) before the resident answered: the answer still counts
        if verdict == "reopen":
            await store.update(case, actor, description=f"{case.description}；群众反馈仍未解决")
            await _tell_staff(ctx, uow, case, f"【群众反馈未解决】{case.number} 已归档，群众说问题没有解决，请联系核实，"
                                              "需要的话回访后重新办理。", "unsettled")
            return f"收到。已告诉案件 {case.number} 的经办人，他们会联系您核实，需要的话重新办理。"
        if case.satisfaction is not None or not isinstance(verdict, int):
            return None
        await store.update(case, actor, satisfaction=verdict)
        await _low_score(ctx, uow, case, verdict)
        return f"感谢您的评价（{verdict}分）！"
    if verdict == "reopen":
        await store.transition(case, "mediating", actor, reason="群众反馈未解决")
        await _tell_staff(ctx, uow, case, f"【重新办理】{case.number} 群众反馈问题没有解决，案件已回到调解中，请继续跟进。",
                          "reopen")
        channel, _, user = actor.partition(":")          # the conversation's key: the reply tells them
        await notify.status_changed(ctx, uow, case, reopened=True, answered=(channel, user))
        return f"收到。案件 {case.number} 已重新进入调解，原来的经办人会继续跟进。"
    assert isinstance(verdict, int)
    await store.update(case, actor, satisfaction=verdict)
    await store.transition(case, "closed", actor, satisfaction=verdict)
    await _low_score(ctx, uow, case, verdict)
    if verdict <= LOW_SCORE:     # not left at "archived": someone will ask why (the centre was told)
        return f"感谢您的评价（{verdict}分）。案件 {case.number} 已归档，综治中心会回访，了解您不满意的地方。"
    return f"感谢您的评价（{verdict}分）！案件 {case.number} 已归档。以后有事随时找我们。"


LOW_SCORE = 2            # a score at or below it is looked into (回访), not only counted


async def _low_score(ctx: "AppContext", uow: "UnitOfWork", case: "Case", score: int) -> None:
    """A resident very dissatisfied (1–2): the case's people and the centre hear it, to call back
    and ask why (the case was archived with nobody told)."""
    if score > LOW_SCORE:
        return
    from bot.staffing import centres
    text = f"【低分评价】{case.number} 群众评价 {score} 分（很不满意），请回访了解原因。"
    await _tell_staff(ctx, uow, case, text, "low-score", extra=[s.id for s in centres(ctx.registry, case.place_code)])


async def _tell_staff(ctx: "AppContext", uow: "UnitOfWork", case: "Case", text: str, kind: str,
                      extra: list[str] | None = None) -> None:
    """The case's people (and `extra` staff ids) hear `text`, each once."""
    from bot.routing import staff_push
    for sid in dict.fromkeys([*(case.assignees or []), *(extra or [])]):
        if sid in ctx.registry.staff:
            p = staff_push(ctx, ctx.registry.staff[sid], text, case, "reminder", f"{kind}:{case.number}:{uow.now.isoformat()}")
            if p:
                await uow.push(p)


async def last_unrated(uow: "UnitOfWork", channel: str, user: str) -> "Case | None":
    """The account's latest case waiting for its rating (resolved, not yet closed)."""
    store = await uow.cases()
    return next((c for c in await store.by_reporter(channel, user, limit=5)
                 if c.status == "resolved" and not notify.relayed(c)), None)
