"""Dispute-code poster sheets (解纷码) for every village and community of an area in one
download: a ZIP of print-ready PNGs, each the web chat's code for its place, so a town prints
its villages' posters at once. (A WeChat code needs a call to WeChat per place; those are
made one by one with `jiefen qrcode`.) Refused, with the reason, while the web chat's public
address is this machine's loopback: no phone could open such a code."""
from __future__ import annotations

import asyncio
import io
import zipfile

from aiohttp import web

from adapters.console.auth import guarded
from adapters.console.dashboard import area_for
from adapters.wechat_mp.codes import CodeError, DisputeCode, web_code
from adapters.wechat_mp.poster import PosterError, find_font, render_poster
from bot.scope import DESK_ROLES
from storage.registry import Registry

POSTER_LEVELS = ("village", "community")


@guarded(roles=DESK_ROLES)
async def sheet(request: web.Request) -> web.Response:
    from adapters.console import console_of
    ctx = console_of(request).ctx
    reg = ctx.registry
    area, places = area_for(request, reg)              # outside the person's scope: 404
    targets = sorted(c for c in (places if places is not None else reg.places)
                     if reg.places[c].level in POSTER_LEVELS)
    if not targets:
        raise web.HTTPNotFound(text="这个地区下没有村（社区），没有解纷码可印。", content_type="text/plain")
    # the reasons are for whoever runs the server: staff are told what to ask them for
    try:
        codes = [web_code(ctx, c) for c in targets]
    except CodeError:
        raise web.HTTPConflict(text=f"解纷码现在不能印：网页聊天的地址 {ctx.settings.web_url} 是这台服务器的本机地址，"
                                    "居民的手机打不开。请系统管理员设置居民能访问的网址（JIEFEN_PUBLIC_URL）。",
                               content_type="text/plain") from None
    try:
        font = find_font(ctx.settings.poster_font)
    except PosterError:
        raise web.HTTPConflict(text="解纷码现在不能印：服务器上没有可用的中文字体。请系统管理员安装中文字体"
                                    "（Debian：fonts-wqy-microhei）或设置 JIEFEN_POSTER_FONT。",
                               content_type="text/plain") from None
    body = await asyncio.to_thread(_zip, codes, reg, font)      # a few hundred ms a poster: off the loop
    name = f"jiefen-codes-{area or 'county'}.zip"
    return web.Response(body=body, headers={"Content-Type": "application/zip", "Cache-Control": "no-store",
                                            "Content-Disposition": f'attachment; filename="{name}"'})


def _zip(codes: list[DisputeCode], reg: Registry, font: str) -> bytes:
    county = reg.name(reg.county_code())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:      # PNGs are compressed already
        for code in codes:
            full = reg.full_name(code.place_code)
            png = render_poster(code.content, full, county, f"编号 {code.place_code}", font, hint="手机扫一扫")
            zf.writestr(f"{code.place_code}-{reg.places[code.place_code].name}.png", png)
    return out.getvalue()
