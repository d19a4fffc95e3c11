"""The mediation record's documents: the People's Mediation Agreement (人民调解协议书, People's
Mediation Law Art. 29) and the joint application for judicial confirmation (司法确认申请书).

Each is a Word file made from a template a county can open and change in Word (docxtpl: Jinja
tags in the text, bot/templates/*.docx; a county's own in `JIEFEN_TEMPLATE_DIR`), and a PDF
drawn with reportlab in a CJK font embedded in the file. One copy per party and one for the
committee's file, each marked with who holds it.

What a document shows of a party: role, name, an organisation's representative, address —
never a phone number: each party takes a copy home, and no party reads the other's contact.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from bot.lifecycle import PARTY_ROLE_NAMES
from bot.privacy import mask_numbers
from storage.cases import FULL_WIDTH_ALNUM
from storage.lifecycle import AgreementForm, PartyKind
from storage.models import Agreement, Case, CaseParty

TEMPLATES = Path(__file__).with_name("templates")
AGREEMENT_TEMPLATE = "agreement.docx"
APPLICATION_TEMPLATE = "application.docx"
ROLE_NAMES = PARTY_ROLE_NAMES
FONT_CANDIDATES = (                    # TrueType outlines: reportlab embeds these (not CFF-based Noto CJK)
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",          # Debian: fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",            # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",              # fonts-arphic-uming
)


class DocumentError(Exception):
    pass


@dataclass(frozen=True)
class Document:
    name: str              # a file name: 协议书_JF261123-007_申请人张三.docx
    data: bytes


def find_font(configured: str = "") -> str:
    if configured:
        if not Path(configured).is_file():
            raise DocumentError(f"document font {configured!r} (JIEFEN_DOCUMENT_FONT) does not exist")
        return configured
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise DocumentError("no CJK TrueType font for the PDF: install one (Debian: apt-get install "
                        "fonts-wqy-microhei) or set JIEFEN_DOCUMENT_FONT to a .ttf/.ttc file")


def _date(when: datetime | None, tz: str) -> str:
    if when is None:
        return ""
    local = when.astimezone(ZoneInfo(tz))
    return f"{local.year}年{local.month}月{local.day}日"


def _party(p: CaseParty) -> dict[str, Any]:
    return {"role": ROLE_NAMES.get(p.role, p.role), "name": p.name or "（未填）",
            "organisation": p.kind == PartyKind.ORGANISATION, "representative": p.representative,
            "address": p.address}


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}元" if fen else ""


# what a form-filling input method types for digits and letters (８５００), and emoji: printed as
# they are, the one spaced out in the document's font and the other a blank gap
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")


def printable(text: str) -> str:
    """A field as a document prints it: numbers masked, digits and letters half-width, no emoji."""
    return _EMOJI.sub("", mask_numbers(text or "").translate(FULL_WIDTH_ALNUM))


def file_safe(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff（）()·-]+", "", text)[:40]


def agreement_context(case: Case, agreement: Agreement, parties: list[CaseParty], *, mediator: str, place: str,
                      tz: str) -> dict[str, Any]:
    """What the templates may use (README: "Documents" lists the names)."""
    people = [_party(p) for p in parties]
    holders = [f"{d['role']}{d['name']}" for d in people] + [agreement.committee or "人民调解委员会"]
    performance = agreement.performance_method
    if agreement.performance_due is not None:
        by = f"于{_date(agreement.performance_due, tz)}前履行完毕"
        performance = (performance + "；" if performance else "") + by
    return {
        "number": agreement.number, "case_number": case.number, "committee": agreement.committee,
        "oral": agreement.form == AgreementForm.ORAL, "parties": people, "place": place,
        # every holder gets a copy: no party's number is printed, whatever the fields hold
        "facts": printable(agreement.facts), "disputes": printable(agreement.disputes) or "（见纠纷事实）",
        # nothing the mediator did not write: an empty 责任 is said to be empty
        "responsibility": printable(agreement.responsibility) or "（未单独写明）",
        "terms": printable(agreement.terms), "amount": _yuan(agreement.amount_fen),
        "performance": printable(performance) or "（见协议内容）",
        "mediator": mediator, "signed_on": _date(agreement.signed_at, tz), "copies": len(holders),
        "holders": holders, "court": agreement.confirm_court,
        "confirm_until": _date(agreement.confirm_window_ends, tz),
    }


def template_path(name: str, template_dir: str = "") -> Path:
    if template_dir:
        own = Path(template_dir) / name
        if own.is_file():
            return own
    return TEMPLATES / name


def render_docx(template: Path, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2 import Environment, StrictUndefined

    try:
        doc = DocxTemplate(str(template))
        # a name the context does not have is an error, not a blank in a legal document
        doc.render(context, jinja_env=Environment(undefined=StrictUndefined), autoescape=True)
    except Exception as exc:        # a county's template with a broken tag: say which file
        raise DocumentError(f"the template {template} cannot be filled in: {exc}") from exc
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def agreement_docx(context: dict[str, Any], template_dir: str = "") -> list[Document]:
    """One Word file per holder (each party, then the committee's file copy)."""
    path = template_path(AGREEMENT_TEMPLATE, template_dir)
    return [Document(f"协议书_{context['case_number']}_{i + 1}_{file_safe(holder)}.docx",
                     render_docx(path, {**context, "holder": holder, "copy_no": i + 1}))
            for i, holder in enumerate(context["holders"])]


def application_docx(context: dict[str, Any], template_dir: str = "") -> Document:
    path = template_path(APPLICATION_TEMPLATE, template_dir)
    return Document(f"司法确认申请书_{context['case_number']}.docx", render_docx(path, context))


# PDF ------------------------------------------------------------------------------------

def _styles(font: str) -> dict[str, ParagraphStyle]:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK", spaceAfter=4)
    return {"title": ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER,
                                    spaceAfter=10),
            "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
            "head": ParagraphStyle("head", parent=body, fontSize=13, leading=22, spaceBefore=6),
            "body": body}


