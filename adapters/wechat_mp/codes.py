"""Dispute codes (解纷码): a parametric QR code per place whose scene is the place code, or an
offline code that opens the web chat at that place; and the counts the centre reads per code
(scans, applications, resolved cases, success rate).

Scans are rows in the database (`code_scans`), written when the scan event arrives, so that
`jiefen codes` — another process, with a state store of its own — counts them; a retried
event is stored once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlparse

from adapters.wechat_mp.api import WeChatAPI
from bot.context import AppContext
from storage import scans

MAX_TEMPORARY = 2592000           # 30 days: WeChat's limit for a temporary code


class CodeError(Exception):
    pass


@dataclass(frozen=True)
class DisputeCode:
    place_code: str
    content: str                  # what the QR code encodes
    kind: str                     # permanent | temporary | web
    expires_at: str = ""          # ISO time, temporary codes only


def resolve_place(ctx: AppContext, given: str) -> str:
    """A place code, or a place's name or alias ("柳林村" → DX01); refused with the candidates
    when a name is shared by several places."""
    reg = ctx.registry
    if given in reg.places:
        return given
    named = [c for c, p in reg.places.items() if given in (p.name, *p.aliases)]
    if len(named) == 1:
        return named[0]
    if named:
        raise CodeError(f"{given!r} names several places: " + ", ".join(f"{c} ({reg.full_name(c)})" for c in named))
    raise CodeError(f"no place {given!r} in the registry (jiefen registry lists codes and names)")


def check_place(ctx: AppContext, place_code: str) -> str:
    if place_code not in ctx.registry.places:
        raise CodeError(f"no place {place_code!r} in the registry (jiefen registry lists them)")
    if not 1 <= len(place_code) <= 64:          # QR_*_STR_SCENE takes 1–64 characters
        raise CodeError("a place code for a QR scene must be 1–64 characters")
    return place_code


def points_at_this_machine(url: str) -> bool:
    """A printed code that opens 127.0.0.1 works on nobody's phone."""
    host = (urlparse(url).hostname or "").lower()
    return host in ("localhost", "0.0.0.0", "::1", "") or host.startswith("127.")


async def wechat_code(ctx: AppContext, api: WeChatAPI, place_code: str, *, permanent: bool,
                      days: int | None = None) -> DisputeCode:
    """Ask WeChat for a parametric code; scanning it sends SCAN (or subscribe with qrscene_) with the place code."""
    check_place(ctx, place_code)
    scene = {"scene": {"scene_str": place_code}}
    if permanent:   # at most 100,000 permanent codes per account: for printed posters only
        body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": scene}
    else:
        seconds = min(MAX_TEMPORARY, int((days or ctx.settings.wechat_qr_days) * 86400))
        body = {"expire_seconds": seconds, "action_name": "QR_STR_SCENE", "action_info": scene}
    data = await api.call("/cgi-bin/qrcode/create", body)
    expires = ""
    if not permanent:
        expires = (ctx.clock.now() + timedelta(seconds=int(data.get("expire_seconds", body["expire_seconds"])))).isoformat()
    code = DisputeCode(place_code, data["url"], "permanent" if permanent else "temporary", expires)
    await ctx.state.set(f"qrcode:{place_code}:{code.kind}", {"url": code.content, "ticket": data.get("ticket", ""),
                                                             "expires_at": expires,
                                                             "created_at": ctx.clock.now().isoformat()})
    return code


def web_code(ctx: AppContext, place_code: str, *, local: bool = False) -> DisputeCode:
    """An offline code: the web chat opened at the place (no WeChat account needed). Refused
    when it would open this machine's loopback address, unless `local` (a test print)."""
    check_place(ctx, place_code)
    if points_at_this_machine(ctx.settings.web_url) and not local:
        raise CodeError(f"the code would open {ctx.settings.web_url}, which no phone can reach: set "
                        "JIEFEN_PUBLIC_URL to the address residents reach the web chat at (or --local for a test print)")
    return DisputeCode(place_code, f"{ctx.settings.web_url.rstrip('/')}/?{urlencode({'place': place_code})}", "web")


async def record_scan(ctx: AppContext, channel: str, code: str, event_id: str, kind: str,
                      at: datetime | None = None) -> bool:
    """Store one scan of `code` (storage/scans.py); False when this event was stored before.
    `event_id` names the event as the channel does (WeChat: FromUserName + CreateTime + event)."""
    return await scans.record_scan(ctx.db, channel, code, event_id, kind, at or ctx.clock.now())


async def code_counts(ctx: AppContext) -> list[dict]:
    """Per code: scans, applications and resolved cases."""
    return await scans.code_counts(ctx.db, ctx.registry)
