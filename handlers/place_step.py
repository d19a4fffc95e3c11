"""The place step: "where did it happen?" answered by a village of ours, one of the places
offered, "none of them" and an address, the county seat, "I don't know", a place we do not
know (asked once more, then kept in words), or more of the story. With an urgent case open
every word about where goes to its people as said."""
from __future__ import annotations

import re

from bot.conversation import PLACE
from bot.dispatcher import Answer, Router
from bot.filters import StepIs
from bot.words import Words
from handlers import texts
from handlers.intake import DONT_KNOW, PLACE_LIKE, Intake
from handlers.place_answers import COUNTY_TOWN, SOMEWHERE_IN_AREA
from nlp import find_phones
from nlp.intents import Intent

router = Router("place step", StepIs(PLACE))

PLACE_WORD = re.compile(r"村|社区|镇|乡|组|栋|小区|街道|屯|庄|号楼|单元|路|街|寨")
ADDRESS_DETAIL = re.compile(r"[0-9０-９一二三四五六七八九十]+\s*(?:栋|幢|号楼|单元|组|号|楼|室)|对面|旁边|后面|隔壁|路口|路|街|巷|小区")
NONE_OF_THEM = re.compile(r"^\s*(?:都不是|都不对|不是|没有|都没有|不在这里面|不在里面)(?:的|啊|呀|吧)?[。.!！，,\s]*$")


@router.message()
async def on_place(intake: Intake, words: Words) -> Answer:
    draft, body = intake.draft, words.body
    if draft.case_number and not draft.place_options:
        # an urgent case is open: every word about where ("杏花村 村口第三家") goes to its
        # people as said; nothing is argued with ("没找到…") and nothing asked more than twice
        if words.has(Intent.SKIP) or DONT_KNOW.search(body):
            draft.place_unknown = True
        await intake.absorb(intake.raw(words), words.reading, describe=True, step=PLACE)
        return await intake.next_step()
    if draft.place_options:
        chosen = intake.places.pick_option(body, draft.place_options)
        if chosen:
            draft.place_code, draft.place_options = chosen, []
            return await intake.next_step()
        if draft.place_area and (words.has(Intent.SKIP) or SOMEWHERE_IN_AREA.search(body)):
            # "就在镇上" / "不知道哪个村": the town (or the county) the choices came from; what
            # else they said about where ("那个红星砖厂") is kept for the staff
            draft.place_code, draft.place_options = draft.place_area, []
            if len(body) > 6:
                draft.texts.append(f"地点：{body}")
            return await intake.next_step()
        if NONE_OF_THEM.match(body):
            # none of those: the address in their words, kept for the centre to check
            draft.place_options, draft.place_tries = [], draft.place_tries + 1
            draft.address_asked = True
            return texts.ASK_ADDRESS
    if draft.address_asked and not draft.place_options:
        # the address asked for after "都不是": a village of ours named in it is taken, else the
        # town or county it names (or the one offered before); the words are kept, nothing offered again
        draft.address_asked = False
        place = intake.places.in_address(words.reading)
        if place:
            draft.place_code = place
        elif draft.place_area:
            draft.place_code = draft.place_area
        else:
            draft.place_unknown = True
        draft.texts.append(f"地点：{body}")
        return await intake.next_step()
    named = intake.places.named_in(body)
    if not named:
        county = intake.registry.county_code()
        if COUNTY_TOWN.search(body) and county:          # "工地在县城": the county seat, no village
            draft.place_code, draft.place_options = county, []
            await intake.absorb(intake.raw(words), words.reading, describe=not words.has(Intent.SKIP))
            return await intake.next_step()
        if words.has(Intent.SKIP) or DONT_KNOW.search(body):
            # "I don't know": the case is opened with what is known; the centre finds the place
            draft.place_unknown, draft.place_options = True, []
            return await intake.next_step()
    before = len(draft.texts)
    answered = await intake.take_answer(words, PLACE)
    if answered is not None:
        if draft.place_code and ADDRESS_DETAIL.search(body) and len(draft.texts) == before:
            # "南湖社区七栋二单元", "柳林村3组 镇政府对面": the registry knows the village; the
            # building, group or landmark is for whoever goes there (it was dropped)
            draft.texts.append(f"地点：{body}")
        return answered
    if not named and (words.reading.money or words.reading.people or words.reading.dates) \
            and not PLACE_WORD.search(body):
        # "三万多块", "三个人", "上个月" to "where?": more of the story (was "没找到“三万多块”这个地方")
        await intake.absorb(intake.raw(words), words.reading, describe=True)
        return [f"好的，记下了。{texts.ASK_PLACE}"]
    if not named and words.has(Intent.CONFIRM, Intent.DENY) and len(body) <= 6:
        # "确认", "好的" to "where?": the question again, not "没找到“确认”这个地方" nor a place "确认"
        return texts.ASK_PLACE
    if not named and not find_phones(body) and (PLACE_LIKE.search(body)
                                                 or draft.place_tries >= 1 and len(body) <= 20):
        # an answer to "where?" that names a place, even one we do not know ("红旗砖厂")
        if draft.place_tries >= 1:        # asked twice: a place we do not know is still a place
            if draft.place_area:          # in the town whose villages were offered: that much is known
                draft.place_code, draft.place_options = draft.place_area, []
            else:
                draft.place_unknown = True
            draft.texts.append(f"地点：{body}")
            return await intake.next_step()
        draft.place_tries += 1
        return texts.ASK_PLACE_AGAIN.format(text=body, example=texts.place_example(intake.registry),
                                            county=texts.county_name(intake.registry))
    return await intake.take_description(words)
