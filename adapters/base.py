"""The small interface every channel adapter has (after opsdroid's connectors)."""
from __future__ import annotations

from typing import Protocol

from aiohttp import web
from multidict import MultiDictProxy

from bot.message import Push
from bot.outbox import Delivery


class BadCallback(Exception):
    """A callback that is forged, broken or not for us: refused with a 4xx and a short reason
    (never the body: it may hold a resident's words)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


async def read_form(request: web.Request) -> MultiDictProxy:
    """The request's form, or 400: a charset that does not exist, bytes that are no text, a
    multipart body cut short or without its boundary (each was a 500)."""
    try:
        return await request.post()
    except (ValueError, LookupError, AssertionError):
        raise web.HTTPBadRequest(text="表单没能读出来，请回到页面重新填写后提交。", content_type="text/plain") from None


def echo(text: str) -> web.Response:
    """A URL check's answer: the echostr as plain text, never read as markup by a browser
    (it is whatever the request carried)."""
    return web.Response(text=text, content_type="text/plain", headers={"X-Content-Type-Options": "nosniff"})


class Channel(Protocol):
    name: str
    takes_pushes: bool       # False: the bot cannot start a message there (nothing is queued for it)
    lasting_account: bool    # False: the sender's id is no way to reach them (a web page's cookie)

    def mount(self, app: web.Application) -> None:
        """Webhook channels add their routes to the one shared aiohttp app."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, push: Push) -> Delivery:
        """Send a push started by the bot (outbox); say whether it arrived."""


class ChannelBase:
    """Sane defaults for the optional parts."""
    name = "base"
    takes_pushes = True
    lasting_account = True     # staff can reach the person through the account they write from

    def mount(self, app: web.Application) -> None:
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass
