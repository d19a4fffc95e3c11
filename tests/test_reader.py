"""The reader processes (bot/reader.py): a reading that overruns its budget is stopped, and a
reader process that died is replaced and the text read again by the new one (an outside trial
killed them, as an out-of-memory kill would: the next message was answered unread)."""
from __future__ import annotations

from bot.reader import Reader
from jiefen.testing import shared_understanding


async def test_a_dead_reader_process_is_replaced_and_the_text_read_by_the_new_one():
    reader = Reader(shared_understanding(""), budget=10.0, limit=2000, processes=1)
    try:
        first = await reader.read("我是柳林村的，楼上天天半夜拖椅子")
        assert first.type == "neighbour" and not first.extra.get("timeout")
        [worker] = reader._all
        worker.proc.kill()                   # as the kernel's out-of-memory killer would
        worker.proc.join(5)
        again = await reader.read("老板拖欠了我三个月工资")
        assert again.type == "labour" and not again.extra.get("timeout"), again
        assert reader._all and reader._all[0] is not worker
    finally:
        reader.close()
