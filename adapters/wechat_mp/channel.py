"""The Official Account channel: the `/wechat/mp` callback and the push side.

The 5-second rule: WeChat retries a callback not answered within 5 s, and shows the resident
an error for anything but a reply or `success`. So the handling runs in its own task, shielded
from the request: if it finishes within `wechat_passive_timeout` its answer is the passive
reply; otherwise the callback answers `success` at once and the replies follow through the
outbox as customer-service messages when they are ready.

A long answer does not fit one text message (2048 bytes): the passive reply carries its first
part and the rest goes through the outbox as customer-service messages, a moment later so that
they arrive after it; the push side splits it further (split.py). Both are keyed by MsgId, so
WeChat's retries neither lose nor repeat a part.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from aiohttp import web

from adapters.base import ChannelBase, echo
from adapters.inflight import Handlings
from adapters.replay import ReplayGuard
from adapters.wechat_mp.api import WeChatAPI
from adapters.wechat_mp.codec import BadCallback, Codec
from adapters.wechat_mp.codes import record_scan
from adapters.wechat_mp.push import Pusher
from adapters.wechat_mp.split import split_once
from adapters.wechat_mp.translate import CHANNEL, translate
from adapters.wechat_mp.window import EVENT_WINDOWS
from adapters.xmlbody import BAD_INPUT
from bot import subscriptions
from bot.context import AppContext
from bot.inbox import Ticket, Waiter, is_transient
from bot.message import EventType, Kind, Message, Push, Reply
from bot.middlewares import user_tag
from bot.outbox import Delivery
from storage.lifecycle import PushKind

log = logging.getLogger("jiefen.wechat_mp")
PATH = "/wechat/mp"
SUCCESS = "success"
REST_DELAY = 1.0        # seconds: the rest of a long passive answer goes after the passive reply arrives


def UNAVAILABLE() -> web.Response:
    """Not `success`: WeChat tries again (the message is kept, or was never acknowledged)."""
    return web.Response(status=503, text="busy, try again")


class WeChatMPChannel(ChannelBase):
    name = CHANNEL

    def __init__(self, ctx: AppContext):
        s = ctx.settings
        self.ctx = ctx
        self.codec = Codec(s.wechat_token, s.wechat_appid, s.wechat_aes_key)
        self.api = WeChatAPI(ctx)
        self.pusher = Pusher(ctx, self.api)
        self.replay = ReplayGuard(ctx, CHANNEL)
        self.handlings = Handlings(ctx, CHANNEL)

    def mount(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.callback)

    async def stop(self) -> None:
        await self.handlings.stop()      # a resident's acknowledged words are never dropped
        await self.api.close()

    async def deliver(self, push: Push) -> Delivery:
        return await self.pusher.deliver(push)

    # ---- the callback --------------------------------------------------------------------------
    async def verify(self, request: web.Request) -> web.Response:
        """GET: WeChat checks the URL; answer echostr unchanged when the signature is ours."""
        echostr = request.query.get("echostr", "")
        try:
            self.codec.verify(request.query)
            await self.replay.check(request.query.get("timestamp", ""), request.query.get("nonce", ""),
                                    b"GET " + echostr.encode())
        except BadCallback as exc:
            log.warning("wechat_mp verification refused: %s", exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        except Exception as exc:         # the nonce cache is down: WeChat will check again
            if not is_transient(exc):
                raise
            return UNAVAILABLE()
        return echo(echostr)

    async def callback(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("wechat_mp callback refused: body over the size limit")
            return web.Response(status=413, text="body too large")
        try:
            inbound = self.codec.decode(request.query, body)
            await self.replay.check(request.query.get("timestamp", ""), request.query.get("nonce", ""), body)
        except BadCallback as exc:       # no body in the log: it may hold a resident's words
            log.warning("wechat_mp callback refused: %s (%d bytes)", exc.reason, len(body))
            return web.Response(status=exc.status, text=exc.reason)
        except Exception as exc:         # the nonce cache is down: WeChat will retry
            if not is_transient(exc):
                raise
            return UNAVAILABLE()
        try:     # wechatpy converts fields when read: a non-numeric MsgId or CreateTime raises here
            message = translate(inbound.msg, inbound.fields)
        except BAD_INPUT as exc:
            log.warning("wechat_mp callback refused: not a message (%s)", type(exc).__name__)
            return web.Response(status=400, text="not a message")
        if message is None:              # a type we do not handle (VIEW, card events...): nothing to say
            return web.Response(text=SUCCESS)
        answer = await self.handlings.answer(message, self.ctx.settings.wechat_passive_timeout, self._handle)
        if answer.unavailable:
            return UNAVAILABLE()
        if answer.later or not answer.text:
            return web.Response(text=SUCCESS)
        first, rest = split_once(answer.text)
        if not first:
            return web.Response(text=SUCCESS)
        if rest:
            await self._queue_rest(message, rest)
        xml = self.codec.reply(inbound, first, request.query.get("nonce", ""), str(int(time.time())))
        return web.Response(text=xml, content_type="application/xml")

    async def _handle(self, ticket: Ticket, waiter: Waiter) -> list[Reply]:
        message = ticket.message
        await self._note_contact(message)
        if ticket.fresh and message.event in (EventType.FOLLOW, EventType.SCAN) and message.event_key:
            await self._note_scan(message)
        # pushes held while the window was shut go now: released in the message's transaction (bot/middlewares.py)
        return await self.ctx.inbox.run(ticket, waiter)

    async def _note_contact(self, message: Message) -> None:
        """A message opens the 48 h window, a follow, scan or click the 1 min one."""
        if message.event is EventType.UNFOLLOW:
            return
        await subscriptions.mark_following(self.ctx, CHANNEL, message.user)
        window = "message" if message.kind is not Kind.EVENT else "event" if message.event in EVENT_WINDOWS else None
        if window:
            # the window is named by WeChat's CreateTime, so a retried callback opens no second one
            now = self.ctx.clock.now()
            at = message.created_at if message.created_at and abs(now - message.created_at) < timedelta(minutes=5) \
                else now
            await self.pusher.windows.opened(message.user, window, at.timestamp())

    async def _note_scan(self, message: Message) -> None:
        """A dispute code scanned (subscribe with qrscene_, or SCAN): a row in the database, once per event."""
        kind = "follow" if message.event is EventType.FOLLOW else "scan"
        try:
            await record_scan(self.ctx, CHANNEL, message.event_key, message.msg_id, kind)
        except Exception:            # the count is worth less than the resident's answer
            log.exception("could not record a dispute-code scan")

    async def _queue_rest(self, message: Message, rest: str) -> None:
        """What did not fit the passive reply: one outbox row (the push side splits it into
        messages), due a moment after the passive reply. Keyed by MsgId: a retry adds nothing."""
        push = Push(CHANNEL, message.user, rest, kind=PushKind.REPLY, key=f"{CHANNEL}:reply:{message.msg_id}:rest")
        try:
            await self.ctx.outbox.later(push, REST_DELAY)
        except Exception:            # the first part still goes; the log says what was not sent
            log.exception("could not queue the rest of a long answer for %s", user_tag(message))
