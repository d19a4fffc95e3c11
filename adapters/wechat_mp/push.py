"""Pushes to residents on the Official Account: a customer-service message while the window
allows, else a subscription message the resident consented to, else a template message where
one is configured, else HOLD (the outbox keeps it until the resident writes again).

Updates waiting for the same resident are merged into one message when the budget cannot
carry them one by one (only as many as fit one message); the outbox rows merged in are marked
sent, with a ledger event each.

A text over WeChat's 2048-byte limit goes as several customer-service messages in order, each
taking a slot of the window (split.py). When the window or an error stops it part-way, the
outbox row keeps only what was not sent yet, so the next attempt — a retry, or the release
after the resident writes again — neither repeats a part nor loses one.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from adapters.wechat_mp.api import NET_ERRORS, WINDOW_CLOSED, APIError, WeChatAPI
from adapters.wechat_mp.split import PART_BYTES, split_once, split_text, utf8_len
from adapters.wechat_mp.translate import CHANNEL
from adapters.wechat_mp.window import Windows
from bot.context import AppContext
from bot.message import Push
from bot.outbox import Delivery, Outbox, Outcome
from bot import subscriptions
from storage.cases import CaseStore
from storage.models import OutboxItem

log = logging.getLogger("jiefen.wechat_mp.push")
MERGEABLE = ("update", "final")
FIELD_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "keyword": 20}


class Pusher:
    def __init__(self, ctx: AppContext, api: WeChatAPI):
        self.ctx, self.api, self.windows = ctx, api, Windows(ctx)

    async def deliver(self, push: Push) -> Delivery:
        return await self._deliver(push)        # HOLD: the resident's next message releases it

    async def _deliver(self, push: Push) -> Delivery:
        if await subscriptions.is_unfollowed(self.ctx, CHANNEL, push.user):
            return Delivery(Outcome.HOLD, "unfollowed")
        merged: list[OutboxItem] = []
        kind = push.kind
        if push.kind in MERGEABLE:
            merged = await self._siblings(push)
            need = len(split_text(push.text)) + sum(len(split_text(i.text)) for i in merged)
            if merged and await self.windows.remaining(push.user, "final") >= need:
                merged = []                               # the budget carries them one by one
            merged = _fitting(push, merged)               # a merged message is one message
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
        """Customer-service messages, one per part of the text, while the window allows."""
        unsent, sent, window = text, 0, ""
        while True:
            part, after = split_once(unsent)
            if not part:
                break
            slot = await self.windows.claim(push.user, kind)
            if slot is None:
                break
            body = {"touser": push.user, "msgtype": "text", "text": {"content": part}}
            try:
                await self.api.call("/cgi-bin/message/custom/send", body)
            except APIError as exc:
                await self.windows.give_back(slot)
                if exc.errcode == 40003:                  # no such openid for this account: never will work
                    return Delivery(Outcome.FAILED, f"customer service: {exc}" + _parts_note(sent))
                if exc.errcode not in WINDOW_CLOSED:
                    return Delivery(Outcome.RETRY, f"customer service: {exc}" + _parts_note(sent))
                await self.windows.closed(push.user, slot)
                log.info("window closed for a resident (%d)", exc.errcode)
                break
            except NET_ERRORS as exc:
                await self.windows.give_back(slot)
                return Delivery(Outcome.RETRY, f"customer service: {type(exc).__name__}" + _parts_note(sent))
            sent, unsent, window = sent + 1, after, slot.window
            if unsent:                                    # from now on only the rest is left to send
                await self._keep_unsent(push, unsent)
        if not unsent:
            if not sent:
                return Delivery(Outcome.SENT, "nothing to send: the text is blank")
            if sent > 1:                                  # the row shows the whole text again
                await self._keep_unsent(push, push.text)
            return Delivery(Outcome.SENT, f"customer service ({window} window)"
                            + (f", {sent} messages" if sent > 1 else ""))
        if sent:      # the rest waits for the resident's next message: a template cannot carry it
            return Delivery(Outcome.HOLD, f"window used up: {sent} parts sent, {utf8_len(unsent)} bytes kept")
        return await self._outside_window(push, text)

    async def _keep_unsent(self, push: Push, text: str) -> None:
        """The outbox row's text becomes what is still to send (the push's key names the row)."""
        if not push.key:
            return
        async with self.ctx.db.session() as s:
            await s.execute(update(OutboxItem).where(OutboxItem.key == push.key).values(text=text))

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
        """Take the rows from the outbox loop, each only if nobody else has (like the outbox's own
        claim, with its lease: another worker's look for stuck rows leaves them alone meanwhile)."""
        claimed = []
        lease = self.ctx.clock.now() + timedelta(seconds=Outbox.LEASE)
        async with self.ctx.db.session() as s:
            for item in items:
                res = await s.execute(update(OutboxItem).where(OutboxItem.id == item.id,
                                                               OutboxItem.status == item.status)
                                      .values(status="sending", next_attempt_at=lease))
                if res.rowcount == 1:
                    claimed.append(item)
        return claimed

    async def _release(self, items: list[OutboxItem]) -> None:
        if not items:
            return
        async with self.ctx.db.session() as s:
            for item in items:
                await s.execute(update(OutboxItem).where(OutboxItem.id == item.id)
                                .values(status=item.status, next_attempt_at=item.next_attempt_at))

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


def _parts_note(sent: int) -> str:
    return f" ({sent} parts sent before)" if sent else ""


def _fitting(push: Push, siblings: list[OutboxItem]) -> list[OutboxItem]:
    """The siblings (oldest first) that fit one message together with the push: none when the
    push alone needs several."""
    chosen: list[OutboxItem] = []
    for item in siblings:
        if utf8_len(_merge_text(push, chosen + [item])) <= PART_BYTES:
            chosen.append(item)
    return chosen


def _merge_text(push: Push, merged: list[OutboxItem]) -> str:
    if not merged:
        return push.text
    texts = [i.text for i in merged] + [push.text]
    return "\n\n".join(f"【{n}】{t}" for n, t in enumerate(texts, 1))
