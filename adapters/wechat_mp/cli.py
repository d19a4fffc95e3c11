"""`jiefen qrcode PLACE_CODE [--permanent] [--out FILE] [--url]` and `jiefen codes`."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.settings import Settings


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("qrcode", help="make a dispute code (解纷码) poster for a place")
    s.add_argument("place", metavar="PLACE", help="a place code or name (柳林村)")
    s.add_argument("--permanent", action="store_true",
                   help="a permanent code (QR_LIMIT_STR_SCENE; at most 100,000 per account) instead of a temporary one")
    s.add_argument("--days", type=int, help="lifetime of a temporary code in days (at most 30)")
    s.add_argument("--url", action="store_true", help="an offline code that opens the web chat at the place")
    s.add_argument("--local", action="store_true",
                   help="with --url: allow a code that opens this machine's loopback address (a test print)")
    s.add_argument("--out", help="the PNG poster to write (default: jiefen-code-PLACE.png)")
    s.set_defaults(func=cmd_qrcode)

    s = sub.add_parser("codes", help="scans, applications and resolved cases per dispute code")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_codes)


async def _context(settings: Settings):
    """Just what codes need: database, registry, state store (no language model)."""
    from bot.clock import Clock
    from bot.context import AppContext
    from storage.db import Database
    from storage.registry import read_registry
    from storage.state import open_state_store

    db = Database(settings.database_url)
    await db.migrate()
    async with db.session() as s:
        registry = await read_registry(s)
    return AppContext(settings=settings, clock=Clock(), db=db,
                      state=open_state_store(settings.state_url, settings.state_prefix), registry=registry, nlp=None)


async def make_code(settings: Settings, place: str, *, permanent: bool, url: bool, days: int | None, out: str | None,
                    local: bool = False) -> tuple[str, str]:
    from adapters.wechat_mp.api import WeChatAPI
    from adapters.wechat_mp.codes import points_at_this_machine, resolve_place, web_code, wechat_code
    from adapters.wechat_mp.poster import find_font, render_poster

    font = find_font(settings.poster_font)           # before asking WeChat: fail early and clearly
    ctx = await _context(settings)
    api = WeChatAPI(ctx)
    try:
        place = resolve_place(ctx, place)
        out = out or f"jiefen-code-{place}.png"
        if url:
            code = web_code(ctx, place, local=local)
            if local and points_at_this_machine(code.content):
                print(f"WARNING: this code opens {code.content}: only this machine can follow it. "
                      "Set JIEFEN_PUBLIC_URL before printing codes for residents.", file=sys.stderr)
        else:
            if not (settings.wechat_appid and settings.wechat_secret):
                raise SystemExit("a WeChat code needs JIEFEN_WECHAT_APPID and JIEFEN_WECHAT_SECRET (or use --url)")
            code = await wechat_code(ctx, api, place, permanent=permanent, days=days)
        county = ctx.registry.name(ctx.registry.county_code())
        footer = f"编号 {place}" + (f" · {code.expires_at[:10]} 前有效" if code.expires_at else "")
        poster = render_poster(code.content, ctx.registry.full_name(place), county, footer, font,
                               hint="手机扫一扫" if url else "微信扫一扫")
        await asyncio.to_thread(Path(out).write_bytes, poster)
        return out, code.content
    finally:
        await api.close()
        await ctx.close()


def cmd_qrcode(args: argparse.Namespace) -> int:
    from adapters.wechat_mp.api import APIError
    from adapters.wechat_mp.codes import CodeError
    from adapters.wechat_mp.poster import PosterError

    settings = Settings.load(config_file=args.config)
    try:
        out, content = asyncio.run(make_code(settings, args.place, permanent=args.permanent, url=args.url,
                                             days=args.days, out=args.out, local=args.local))
    except (CodeError, PosterError, APIError) as exc:
        print(f"no code made: {exc}", file=sys.stderr)
        return 1
    print(f"{out}: {content}")
    return 0


def cmd_codes(args: argparse.Namespace) -> int:
    from adapters.wechat_mp.codes import code_counts

    async def run():
        ctx = await _context(Settings.load(config_file=args.config))
        try:
            return await code_counts(ctx)
        finally:
            await ctx.close()

    rows = asyncio.run(run())
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"{'code':<12} {'place':<16} {'scans':>6} {'applied':>8} {'resolved':>9} {'rate':>6}")
    for r in rows:
        rate = f"{r['success_rate']:.0%}" if r["success_rate"] is not None else "-"
        print(f"{r['code']:<12} {r['place']:<16} {r['scans']:>6} {r['applications']:>8} {r['resolved']:>9} {rate:>6}")
    return 0
