"""A resident's rough edges in the first hour (issue 16), each as it was met."""
from __future__ import annotations

from storage.cases import CaseStore
from tests.staff.helpers import case_of, events_of


async def cases(ctx):
    async with ctx.db.session() as s:
        return list(await CaseStore(s, now=ctx.clock.now()).list())


async def say_until_case(bot, first: str, answers: dict[str, str]) -> str:
    """Say `first`, then answer each question by the first key found in it (the summary's key
    first: it quotes the story), until a case number."""
    reply = await bot.last(first)
    for _ in range(8):
        if "案件编号" in reply:
            return reply
        key = next((k for k in answers if k in reply), None)
        assert key is not None, f"a question nobody can answer: {reply}"
        reply = await bot.last(answers[key])
    raise AssertionError(f"no case: {reply}")


async def test_a_vague_start_still_ends_in_a_case_for_the_centre(bot, ctx):
    reply = await say_until_case(bot, "我想反映个事情", {
        "请核对": "确认", "发生了什么": "烦死了，不知道找谁，就是隔壁那个人", "有没有人受伤": "没有", "哪个村": "不知道",
        "对方是谁": "隔壁那个人", "电话": "13812345678"})
    [case] = await cases(ctx)
    assert case.place_code is None and case.number in reply                # opened with what is known


async def test_a_work_site_in_the_county_town_is_placed_there(bot, ctx):
    await say_until_case(bot, "干了半年活老板一分钱没给", {
        "请核对": "确认", "哪个村": "不知道在哪个村，工地在县城", "电话": "13812345678"})
    [case] = await cases(ctx)
    assert (case.type, case.place_code, case.level) == ("labour", "QS", "county")


async def test_the_choices_of_a_town_can_be_the_town_itself(bot, ctx):
    reply = await bot.last("东溪镇有人在街上摆摊占道，跟人吵起来了")
    if "哪个" in reply and "1." in reply:                                    # the town's villages offered
        reply = await bot.last("就在镇上")
    assert "哪个村" not in reply


async def test_a_place_we_do_not_know_is_asked_once_more_then_taken(bot, ctx):
    await bot.say("干了半年活老板一分钱没给")
    assert "没找到" in await bot.last("红旗砖厂")
    assert "电话" in await bot.last("红旗砖厂")                            # twice: taken as it was said
    await bot.say("13812345678")
    await bot.say("确认")
    [case] = await cases(ctx)
    assert case.place_code is None and "红旗砖厂" in case.description


async def test_an_open_case_takes_corrections_of_place_contact_and_description(bot, ctx):
    reply = await say_until_case(bot, "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678", {"请核对": "确认"})
    number = reply.split("案件编号：")[1][:12]
    assert "石桥村" in await bot.last("不对，是石桥村")
    assert "139****1111" in await bot.last("电话改成13900001111")
    assert "补充" in await bot.last("补充：他们还在楼道里堆杂物")
    case = await case_of(ctx, number)
    assert (case.place_code, case.contact) == ("DX03", "13900001111") and "堆杂物" in case.description
    assert len(await events_of(ctx, number, "updated")) == 3
    stranger_sees = await bot.last("不对，是桃源村", user="resident-9")       # nobody else's case changes
    assert number not in stranger_sees and (await case_of(ctx, number)).place_code == "DX03"


async def test_a_thumbs_up_confirms(bot, ctx):
    reply = await bot.last("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    assert "请核对" in reply
    assert "案件编号" in await bot.last("👍")
    [case] = await cases(ctx)
    assert "👍" not in case.description
