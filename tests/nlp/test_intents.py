"""nlp.intents.asks_question: a message that asks (where, when, how much, whether) rather than
tells; a report that ends in 怎么办 or a rhetorical 是不是故意的 tells."""
import pytest

from nlp.intents import asks_question


@pytest.mark.parametrize("text", ["请问东溪镇的调解中心在哪里", "柳林村的网格员电话多少", "想问问你们周末上班吗",
                                  "调解要交钱吗？", "什么时候能来人", "可不可以线上调解"])
def test_asks(text):
    assert asks_question(text)


@pytest.mark.parametrize("text", ["我是柳林村的，电线乱拉在我家窗户底下", "邻居家的狗天天叫怎么办",
                                  "他们是不是故意的，天天半夜敲", "工资拖了三个月有没有人管", "充电桩一直响"])
def test_tells(text):
    assert not asks_question(text)
