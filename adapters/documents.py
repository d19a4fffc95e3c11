"""A staff member's link to a case's mediation documents (bot/mediation.py document_link):
`/mediation/documents/TOKEN` lists the files, `/mediation/documents/TOKEN/K` sends the K-th;
`/mediation/invite/CODE` shows an invitation as a QR code.
The token is random, expiring and kept only as a hash; an unknown or expired one gets 404 and
nothing else. The documents are made from the case when asked (never stored)."""
from __future__ import annotations

import html
import io
import logging
import re
from urllib.parse import quote

import segno
from aiohttp import web

from bot.context import AppContext
from bot.documents import DocumentError
from bot.mediation import case_documents
from storage.cases import CaseStore
from storage.mediation import MediationStore

log = logging.getLogger("jiefen.documents")
_TOKEN = re.compile(r"^[A-Za-z0-9]{16,64}$")
_INVITE = re.compile(r"^[A-Z0-9]{10}$")
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
TYPES = {".pdf": "application/pdf",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class DocumentLinks:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/mediation/documents/{token}", self.index)
        app.router.add_get("/mediation/documents/{token}/{k}", self.file)
        app.router.add_get("/mediation/invite/{code}", self.invite_qr)

    async def invite_qr(self, request: web.Request) -> web.Response:
        """The invitation as a QR code the mediator shows on their phone, face to face: it opens
        the web chat with the code. Made from the code in the address, nothing stored or looked
        up (the code is the mediator's to show; the chat checks it when it is used)."""
        code = request.match_info["code"]
        if not _INVITE.match(code):
            raise web.HTTPNotFound(headers=PRIVATE)
        url = f"{self.ctx.settings.web_url.rstrip('/')}/?invite={code}"
        buf = io.BytesIO()
        segno.make(url, error="m").save(buf, kind="svg", scale=8, border=2, xmldecl=False)
        page = ("<!doctype html><html lang=zh-CN><meta charset=utf-8><meta name=viewport content='width=device-width'>"
                "<title>调解邀请</title><body style='font:18px/1.6 sans-serif;text-align:center;margin:1em'>"
                f"<p>请对方用手机扫码，进入调解对话</p>{buf.getvalue().decode()}"
                f"<p style='color:#666'>或在对话框里发送：邀请码 {code}</p></body></html>")
        return web.Response(text=page, content_type="text/html", charset="utf-8", headers=PRIVATE)

    async def _documents(self, token: str):
        if not _TOKEN.match(token):
            return None, []
        async with self.ctx.db.session() as s:
            link = await MediationStore(s, now=self.ctx.clock.now()).document_link(token)
            if link is None:
                return None, []
            case = await CaseStore(s, now=self.ctx.clock.now()).get_by_id(link.case_id)
            if case is None:
                return None, []
            try:
                docs = await case_documents(s, self.ctx.settings, self.ctx.registry, case,
                                            application=link.kind == "application")
            except DocumentError as exc:         # a county's broken template: the staff member is told
                log.error("documents of %s: %s", case.number, exc)
                raise web.HTTPInternalServerError(text=f"文书生成失败：{exc}", headers=PRIVATE) from None
            return case, docs

    async def index(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        case, docs = await self._documents(token)
        if case is None:
            raise web.HTTPNotFound(text="链接无效或已过期，请在企业微信里重新获取（文书 案件编号）。", headers=PRIVATE)
        items = "".join(f'<li><a href="/mediation/documents/{token}/{k}">{html.escape(d.name)}</a></li>'
                        for k, d in enumerate(docs))
        page = (f"<!doctype html><html lang=zh-CN><meta charset=utf-8><meta name=viewport content='width=device-width'>"
                f"<title>{html.escape(case.number)} 调解文书</title><body style='font:16px/1.6 sans-serif;margin:1em'>"
                f"<h1 style='font-size:1.2em'>{html.escape(case.number)} 调解文书</h1><ul>{items}</ul>"
                "<p style='color:#666'>Word 文件可在 Word / WPS 中修改后打印；"
                "PDF 可直接打印，每方一份。</p></body></html>")
        return web.Response(text=page, content_type="text/html", charset="utf-8", headers=PRIVATE)

    async def file(self, request: web.Request) -> web.Response:
        case, docs = await self._documents(request.match_info["token"])
        k = request.match_info["k"]
        if case is None or not (k.isascii() and k.isdigit()) or int(k) >= len(docs):
            raise web.HTTPNotFound(text="链接无效或已过期。", headers=PRIVATE)
        doc = docs[int(k)]
        suffix = doc.name[doc.name.rfind("."):]
        return web.Response(body=doc.data, headers={
            **PRIVATE, "Content-Type": TYPES.get(suffix, "application/octet-stream"),
            "Content-Disposition": f"attachment; filename=\"document{suffix}\"; filename*=UTF-8''{quote(doc.name)}"})
