"""Pushes to residents on the Official Account: a customer-service message while the window
allows, else a subscription message the resident consented to, else a template message where
one is configured, else HOLD (the outbox keeps it until the resident writes again).

Updates waiting for the same resident are merged into one message when the budget cannot
carry them one by one; the outbox rows merged in are marked sent, with a ledger event each.
"""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from adapters.wechat_mp.api import NET_ERRORS, WINDOW_CLOSED, APIError, WeChatAPI
from adapters.wechat_mp.translate import CHANNEL
from adapters.wechat_mp.window import Windows
from bot.context import AppContext
from bot.message import Push
from bot.outbox import Delivery, Outcome
from handlers import subscriptions
from storage.cases import CaseStore
from storage.models import OutboxItem

log = logging.getLogger("jiefen.wechat_mp.push")
MAX_TEXT = 600                   # a customer-service text is cut by WeChat around 2048 bytes
MERGEABLE = ("update", "final")
HELD_TTL = 90 * 24 * 3600
FIELD_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "keyword": 20}


class Pusher:
    def __init__(self, ctx: AppContext, api: WeChatAPI):
        self.ctx, self.api, self.windows = ctx, api, Windows(ctx)

    async def deliver(self, push: Push) -> Delivery:
        result = await self._deliver(push)
        if result.outcome is Outcome.HOLD:       # the resident's next message releases it
            await self.ctx.state.set(f"{CHANNEL}:held:{push.user}", True, ttl=HELD_TTL)
        return result

    async def has_held(self, user: str) -> bool:
        return bool(await self.ctx.state.get(f"{CHANNEL}:held:{user}"))

    async def forget_held(self, user: str) -> None:
        await self.ctx.state.delete(f"{CHANNEL}:held:{user}")

    async def _deliver(self, push: Push) -> Delivery:
        if await subscriptions.is_unfollowed(self.ctx, CHANNEL, push.user):
            return Delivery(Outcome.HOLD, "unfollowed")
        merged: list[OutboxItem] = []
        kind = push.kind
        if push.kind in MERGEABLE:
            merged = await self._siblings(push)
            if merged and await self.windows.remaining(push.user, "final") >= 1 + len(merged):
                merged = []                               # the budget carries them one by one
            if merged:
                merged = await self._claim(merged)
                kind = "final" if any(i.kind == "final" for i in merged) or push.kind == "final" else "update"
        text = _merge_text(push, merged)
        try:
            result = await self._send(push, text, kind)
        except Exception:
            await self._release(merged)
            raise
        if result.outcome is Outcome.SENT:
            await self._mark_merged(push, merged, result)
        else:
            await self._release(merged)
        return result

    async def _send(self, push: Push, text: str, kind: str) -> Delivery:
        slot = await self.windows.claim(push.user, kind)
        if slot is not None:
            body = {"touser": push.user, "msgtype": "text", "text": {"content": text[:MAX_TEXT]}}
            try:
                await self.api.call("/cgi-bin/message/custom/send", body)
                return Delivery(Outcome.SENT, f"customer service ({slot.window} window)")
            except APIError as exc:
                await self.windows.give_back(slot)
                if exc.errcode == 40003:                  # no such openid for this account: never will work
                    return Delivery(Outcome.FAILED, f"customer service: {exc}")
                if exc.errcode not in WINDOW_CLOSED:
                    return Delivery(Outcome.RETRY, f"customer service: {exc}")
                await self.windows.closed(push.user, slot)
                log.info("window closed for a resident (%d)", exc.errcode)
            except NET_ERRORS as exc:
                await self.windows.give_back(slot)
                return Delivery(Outcome.RETRY, f"customer service: {type(exc).__name__}")
        return await self._outside_window(push, text)

    async def _outside_window(self, push: Push, text: str) -> Delivery:
        s = self.ctx.settings
        template = s.wechat_subscribe_template
        if template and await subscriptions.take_consent(self.ctx, CHANNEL, push.user, template):
            body = {"touser": push.user, "template_id": template,
                    "data": self._fields(s.wechat_subscribe_data, push, text)}
            try:
                await self.api.call("/cgi-bin/message/subscribe/bizsend", body)
                return Delivery(Outcome.SENT, "subscription message")
            except (APIError, *NET_ERRORS) as exc:
                await subscriptions.give_back_consent(self.ctx, CHANNEL, push.user, template)
                if not isinstance(exc, APIError) or exc.errcode != 43101:   # 43101: the resident refused
                    return Delivery(Outcome.RETRY, f"subscription message: {exc}")
        if s.wechat_template_id:
            body = {"touser": push.user, "template_id": s.wechat_template_id,
                    "data": self._fields(s.wechat_template_data, push, text)}
            try:
                await self.api.call("/cgi-bin/message/template/send", body)
                return Delivery(Outcome.SENT, "template message")
            except APIError as exc:
                if exc.errcode == 43004:                  # 43004: not following
                    return Delivery(Outcome.HOLD, "template message: not following")
                return Delivery(Outcome.RETRY, f"template message: {exc}")
            except NET_ERRORS as exc:
                return Delivery(Outcome.RETRY, f"template message: {type(exc).__name__}")
        return Delivery(Outcome.HOLD, "window closed: kept for the resident's next message")

    def _fields(self, spec: str, push: Push, text: str) -> dict[str, dict[str, str]]:
        """"character_string1=case,thing2=text" → the template's data, each value cut to its field's limit."""
        when = self.ctx.clock.now().astimezone(ZoneInfo(self.ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")
        values = {"case": push.case_number or "-", "text": " ".join(text.split()), "time": when,
                  "status": text.splitlines()[0] if text else ""}
        data = {}
        for part in spec.split(","):
            name, _, source = part.strip().partition("=")
            if not name:
                continue
            limit = next((n for prefix, n in FIELD_LIMITS.items() if name.startswith(prefix)), 20)
            value = values.get(source.strip(), source.strip())
            data[name] = {"value": value if len(value) <= limit else value[: limit - 1] + "…"}
        return data

    # ---- merging -----------------------------------------------------------------------------
    async def _siblings(self, push: Push) -> list[OutboxItem]:
        async with self.ctx.db.session() as s:
            rows = await s.scalars(select(OutboxItem).where(
                OutboxItem.channel == CHANNEL, OutboxItem.user == push.user, OutboxItem.key != push.key,
                OutboxItem.status.in_(("pending", "held")), OutboxItem.kind.in_(MERGEABLE)).order_by(OutboxItem.id))
            return list(rows.all())

    async def _claim(self, items: list[OutboxItem]) -> list[OutboxItem]:
        """Take the rows from the outbox loop, each only if nobody else has (like the outbox's own claim)."""
        claimed = []
        async with self.ctx.db.session() as s:
            for item in items:
                res = await s.execute(update(OutboxItem).where(OutboxItem.id == item.id,
                                                               OutboxItem.status == item.status)
                                      .values(status="sending"))
                if res.rowcount == 1:
                    claimed.append(item)
        return claimed

    async def _release(self, items: list[OutboxItem]) -> None:
        if not items:
            return
        async with self.ctx.db.session() as s:
            for item in items:
                await s.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(status=item.status))

    async def _mark_merged(self, push: Push, items: list[OutboxItem], result: Delivery) -> None:
        if not items:
            return
        now = self.ctx.clock.now()
        async with self.ctx.db.session() as s:
            store = CaseStore(s, now=now, prefix=self.ctx.settings.case_number_prefix)
            for item in items:
                await s.execute(update(OutboxItem).where(OutboxItem.id == item.id)
                                .values(status="sent", sent_at=now, last_error=f"merged into {push.key[:40]}"))
                case = await store.get(item.case_number) if item.case_number else None
                if case is not None:             # the ledger shows the update went out, and how
                    await store.event(case, "notification", "outbox", channel=CHANNEL, to=item.user, kind=item.kind,
                                      outcome="sent", detail=f"merged: {result.detail}"[:200], attempt=item.attempts + 1,
                                      text=item.text)


def _merge_text(push: Push, merged: list[OutboxItem]) -> str:
    if not merged:
        return push.text
    texts = [i.text for i in merged] + [push.text]
    return "\n\n".join(f"【{n}】{t}" for n, t in enumerate(texts, 1))
