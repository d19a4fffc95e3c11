"""Dispute codes: the API request, the poster, the CLI, and the counts per code."""
from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import select

from adapters.wechat_mp.api import WeChatAPI
from adapters.wechat_mp.codes import CodeError, code_counts, resolve_place, web_code, wechat_code
from adapters.wechat_mp.poster import PosterError, find_font
from jiefen.cli import main
from storage.cases import CaseStore
from storage.models import Case
from tests.fakes.wechat_api import FakeWeChatAPI

PNG = b"\x89PNG\r\n\x1a\n"


def has_cjk_font() -> bool:
    try:
        find_font()
        return True
    except PosterError:
        return False


needs_font = pytest.mark.skipif(not has_cjk_font(), reason="no CJK font here (Debian: fonts-wqy-microhei)")


async def test_temporary_and_permanent_codes(wx_ctx, fake_api):
    api = WeChatAPI(wx_ctx)
    try:
        temp = await wechat_code(wx_ctx, api, "DX01", permanent=False)
        perm = await wechat_code(wx_ctx, api, "NH01", permanent=True)
    finally:
        await api.close()
    first, second = fake_api.calls_to("/cgi-bin/qrcode/create")
    assert first.body == {"expire_seconds": 2592000, "action_name": "QR_STR_SCENE",
                          "action_info": {"scene": {"scene_str": "DX01"}}}
    assert second.body == {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "NH01"}}}
    assert temp.content.endswith("DX01") and temp.expires_at and perm.kind == "permanent" and not perm.expires_at


async def test_unknown_place_is_refused(wx_ctx):
    wx_ctx.settings = wx_ctx.settings.replace(public_url="https://jiefen.qingshan.gov.cn")
    with pytest.raises(CodeError):
        web_code(wx_ctx, "NOWHERE")
    assert web_code(wx_ctx, "DX01").content == "https://jiefen.qingshan.gov.cn/?place=DX01"


async def test_a_place_is_named_by_its_code_or_its_name(wx_ctx):
    assert [resolve_place(wx_ctx, p) for p in ("DX01", "柳林村", "柳林")] == ["DX01"] * 3
    with pytest.raises(CodeError, match="no place"):
        resolve_place(wx_ctx, "不存在村")


async def test_a_code_that_would_open_this_machine_is_refused(wx_ctx):
    """With JIEFEN_PUBLIC_URL unset the web chat's address is loopback: a printed code would
    open nothing on a resident's phone."""
    with pytest.raises(CodeError, match="JIEFEN_PUBLIC_URL"):
        web_code(wx_ctx, "DX01")
    assert "127.0.0.1" in web_code(wx_ctx, "DX01", local=True).content


async def test_counts_per_code(client, clock, resident, wx_ctx):
    await resident.event("SCAN", "DX01")
    await resident.event("SCAN", "DX01")               # WeChat's retry (same CreateTime): one scan
    clock.advance(seconds=30)
    await resident.event("SCAN", "DX01")
    await resident.say("楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    await resident.say("确认")
    await resident.event("subscribe", "qrscene_NH01")
    async with wx_ctx.db.session() as s:
        store = CaseStore(s, now=clock.now())
        case = await s.scalar(select(Case))
        await store.transition(case, "resolved", "test")
    rows = {r["code"]: r for r in await code_counts(wx_ctx)}
    assert rows["DX01"] == {"code": "DX01", "place": "东溪镇柳林村", "scans": 2, "applications": 1, "resolved": 1,
                            "success_rate": 1.0}
    assert rows["NH01"]["scans"] == 1 and rows["NH01"]["applications"] == 0


def _init(tmp_path, monkeypatch, **env: str) -> None:
    monkeypatch.setenv("JIEFEN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["init", "--demo"]) == 0


@needs_font
def test_cli_offline_code_writes_a_poster(tmp_path, monkeypatch, capsys):
    _init(tmp_path, monkeypatch, JIEFEN_PUBLIC_URL="https://jiefen.qingshan.gov.cn")
    out = tmp_path / "poster.png"
    assert main(["qrcode", "柳林村", "--url", "--out", str(out)]) == 0           # a name does
    assert out.read_bytes().startswith(PNG) and "place=DX01" in capsys.readouterr().out


@needs_font
def test_cli_refuses_a_loopback_code_and_warns_on_a_local_one(tmp_path, monkeypatch, capsys):
    _init(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert main(["qrcode", "柳林村", "--url"]) == 1
    assert "JIEFEN_PUBLIC_URL" in capsys.readouterr().err and not (tmp_path / "jiefen-code-DX01.png").exists()
    assert main(["qrcode", "柳林村", "--url", "--local"]) == 0
    assert "WARNING" in capsys.readouterr().err and (tmp_path / "jiefen-code-DX01.png").exists()


def test_cli_without_a_font_says_so(tmp_path, monkeypatch, capsys):
    _init(tmp_path, monkeypatch, JIEFEN_POSTER_FONT=str(tmp_path / "missing.ttf"),
          JIEFEN_PUBLIC_URL="https://jiefen.qingshan.gov.cn")
    assert main(["qrcode", "DX01", "--url", "--out", str(tmp_path / "p.png")]) == 1
    assert "font" in capsys.readouterr().err and not (tmp_path / "p.png").exists()


@needs_font
def test_cli_wechat_code_against_the_fake_api(tmp_path, monkeypatch, capsys):
    loop = asyncio.new_event_loop()
    fake = FakeWeChatAPI()
    loop.run_until_complete(fake.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        _init(tmp_path, monkeypatch, JIEFEN_WECHAT_APPID=fake.appid, JIEFEN_WECHAT_SECRET=fake.secret,
              JIEFEN_WECHAT_API_BASE=fake.url)
        out = tmp_path / "perm.png"
        assert main(["qrcode", "NH01", "--permanent", "--out", str(out)]) == 0
        assert out.read_bytes().startswith(PNG)
        assert "weixin.qq.com/q/fake-NH01" in capsys.readouterr().out
        [call] = fake.calls_to("/cgi-bin/qrcode/create")
        assert call.body["action_name"] == "QR_LIMIT_STR_SCENE"
        assert main(["codes", "--json"]) == 0
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
