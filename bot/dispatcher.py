"""Routers with declarative filters, nested routers and a middleware onion (after aiogram 3).

A handler receives only the names its signature asks for, out of the data the middlewares
and filters put together: no globals.
"""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from bot.filters import Filter, as_filter
from bot.message import Message, Reply

Handler = Callable[..., Awaitable[Any]]
H = TypeVar("H", bound=Handler)
Middleware = Callable[[Callable[[Message, dict[str, Any]], Awaitable[Any]], Message, dict[str, Any]], Awaitable[Any]]


class _Unhandled:
    def __repr__(self) -> str:
        return "UNHANDLED"


UNHANDLED = _Unhandled()
# what a handler may return: replies in any of these shapes, or UNHANDLED to pass the message on
Answer = str | Reply | Iterable["str | Reply"] | _Unhandled | None


@dataclass
class HandlerObject:
    callback: Handler
    filters: tuple[Filter, ...]

    def __post_init__(self) -> None:
        params = inspect.signature(self.callback).parameters
        self.takes_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
        self.names = frozenset(n for n, p in params.items() if p.kind is not p.VAR_KEYWORD)

    async def check(self, message: Message, data: dict[str, Any]) -> dict[str, Any] | None:
        merged: dict[str, Any] = {}
        for f in self.filters:
            result = await f(message, {**data, **merged})
            if result is False:
                return None
            if isinstance(result, dict):
                merged.update(result)
        return merged

    async def call(self, message: Message, data: dict[str, Any]) -> Any:
        available = {"message": message, **data}
        kwargs = available if self.takes_all else {k: v for k, v in available.items() if k in self.names}
        return await self.callback(**kwargs)


class Router:
    def __init__(self, name: str = "", *filters: Filter | Callable[..., Any]) -> None:
        self.name = name
        self.filters = tuple(as_filter(f) for f in filters)
        self.handlers: list[HandlerObject] = []
        self.children: list[Router] = []
        self.inner: list[Middleware] = []      # around this router's handlers, once its filters passed

    def middleware(self, mw: Middleware) -> Middleware:
        """A middleware of this router only (aiogram's router-level middleware)."""
        self.inner.append(mw)
        return mw

    def message(self, *filters: Filter | Callable[..., Any]) -> Callable[[H], H]:
        def register(callback: H) -> H:
            self.handlers.append(HandlerObject(callback, tuple(as_filter(f) for f in filters)))
            return callback
        return register

    def include_router(self, router: "Router") -> "Router":
        if router is self or router in self.children:
            raise ValueError(f"router {router.name!r} is already included")
        self.children.append(router)
        return router

    async def propagate(self, message: Message, data: dict[str, Any]) -> Any:
        for f in self.filters:
            result = await f(message, data)
            if result is False:
                return UNHANDLED
            if isinstance(result, dict):
                data = {**data, **result}
        call: Callable[[Message, dict[str, Any]], Awaitable[Any]] = self._handle
        for mw in reversed(self.inner):
            call = partial(mw, call)
        return await call(message, data)

    async def _handle(self, message: Message, data: dict[str, Any]) -> Any:
        for handler in self.handlers:
            extra = await handler.check(message, data)
            if extra is None:
                continue
            result = await handler.call(message, {**data, **extra})
            if result is UNHANDLED:         # the handler looked and passed it on (aiogram's SkipHandler)
                continue
            if "meta" in data:
                data["meta"]["handler"] = handler.callback.__name__
            return result
        for child in self.children:
            result = await child.propagate(message, data)
            if result is not UNHANDLED:
                return result
        return UNHANDLED


class Dispatcher(Router):
    """The root router. `feed` runs one message through the middlewares and the routers and
    returns the replies, whatever shape the handler returned them in."""

    def __init__(self, name: str = "root", **workflow_data: Any) -> None:
        super().__init__(name)
        self.middlewares: list[Middleware] = []
        self.workflow_data = workflow_data

    def middleware(self, mw: Middleware) -> Middleware:
        self.middlewares.append(mw)
        return mw

    async def feed(self, message: Message, **data: Any) -> list[Reply]:
        async def innermost(msg: Message, d: dict[str, Any]) -> Any:
            return await self.propagate(msg, d)

        call: Callable[[Message, dict[str, Any]], Awaitable[Any]] = innermost
        for mw in reversed(self.middlewares):
            call = partial(mw, call)
        result = await call(message, {**self.workflow_data, "meta": {}, **data})
        return as_replies(result)


def as_replies(result: Any) -> list[Reply]:
    if result is None or result is UNHANDLED:
        return []
    if isinstance(result, Reply):
        return [result]
    if isinstance(result, str):
        return [Reply(result)]
    if isinstance(result, Iterable):
        return [r for item in result for r in as_replies(item)]
    raise TypeError(f"a handler returned {type(result).__name__}, not replies")
