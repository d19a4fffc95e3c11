"""Writes the default Word templates of the mediation documents (bot/templates/*.docx).

The files are committed; run this again only to start them over. A county changes its copy in
Word (wording, layout, letterhead, fonts) and keeps the {{ … }} / {%p … %} tags it wants; the
names it may use are listed in README.md ("Mediation documents").

    python scripts/make_templates.py [FOLDER]
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

FOLDER = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "bot" / "templates"


def base() -> Document:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return doc


def para(doc, text, *, size=12, bold=False, align=None, space_before=0):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.font.name = "SimSun"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    if align is not None:
        p.alignment = align
    if space_before:
        p.paragraph_format.space_before = Pt(space_before)
    return p


def agreement() -> Document:
    doc = base()
    para(doc, "人民调解协议书{% if oral %}（口头协议记录）{% endif %}", size=20, bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "编号：{{ number }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, "第{{ copy_no }}份，共{{ copies }}份（{{ holder }}执）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, "{%p for p in parties %}")
    para(doc, "{{ p.role }}：{{ p.name }}{% if p.organisation and p.representative %}，法定代表人（负责人）："
              "{{ p.representative }}{% endif %}{% if p.address %}，住所：{{ p.address }}{% endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "纠纷的主要事实", size=13, bold=True, space_before=6)
    para(doc, "{{ facts }}")
    para(doc, "争议事项", size=13, bold=True, space_before=6)
    para(doc, "{{ disputes }}")
    para(doc, "各方当事人的责任", size=13, bold=True, space_before=6)
    para(doc, "{{ responsibility }}")
    para(doc, "经人民调解委员会调解，各方当事人自愿达成如下协议", size=13, bold=True, space_before=6)
    para(doc, "{{ terms }}")
    para(doc, "{%p if amount %}")
    para(doc, "协议涉及金额：{{ amount }}")
    para(doc, "{%p endif %}")
    para(doc, "履行方式、时限", size=13, bold=True, space_before=6)
    para(doc, "{{ performance }}")
    para(doc, "本协议书自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"
              "本协议书一式{{ copies }}份，当事人各执一份，人民调解委员会留存一份。"
              "当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。")
    para(doc, "{%p for p in parties %}")
    para(doc, "{{ p.role }}（签名或盖章）：________________", space_before=12)
    para(doc, "{%p endfor %}")
    para(doc, "人民调解员（签名）：{{ mediator }}", space_before=12)
    para(doc, "人民调解委员会（印章）：{{ committee }}", space_before=12)
    para(doc, "{{ signed_on }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_before=12)
    return doc


def application() -> Document:
    doc = base()
    para(doc, "司法确认申请书", size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p for p in parties %}")
    para(doc, "申请人：{{ p.name }}{% if p.address %}，住所：{{ p.address }}{% endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "请求事项", size=13, bold=True, space_before=6)
    para(doc, "请求依法确认申请人于{{ signed_on }}经{{ committee }}主持调解达成的"
              "《人民调解协议书》（{{ number }}）有效。")
    para(doc, "事实与理由", size=13, bold=True, space_before=6)
    para(doc, "{{ facts.rstrip('。；;. ') }}。经{{ committee }}调解，申请人自愿达成协议："
              "{{ terms.rstrip('。；;. ') }}。"
              "为此，申请人依据《中华人民共和国人民调解法》"
              "第三十三条、《中华人民共和国民事诉讼法》的规定，共同向贵院申请司法确认。")
    para(doc, "申请人承诺：出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为。"
              "如因虚假陈述等原因导致协议被撤销"
              "或者无效，愿意承担相应的法律责任。")
    para(doc, "此致")
    para(doc, "{{ court or '________人民法院' }}")
    para(doc, "{%p for p in parties %}")
    para(doc, "申请人（签名或盖章）：________________（{{ p.name }}）", space_before=12)
    para(doc, "{%p endfor %}")
    para(doc, "年　　月　　日", align=WD_ALIGN_PARAGRAPH.RIGHT, space_before=12)
    return doc


if __name__ == "__main__":
    FOLDER.mkdir(parents=True, exist_ok=True)
    agreement().save(FOLDER / "agreement.docx")
    application().save(FOLDER / "application.docx")
    print(f"wrote {FOLDER / 'agreement.docx'} and {FOLDER / 'application.docx'}")
