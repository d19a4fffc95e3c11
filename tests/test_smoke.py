async def test_report_in_one_message_then_confirm_gives_a_case_number(bot, ctx):
    replies = await bot.last("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    assert "确认" in replies and "邻里纠纷" in replies and "138****5678" in replies
    done = await bot.last("确认")
    assert "JF261123-001" in done
    async with ctx.db.session() as s:
        from storage.cases import CaseStore
        case = await CaseStore(s, now=ctx.clock.now()).get("JF261123-001")
    assert (case.type, case.place_code, case.contact, case.status) == ("neighbour", "DX01", "13812345678", "received")
