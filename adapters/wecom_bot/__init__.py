"""WeCom smart robot (智能机器人, API mode): @-mentions in work groups and single chats.

The callback carries encrypted JSON (receive id ""). A reply must come in the callback's own
answer as an encrypted `stream` message; when the answer takes longer than the setting
`wecom_bot_timeout`, the stream is left open ("finish": false) and WeCom asks again with
stream-refresh callbacks until we finish it (for at most six minutes). A user has at most
three messages in flight with the robot, so every stream is finished as soon as it can be.
The group robot webhook (push-only digests) is a different thing: adapters/wecom_robot.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging

from aiohttp import web

from adapters.base import ChannelBase
from adapters.wecom_bot.crypto import BadCallback, BotCrypto
from adapters.wecom_bot.translate import CHANNEL, to_message
from bot.app import handle
from bot.context import AppContext
from bot.message import Message, Push
from bot.outbox import Delivery, Outcome

log = logging.getLogger("jiefen.wecom_bot")
STREAM_TTL = 600            # WeCom stops refreshing a stream after six minutes
WORKING = "收到，正在登记…"
WELCOME = "您好，我是解纷机器人。在群里@我并说明纠纷情况，我会登记并转给网格员；单聊可以补充信息。"


class WeComBotChannel(ChannelBase):
    name = CHANNEL

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.crypto = BotCrypto(ctx.settings.wecom_bot_token, ctx.settings.wecom_bot_aes_key)
        self._tasks: set[asyncio.Task] = set()

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/wecom/bot", self.verify)
        app.router.add_post("/wecom/bot", self.callback)

    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            plain = self.crypto.verify_url(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
                                           q.get("echostr", ""))
        except BadCallback as exc:
            log.warning("smart robot URL check refused: %s", exc.reason)
            return web.Response(status=403, text=f"refused: {exc.reason}")
        return web.Response(text=plain.decode() if isinstance(plain, bytes) else plain)

    async def callback(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            payload = self.crypto.decrypt(await request.read(), q.get("msg_signature", ""),
                                          q.get("timestamp", ""), q.get("nonce", ""))
        except BadCallback as exc:
            log.warning("smart robot callback refused: %s", exc.reason)
            return web.Response(status=exc.status, text=f"refused: {exc.reason}")
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
        task = asyncio.create_task(self._handle(message, stream_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            # shielded: WeCom hanging up must not cancel the handling of an acknowledged message
            text = await asyncio.wait_for(asyncio.shield(task), self.ctx.settings.wecom_bot_timeout)
        except asyncio.TimeoutError:
            return self._stream(stream_id, WORKING, finish=False, nonce=q.get("nonce", ""))
        if not text:
            return web.Response(text="")       # chatter in a group: say nothing
        return self._stream(stream_id, text, finish=True, nonce=q.get("nonce", ""))

    async def _handle(self, message: Message, stream_id: str) -> str:
        replies = await handle(self.ctx, message)
        text = "\n".join(r.text for r in replies)
        await self.ctx.state.set(f"wecom_bot:stream:{stream_id}", {"done": True, "text": text}, ttl=STREAM_TTL)
        return text

    async def _refresh(self, payload: dict, nonce: str) -> web.Response:
        stream = payload.get("stream") if isinstance(payload.get("stream"), dict) else {}
        stream_id = str(stream.get("id") or "")
        state = await self.ctx.state.get(f"wecom_bot:stream:{stream_id}") if stream_id else None
        if not state:
            return self._stream(stream_id, WORKING, finish=False, nonce=nonce)
        return self._stream(stream_id, state["text"] or "已收到。", finish=True, nonce=nonce)

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
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
