"""The county teaches the reading (issue 10, item 5), end to end on the project's own ledger:
residents report through the dispatcher, the grid worker corrects the type with the staff
command (更正 N 类型 新值 原因, bot/case_actions.py), and `nlp train --from-ledger` reads those
`corrected` events (who and why) and retrains, printing before / after on the most recent
corrections kept aside.

The "shipped" data is a small TSV and the model in use before is trained on it alone (it has
no property_mgmt), so the pure-Python trainer runs in seconds and the before / after
difference is the corrections' doing.
"""
from __future__ import annotations

import json

from jiefen.testing import TestBot
from nlp.ledger import read_corrections, retrain
from nlp.train import Line, train
from nlp.understanding import Understanding
from tests.staff.helpers import case_of, events_of, report, staff_bot

BASE = [
    ("labour", "green", "干了半年活老板一分钱没给"), ("labour", "green", "工地包工头拖欠我们三个月工资"),
    ("neighbour", "green", "楼上天天半夜拖椅子吵得睡不着"), ("neighbour", "green", "隔壁家的狗天天叫"),
    ("environment", "green", "工厂排的废气太呛人"), ("environment", "green", "养猪场的臭味飘到村里"),
    ("damages", "green", "他家的狗把我咬伤了"), ("damages", "green", "路上的坑把我绊倒摔伤了"),
    ("debt", "green", "他借了我两万块钱一直不还"), ("debt", "green", "借给亲戚五千块要不回来"),
    ("none", "green", "你好"), ("none", "green", "谢谢你们"),
]
# the county's view: charging piles in the compound are the property company's business
PILES = ["我是柳林村的，楼下的充电桩半夜还在嗡嗡响吵得睡不着，电话13812345001",
         "柳林村楼道里的电动车充电桩冒烟了太吓人，电话13812345002",
         "柳林村充电桩线拖到我家门口绊倒了我妈，电话13812345003",
         "我是柳林村的，充电桩的噪音太大了晚上睡不着，电话13812345004",
         "我是柳林村的，充电桩漏电把我家的狗电伤了，电话13812345005",
         "我是柳林村的，充电桩的电线乱拉在我家窗户底下没人管，电话13812345006",
         "柳林村的充电桩一到晚上就响个不停吵得孩子睡不着，电话13812345007",
         "我是柳林村的，充电桩天天晚上滴滴响吵得老人睡不着，电话13812345008"]


async def test_staff_corrections_in_the_ledger_retrain_the_reading(ctx, clock, tmp_path):
    numbers = []
    for i, text in enumerate(PILES):
        resident = TestBot(ctx, user=f"resident-pile-{i}")
        resident._ids = iter(range(50_000 + 100 * i, 50_100 + 100 * i))
        numbers.append(await report(resident, text))
        # past the window in which a like report joins the open case (bot/duplicates.py)
        clock.advance(days=ctx.settings.duplicate_window_days + 1)
    assert len(set(numbers)) == len(PILES)
    worker = staff_bot(ctx, "LiHongMei")          # 柳林村's grid worker: an assignee of each case
    corrected, seen = [], []
    for n in numbers:
        was = (await case_of(ctx, n)).type
        reply = await worker.last(f"更正 {n} 类型 物业纠纷 充电桩归物业管")
        seen.append((n, was, reply))
        if was != "property_mgmt":
            assert "已更正" in reply, reply
            corrected.append(n)
        clock.advance(hours=1)
    assert len(corrected) >= 6, seen
    for n in corrected:
        [e] = await events_of(ctx, n, "corrected")
        assert (e.actor, e.data["field"], e.data["after"], e.data["reason"]) == \
            ("staff:gw-liulin", "type", "property_mgmt", "充电桩归物业管")
        assert (await case_of(ctx, n)).type == "property_mgmt"

    url = ctx.settings.database_url
    cs = await read_corrections(url)
    assert [c.type for c in cs] == ["property_mgmt"] * len(corrected)
    assert all(c.actors == ("staff:gw-liulin",) and c.reasons == ("充电桩归物业管",) for c in cs)

    base = tmp_path / "base.tsv"
    base.write_text("".join(f"{t}\t{r}\t{x}\n" for t, r, x in BASE), encoding="utf-8")
    u = Understanding()
    before = tmp_path / "before"
    train([Line("base", "chat", t, r == "red", u._normalize(x)) for t, r, x in BASE],
          {"C": 10.0, "min_df": 1}, backend="python").save(before / "chat_model.json")
    printed = []
    rep = await _in_thread(retrain, url, tmp_path / "after", holdout=0.25, base=[base], before_dir=before,
                           backend="python", log=printed.append)
    k = rep["kept_aside"]
    assert k == round(len(corrected) * 0.25) and rep["trained_on_corrections"] == len(corrected) - k
    assert rep["before"]["type_correct"] == 0 and rep["after"]["type_correct"] == k
    text = "\n".join(printed)
    assert "| before (" in text and f"0/{k}" in text and f"{k}/{k}" in text
    meta = json.loads((tmp_path / "after" / "chat_model.json").read_text(encoding="utf-8"))["meta"]
    assert meta["ledger"]["corrections"] == len(corrected) - k


async def _in_thread(fn, *args, **kw):
    """retrain runs its own event loop (it is a command): off this test's loop."""
    import asyncio
    return await asyncio.get_running_loop().run_in_executor(None, lambda: fn(*args, **kw))