def _register_font(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "CJK-" + Path(path).stem
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        except Exception as exc:
            raise DocumentError(f"cannot use {path} in a PDF: {exc}") from exc
    return name


def _sentence(text: str) -> str:
    """Words that a sentence of ours continues: their own full stop dropped (ours follows)."""
    return (text or "").rstrip("。；;. ")


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def agreement_pdf(context: dict[str, Any], font_path: str) -> Document:
    """Every holder's copy in one PDF, each from a new page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font(font_path)
    st = _styles(font)
    story: list[Flowable] = []
    for i, holder in enumerate(context["holders"]):
        if i:
            story.append(PageBreak())
        story += [Paragraph("人民调解协议书" + ("（口头协议记录）" if context["oral"] else ""), st["title"]),
                  Paragraph(f"编号：{_esc(context['number'])}", st["right"]),
                  Paragraph(f"第{i + 1}份，共{context['copies']}份（{_esc(holder)}执）", st["right"])]
        for p in context["parties"]:
            line = f"{p['role']}：{_esc(p['name'])}"
            if p["organisation"] and p["representative"]:
                line += f"，法定代表人（负责人）：{_esc(p['representative'])}"
            if p["address"]:
                line += f"，住所：{_esc(p['address'])}"
            story.append(Paragraph(line, st["body"]))
        for head, key in (("纠纷的主要事实", "facts"), ("争议事项", "disputes"),
                          ("各方当事人的责任", "responsibility")):
            story += [Paragraph(head, st["head"]), Paragraph(_esc(context[key]), st["body"])]
        story += [Paragraph("经人民调解委员会调解，各方当事人自愿达成如下协议", st["head"]),
                  Paragraph(_esc(context["terms"]), st["body"])]
        if context["amount"]:
            story.append(Paragraph(f"协议涉及金额：{context['amount']}", st["body"]))
        story += [Paragraph("履行方式、时限", st["head"]), Paragraph(_esc(context["performance"]), st["body"])]
        effect = Paragraph(f"本协议书自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"
                           f"本协议书一式{context['copies']}份，当事人各执一份，人民调解委员会留存一份。"
                           f"当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。", st["body"])
        rows = [[f"{p['role']}（签名或盖章）：", ""] for p in context["parties"]]
        rows += [["人民调解员（签名）：", _esc(context["mediator"])],
                 ["人民调解委员会（印章）：", _esc(context["committee"])],
                 ["", context["signed_on"]]]
        table = Table(rows, colWidths=[70 * mm, 90 * mm], rowHeights=12 * mm)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 12),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("LINEBELOW", (1, 0), (1, len(context["parties"]) - 1), 0.5, "black")]))
        # the signatures, the seal and the date on one page, with the clause they sign under (a
        # third party pushed the date alone onto a second page)
        story.append(KeepTogether([effect, Spacer(1, 8 * mm), table]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm,
                      bottomMargin=20 * mm, title=f"人民调解协议书 {context['number']}",
                      author=context["committee"]).build(story)
    return Document(f"协议书_{context['case_number']}.pdf", out.getvalue())


def application_pdf(context: dict[str, Any], font_path: str) -> Document:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = _register_font(font_path)
    st = _styles(font)
    story = [Paragraph("司法确认申请书", st["title"])]
    story += [Paragraph(f"申请人：{_esc(p['name'])}" + (f"，住所：{_esc(p['address'])}" if p["address"] else ""),
                        st["body"]) for p in context["parties"]]
    story += [Paragraph("请求事项", st["head"]),
              Paragraph(f"请求依法确认申请人于{context['signed_on']}经{_esc(context['committee'])}主持调解达成的"
                        f"《人民调解协议书》（{_esc(context['number'])}）有效。", st["body"]),
              Paragraph("事实与理由", st["head"]),
              Paragraph(f"{_esc(_sentence(context['facts']))}。经{_esc(context['committee'])}调解，申请人自愿达成协议："
                        f"{_esc(_sentence(context['terms']))}。"
                        "为此，申请人依据《中华人民共和国人民调解法》第三十三条、《中华人民共和国民事诉讼法》的规定，"
                        "共同向贵院申请司法确认。", st["body"]),
              Paragraph("申请人承诺：出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为。如因虚假陈述等原因"
                        "导致协议被撤销或者无效，愿意承担相应的法律责任。", st["body"]),
              Paragraph(f"此致<br/>{_esc(context['court'] or '________人民法院')}", st["body"]), Spacer(1, 10 * mm)]
    story += [Paragraph(f"申请人（签名或盖章）：________________（{_esc(p['name'])}）", st["body"])
              for p in context["parties"]]
    story.append(Paragraph("年　　月　　日", st["right"]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm,
                      bottomMargin=20 * mm, title=f"司法确认申请书 {context['number']}").build(story)
    return Document(f"司法确认申请书_{context['case_number']}.pdf", out.getvalue())
