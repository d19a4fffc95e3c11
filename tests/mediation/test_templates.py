"""A county's own Word template replaces ours; a broken one is refused by name."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timezone
from types import SimpleNamespace

import docx
import pytest

from bot import documents
from storage.lifecycle import AgreementForm, PartyKind, PartyRole

T = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def context():
    case = SimpleNamespace(number="JF261203-001")
    agreement = SimpleNamespace(number="青山调〔2026〕007号", form=AgreementForm.WRITTEN,
                                committee="柳林村人民调解委员会",
                                facts="楼上夜间拖椅子", disputes="噪音", responsibility="被申请人负主要责任",
                                terms="加装静音垫", amount_fen=50000, performance_method="当面支付",
                                performance_due=T, signed_at=T, confirm_court="", confirm_window_ends=None)
    parties = [SimpleNamespace(role=PartyRole.APPLICANT, name="张建华", kind=PartyKind.PERSON, representative="",
                               address="柳林村一组12号"),
               SimpleNamespace(role=PartyRole.RESPONDENT, name="青山绿城物业公司", kind=PartyKind.ORGANISATION,
                               representative="赵经理", address="")]
    return documents.agreement_context(case, agreement, parties, mediator="李红梅", place="东溪镇柳林村",
                                       tz="Asia/Shanghai")


def county_template(folder, extra: str):
    doc = docx.Document(str(documents.TEMPLATES / documents.AGREEMENT_TEMPLATE))
    doc.paragraphs[0].insert_paragraph_before(extra)
    doc.save(str(folder / documents.AGREEMENT_TEMPLATE))


def test_a_county_template_is_used_and_ours_is_the_fallback(tmp_path):
    county_template(tmp_path, "青山县司法局监制 {{ place }}")
    copies = documents.agreement_docx(context(), str(tmp_path))
    assert len(copies) == 3
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(copies[1].data)).paragraphs)
    assert "青山县司法局监制 东溪镇柳林村" in text and "第2份，共3份（被申请人青山绿城物业公司执）" in text
    assert "被申请人：青山绿城物业公司，法定代表人（负责人）：赵经理" in text and "500.00元" in text
    # no application template in the county's folder: ours
    app = documents.application_docx(context(), str(tmp_path))
    assert "司法确认申请书" in "\n".join(p.text for p in docx.Document(io.BytesIO(app.data)).paragraphs)


def test_a_misspelt_tag_is_refused_with_the_file_named(tmp_path):
    county_template(tmp_path, "编号 {{ numbr }}")
    with pytest.raises(documents.DocumentError, match="agreement.docx"):
        documents.agreement_docx(context(), str(tmp_path))
