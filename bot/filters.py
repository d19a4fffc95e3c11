"""Composable filters. A filter answers False (no match), True, or a dict of values that the
handler may ask for by name (aiogram's convention)."""
from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.message import EventType, Kind, Message

FilterResult = bool | dict[str, Any]


class Filter:
    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        raise NotImplementedError

    def __and__(self, other: "Filter | Callable[..., Any]") -> "Filter":
        return _All((self, as_filter(other)))

    def __or__(self, other: "Filter | Callable[..., Any]") -> "Filter":
        return _Any((self, as_filter(other)))

    def __invert__(self) -> "Filter":
        return _Not(self)


class _Callable(Filter):
    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.wants_data = len(inspect.signature(func).parameters) > 1

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        result = self.func(message, data) if self.wants_data else self.func(message)
        if inspect.isawaitable(result):
            result = await result
        return result if isinstance(result, dict) else bool(result)


class _All(Filter):
    def __init__(self, parts: Iterable[Filter]) -> None:
        self.parts = tuple(parts)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        merged: dict[str, Any] = {}
        for part in self.parts:
            result = await part(message, {**data, **merged})
            if result is False:
                return False
            if isinstance(result, dict):
                merged.update(result)
        return merged or True


class _Any(Filter):
    def __init__(self, parts: Iterable[Filter]) -> None:
        self.parts = tuple(parts)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        for part in self.parts:
            result = await part(message, data)
            if result is not False:
                return result
        return False


class _Not(Filter):
    def __init__(self, inner: Filter) -> None:
        self.inner = inner

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        return (await self.inner(message, data)) is False


def as_filter(f: "Filter | Callable[..., Any]") -> Filter:
    return f if isinstance(f, Filter) else _Callable(f)


class KindIs(Filter):
    def __init__(self, *kinds: Kind) -> None:
        self.kinds = frozenset(kinds)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        return message.kind in self.kinds


class EventIs(Filter):
    def __init__(self, *events: EventType) -> None:
        self.events = frozenset(events)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        return message.kind is Kind.EVENT and message.event in self.events


class Regex(Filter):
    """Matches the (normalised, when available) text; hands the match over as `match`."""

    def __init__(self, pattern: str | re.Pattern[str], flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags) if isinstance(pattern, str) else pattern

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        text = data.get("text", message.text)
        m = self.pattern.search(text)
        return {"match": m} if m else False


class ChannelIs(Filter):
    def __init__(self, *channels: str) -> None:
        self.channels = frozenset(channels)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        return message.channel in self.channels


class InGroup(Filter):
    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        return bool(message.chat)


class StepIs(Filter):
    """The resident's conversation is at one of these steps."""

    def __init__(self, *steps: str | None) -> None:
        self.steps = frozenset(steps)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        conv = data.get("conversation")
        return conv is not None and conv.step in self.steps


class Drafting(Filter):
    """The resident has a report in progress (a draft, possibly already opened as an urgent case)."""

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        conv = data.get("conversation")
        return conv is not None and conv.draft is not None


class Spoken(Filter):
    """The message has words (the resident router's `hear` put them in `words`)."""

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        return data.get("words") is not None


class IntentIs(Filter):
    """The words show one of these intents (nlp/intents.py)."""

    def __init__(self, *intents: Any) -> None:
        self.intents = frozenset(intents)

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        words = data.get("words")
        return words is not None and not self.intents.isdisjoint(words.intents)


class Corrected(Filter):
    """The words began with a correction (不对 / 错了 …)."""

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        words = data.get("words")
        return words is not None and words.corrected


AsyncPredicate = Callable[[Message, dict[str, Any]], Awaitable[FilterResult]]
