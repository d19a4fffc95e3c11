"""A generic group-forwarding endpoint: another group platform or a 12345 hotline system
forwards posts here, signed, and gets back the one line to show in the group.

POST /api/group/forward
    headers  X-Jiefen-Timestamp: unix seconds (within 5 minutes of ours)
             X-Jiefen-Signature: hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret
    body     {"platform": "12345", "chat_id": "...", "msg_id": "...", "sender": {"id": "...", "name": "..."},
              "text": "...", "quoted": "...", "mentioned": true}
    answer   200 {"reply": "已登记，编号 …" | null}; 400 malformed; 401 bad or stale signature
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from aiohttp import web

from adapters.base import ChannelBase
from adapters.inflight import Handlings
from bot.context import AppContext
from bot.message import Message, Push
from bot.outbox import Delivery, Outcome

log = logging.getLogger("jiefen.group_forward")
CHANNEL = "group_forward"
SKEW = 300
WAIT = 20.0          # seconds a post waits for its reply; a later one is kept for the same post's retry


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class GroupForwardChannel(ChannelBase):
    name = CHANNEL
    takes_pushes = False      # the platform only forwards posts in; updates go to its own people

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.handlings = Handlings(ctx, CHANNEL)

    async def stop(self) -> None:
        await self.handlings.stop()

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/api/group/forward", self.forward)

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        stamp = request.headers.get("X-Jiefen-Timestamp", "")
        given = request.headers.get("X-Jiefen-Signature", "")
        if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12 or abs(int(time.time()) - int(stamp)) > SKEW:
            return web.json_response({"error": "timestamp missing or stale"}, status=401)
        if not hmac.compare_digest(sign(self.ctx.settings.group_forward_secret, stamp, body), given):
            log.warning("group forward refused: bad signature")
            return web.json_response({"error": "bad signature"}, status=401)
        try:
            post = json.loads(body)
            if not isinstance(post, dict) or not isinstance(post.get("sender"), dict):
                raise ValueError("the post and its sender must be JSON objects")
            sender = post["sender"]
            # names are strings (or a msg_id a number), never null, a list or an object: a value
            # turned into "None" or "['a']" would name a person or a chat that is not there
            fields = {"platform": post["platform"], "chat": post["chat_id"], "user": sender["id"],
                      "text": post["text"], "quoted": post.get("quoted", ""), "msg_id": post.get("msg_id", "")}
            if isinstance(fields["msg_id"], int) and not isinstance(fields["msg_id"], bool):
                fields["msg_id"] = str(fields["msg_id"])
            if not all(isinstance(v, str) for v in fields.values()):
                raise TypeError("platform, chat_id, sender.id, text, quoted and msg_id must be strings")
            if not (fields["platform"] and fields["chat"] and fields["user"] and fields["text"].strip()):
                raise ValueError("platform, chat_id, sender.id and text must not be empty")
            if not isinstance(post.get("mentioned", True), bool) or not isinstance(sender.get("name", ""), str):
                raise TypeError("mentioned must be true or false; sender.name a string")
            limit = self.ctx.settings.max_text_chars
            if limit and len(fields["text"]) + len(fields["quoted"]) > limit:
                # a system cannot "split it into several messages" as a person is asked to: it is told
                # so in its own terms, and nothing is half-read
                return web.json_response({"error": f"text over {limit} characters: send a summary or several posts"},
                                         status=413)
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError, RecursionError) as exc:
            return web.json_response({"error": f"malformed post: {type(exc).__name__}"}, status=400)
        message = Message(channel=CHANNEL, user=f"{fields['platform']}:{fields['user']}", text=fields["text"],
                          quoted=fields["quoted"], chat=f"{fields['platform']}:{fields['chat']}",
                          # without an id, the signature names the post: a replay is the same post
                          msg_id=f"{fields['platform']}:{fields['msg_id'] or given[:32]}",
                          mentioned=post.get("mentioned", True), sender_name=sender.get("name", ""),
                          created_at=self.ctx.clock.now(), raw=post)
        answer = await self.handlings.answer(message, WAIT, same_words=True)
        if answer.unavailable:
            return web.json_response({"error": "busy, send the post again"}, status=503)
        if answer.conflict:
            return web.json_response({"error": "msg_id already used for another post"}, status=409)
        return web.json_response({"reply": "\n".join(r.text for r in answer.replies) or None,
                                  "queued": answer.later})

    async def deliver(self, push: Push) -> Delivery:
        return Delivery(Outcome.FAILED, "the forwarding platform takes no pushes")
