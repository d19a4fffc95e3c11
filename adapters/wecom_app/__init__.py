"""The WeCom app channel (企业微信自建应用), the staff side: staff send commands to the app
(callback at /wecom/app) and receive assignments, reminders, red cards and escalations as app
messages sent from the outbox, within WeCom's per-member limits."""
from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from adapters.base import ChannelBase, echo
from adapters.inflight import Handlings
from adapters.replay import ReplayGuard
from adapters.wecom_app.api import WeComAPI, WeComError
from adapters.wecom_app.codec import BadCallback, Codec
from adapters.wecom_app.limits import Limits
from bot.context import AppContext
from bot.inbox import is_transient
from bot.message import Push
from bot.outbox import Delivery, Outcome

log = logging.getLogger("jiefen.wecom_app")
PATH = "/wecom/app"
GONE = frozenset({81013, 60111, 60103})        # no valid recipient, no such user, bad userid
SLOW_DOWN = frozenset({45009, 45033, 45047})   # API frequency / concurrency limits


class WeComAppChannel(ChannelBase):
    name = "wecom_app"

    def __init__(self, ctx: AppContext):
        s = ctx.settings
        self.ctx = ctx
        self.codec = Codec(s.wecom_token, s.wecom_aes_key, s.wecom_corpid)
        self.api = WeComAPI(ctx)
        self.limits = Limits(ctx, "wecom_app", ((60, s.wecom_per_minute), (3600, s.wecom_per_hour)))
        self.replay = ReplayGuard(ctx, self.name)
        self.handlings = Handlings(ctx, self.name)

    def mount(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.callback)

    async def stop(self) -> None:
        await self.handlings.stop()
        await self.api.close()

    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            plain = self.codec.verify(q)
            await self.replay.check(q.get("timestamp", ""), q.get("nonce", ""), b"GET " + q.get("echostr", "").encode())
        except BadCallback as exc:
            log.warning("WeCom verification refused: %s", exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        except Exception as exc:         # the nonce cache is down: WeCom will check again
            if not is_transient(exc):
                raise
            return web.Response(status=503, text="try again")
        return echo(plain)           # plain text: no quotes, BOM or newline

    async def callback(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
            inbound = self.codec.decode(request.query, body)
            await self.replay.check(request.query.get("timestamp", ""), request.query.get("nonce", ""), body)
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="body too large")
        except BadCallback as exc:
            log.warning("WeCom callback refused: %s", exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        except Exception as exc:          # the nonce cache is down: WeCom retries
            if not is_transient(exc):
                raise
            return web.Response(status=503, text="busy, try again")
        if inbound.message is None:
            return web.Response(text="")
        answer = await self.handlings.answer(inbound.message, self.ctx.settings.wechat_passive_timeout)
        if answer.unavailable:
            return web.Response(status=503, text="busy, try again")
        if answer.later or not answer.text:       # a late answer arrives as an app message
            return web.Response(text="")
        return web.Response(text=self.codec.reply(inbound, answer.text, request.query.get("nonce")),
                            content_type="application/xml")

    async def deliver(self, push: Push) -> Delivery:
        wait = await self.limits.admit(push.user)
        if wait is not None:
            return Delivery(Outcome.RETRY, "per-member limit", retry_after=wait)
        try:
            data = await self.api.send_text(push.user, push.text)
        except (TimeoutError, aiohttp.ClientError, WeComError) as exc:
            return Delivery(Outcome.RETRY, f"{type(exc).__name__}: {exc}")
        code = data.get("errcode", -1)
        if code == 0 and push.user not in (data.get("invaliduser") or "").split("|"):
            return Delivery(Outcome.SENT, str(data.get("msgid", "")))
        if code in GONE or code == 0:
            return Delivery(Outcome.FAILED, f"{code} {data.get('errmsg', '')} invalid user")
        if code in SLOW_DOWN:
            return Delivery(Outcome.RETRY, f"{code} {data.get('errmsg', '')}", retry_after=60)
        return Delivery(Outcome.RETRY, f"{code} {data.get('errmsg', '')}")
