import logging

from bot.privacy import MaskingFilter, mask_name, mask_phone, mask_text


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""
    assert mask_text("电话13812345678，座机0731-84561234") == "电话138****5678，座机0731-****1234"
    assert mask_text("+86 138 1234 5678") == "+138****5678" or "5678" in mask_text("+86 138 1234 5678")
    assert mask_text("订单号 2026112312345678 不是电话") == "订单号 2026112312345678 不是电话"


def test_no_phone_number_reaches_a_log_line(caplog):
    log = logging.getLogger("jiefen.test-privacy")
    log.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="jiefen.test-privacy"):
        log.info("resident said %s", "我的电话是13812345678")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text
