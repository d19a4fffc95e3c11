"""Pushes to residents on the Official Account: a customer-service message while the window
allows, else a subscription message the resident consented to, else a template message where
one is configured, else HOLD (the outbox keeps it until the resident writes again).

Updates waiting for the same resident are merged into one message when the budget cannot
carry them one by one (only as many as fit one message); the outbox (bot/outbox.py) claims
the rows merged in and marks them sent, with a ledger event each. This module only decides
what goes in one message and maps it to the API's calls.

A text over WeChat's 2048-byte limit goes as several customer-service messages in order, each
taking a slot of the window (split.py). When the window or an error stops it part-way, the
outbox row keeps only what was not sent yet, so the next attempt — a retry, or the release
after the resident writes again — neither repeats a part nor loses one.
"""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from adapters.wechat_mp.api import NET_ERRORS, WINDOW_CLOSED, APIError, WeChatAPI
from adapters.wechat_mp.split import PART_BYTES, split_once, split_text, utf8_len
from adapters.wechat_mp.translate import CHANNEL
from adapters.wechat_mp.window import Windows
from bot import subscriptions
from bot.context import AppContext
from bot.message import Push
from bot.outbox import Delivery, Outcome
from storage.outbox import Queued

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
        outbox = self.ctx.outbox
        merged: list[Queued] = []
        kind = push.kind
        if push.kind in MERGEABLE:
            merged = await outbox.take_waiting(push, MERGEABLE)
            need = len(split_text(push.text)) + sum(len(split_text(i.text)) for i in merged)
            if merged and await self.windows.remaining(push.user, "final") >= need:
                merged = []                               # the budget carries them one by one
            merged = _fitting(push, merged)               # a merged message is one message
            if merged:
                merged = await outbox.claim_waiting(merged)
                kind = "final" if any(i.kind == "final" for i in merged) or push.kind == "final" else "update"
        text = _merge_text(push, merged)
        try:
            result = await self._send(push, text, kind)
        except Exception:
            await outbox.give_back(merged)
            raise
        if result.outcome is Outcome.SENT:
            await outbox.merged(push, merged, result.detail)
        else:
            await outbox.give_back(merged)
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
                await self.ctx.outbox.keep_unsent(push, unsent)
        if not unsent:
            if not sent:
                return Delivery(Outcome.SENT, "nothing to send: the text is blank")
            if sent > 1:                                  # the row shows the whole text again
                await self.ctx.outbox.keep_unsent(push, push.text)
            return Delivery(Outcome.SENT, f"customer service ({window} window)"
                            + (f", {sent} messages" if sent > 1 else ""))
        if sent:      # the rest waits for the resident's next message: a template cannot carry it
            return Delivery(Outcome.HOLD, f"window used up: {sent} parts sent, {utf8_len(unsent)} bytes kept")
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


def _parts_note(sent: int) -> str:
    return f" ({sent} parts sent before)" if sent else ""


def _fitting(push: Push, siblings: list[Queued]) -> list[Queued]:
    """The siblings (oldest first) that fit one message together with the push: none when the
    push alone needs several."""
    chosen: list[Queued] = []
    for item in siblings:
        if utf8_len(_merge_text(push, chosen + [item])) <= PART_BYTES:
            chosen.append(item)
    return chosen


def _merge_text(push: Push, merged: list[Queued]) -> str:
    if not merged:
        return push.text
    texts = [i.text for i in merged] + [push.text]
    return "\n\n".join(f"【{n}】{t}" for n, t in enumerate(texts, 1))
