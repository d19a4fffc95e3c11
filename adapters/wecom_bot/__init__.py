"""WeCom smart robot (智能机器人, API mode): @-mentions in work groups and single chats.

The callback carries encrypted JSON (receive id ""). A reply must come in the callback's own
answer as an encrypted `stream` message; when the answer takes longer than the setting
`wecom_bot_timeout`, the stream is left open ("finish": false) and WeCom asks again with
stream-refresh callbacks until we finish it (for at most six minutes). A user has at most
three messages in flight with the robot, so every stream is finished as soon as it can be.
The group robot webhook (push-only digests) is a different thing: adapters/wecom_robot.
"""
from __future__ import annotations

import hashlib
import logging

from aiohttp import web

from adapters.base import ChannelBase, echo
from adapters.inflight import Handlings
from adapters.replay import ReplayGuard
from adapters.wecom_bot.crypto import BadCallback, BotCrypto
from adapters.wecom_bot.translate import CHANNEL, to_message
from bot.context import AppContext
from bot.inbox import is_transient, replies_of
from bot.message import Push
from bot.outbox import Delivery, Outcome
from storage.inbox import InboxStatus

log = logging.getLogger("jiefen.wecom_bot")
STREAM_TTL = 600            # WeCom stops refreshing a stream after six minutes
WORKING = "收到，正在登记…"
WELCOME = "您好，我是解纷机器人。在群里@我并说明纠纷情况，我会登记并转给网格员；单聊可以补充信息。"


class WeComBotChannel(ChannelBase):
    name = CHANNEL

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.crypto = BotCrypto(ctx.settings.wecom_bot_token, ctx.settings.wecom_bot_aes_key)
        self.replay = ReplayGuard(ctx, CHANNEL)
        self.handlings = Handlings(ctx, CHANNEL)

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/wecom/bot", self.verify)
        app.router.add_post("/wecom/bot", self.callback)

    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            plain = self.crypto.verify_url(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
                                           q.get("echostr", ""))
            await self.replay.check(q.get("timestamp", ""), q.get("nonce", ""), b"GET " + q.get("echostr", "").encode())
        except BadCallback as exc:
            log.warning("smart robot URL check refused: %s", exc.reason)
            return web.Response(status=403, text=f"refused: {exc.reason}")
        except Exception as exc:         # the nonce cache is down: WeCom will check again
            if not is_transient(exc):
                raise
            return web.Response(status=503, text="try again")
        return echo(plain.decode() if isinstance(plain, bytes) else plain)

    async def callback(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            body = await request.read()
            payload = self.crypto.decrypt(body, q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
            await self.replay.check(q.get("timestamp", ""), q.get("nonce", ""), body)
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="body too large")
        except BadCallback as exc:
            log.warning("smart robot callback refused: %s", exc.reason)
            return web.Response(status=exc.status, text=f"refused: {exc.reason}")
        except Exception as exc:          # the nonce cache is down: WeCom retries
            if not is_transient(exc):
                raise
            return web.Response(status=503, text="busy, try again")
        kind = payload.get("msgtype")
        if kind == "stream":
            return await self._refresh(payload, q.get("nonce", ""))
        if kind == "event":
            event = (payload.get("event") or {}).get("eventtype") if isinstance(payload.get("event"), dict) else None
            if event == "enter_chat":
                return self._reply({"msgtype": "text", "text": {"content": WELCOME}}, q.get("nonce", ""))
            return web.Response(text="")
        message = to_message(payload, self.ctx.clock.now())
        if message is None:
            return web.Response(text="")
        stream_id = hashlib.sha1(f"{message.user}|{message.msg_id}".encode()).hexdigest()[:20]
        answer = await self.handlings.answer(message, self.ctx.settings.wecom_bot_timeout, keep_late=True)
        if answer.unavailable:
            return web.Response(status=503, text="busy, try again")
        if answer.later:                    # the answer is kept with the message: WeCom's refresh fetches it
            try:
                await self.ctx.state.set(f"wecom_bot:stream:{stream_id}", answer.item_id, ttl=STREAM_TTL)
            except Exception:
                log.warning("could not note a stream; its refresh will finish it plainly")
            return self._stream(stream_id, WORKING, finish=False, nonce=q.get("nonce", ""))
        if not answer.text:
            return web.Response(text="")       # chatter in a group: say nothing
        return self._stream(stream_id, answer.text, finish=True, nonce=q.get("nonce", ""))

    async def _refresh(self, payload: dict, nonce: str) -> web.Response:
        stream = payload.get("stream") if isinstance(payload.get("stream"), dict) else {}
        stream_id = str(stream.get("id") or "")
        try:
            item_id = await self.ctx.state.get(f"wecom_bot:stream:{stream_id}") if stream_id else None
            row = await self.ctx.inbox.store.get(int(item_id)) if isinstance(item_id, int) else None
        except Exception as exc:
            if not is_transient(exc):
                raise
            return web.Response(status=503, text="busy, try again")
        if row is None:
            return self._stream(stream_id, "已收到。", finish=True, nonce=nonce)
        if row.status not in (InboxStatus.DONE, InboxStatus.DEAD):
            return self._stream(stream_id, WORKING, finish=False, nonce=nonce)
        text = "\n".join(r.text for r in replies_of(row) if r.text)
        return self._stream(stream_id, text or "已收到。", finish=True, nonce=nonce)

    def _stream(self, stream_id: str, content: str, *, finish: bool, nonce: str) -> web.Response:
        return self._reply({"msgtype": "stream", "stream": {"id": stream_id, "finish": finish, "content": content}},
                           nonce)

    def _reply(self, payload: dict, nonce: str) -> web.Response:
        return web.json_response(self.crypto.encrypt(payload, nonce=nonce or None))

    async def deliver(self, push: Push) -> Delivery:
        # the robot cannot start a conversation; its users are the corp's members, whom the
        # WeCom app reaches under the same user id
        app = self.ctx.channels.get("wecom_app")
        if app is None:
            return Delivery(Outcome.FAILED, "no WeCom app channel to reach robot users")
        return await app.deliver(Push("wecom_app", push.user, push.text, push.case_number, push.kind, push.key))

    async def stop(self) -> None:
        await self.handlings.stop()
