"""Draft.apply: a message's words into the draft, without I/O (the readings are made here)."""
from bot.conversation import Draft, Safety, Step, Told
from nlp import Reading


def reading(text="", type="none", risk="green", reasons=(), ask_safety=False, phones=(), version="m1"):
    return Reading(text=text, type=type, confidence=0.8 if type != "none" else 0.1, evidence=("词",) if type != "none"
                   else (), risk=risk, risk_reasons=tuple(reasons), ask_safety=ask_safety, phones=tuple(phones),
                   model_version=version)


def test_a_description_sets_type_colour_and_the_model_that_read_it():
    d = Draft()
    assert d.apply(Told("楼上天天拖椅子", reading("楼上天天拖椅子", "neighbour", "yellow", ["扰民"]))) is False
    assert (d.texts, d.type, d.risk, d.risk_reasons, d.evidence, d.model_version) == \
        (["楼上天天拖椅子"], "neighbour", "yellow", ["扰民"], ["词"], "m1")


def test_the_whole_description_decides_the_type_once_it_grows():
    d = Draft(texts=["狗天天叫"], type="neighbour")
    whole = reading("狗天天叫；还咬伤了我", "damages", version="m2")
    d.apply(Told("还咬伤了我", reading("还咬伤了我", "none"), whole=whole))
    assert (d.type, d.model_version, d.description) == ("damages", "m2", "狗天天叫；还咬伤了我")


def test_described_twice_without_a_known_type_is_other():
    d = Draft()
    d.apply(Told("烦死了", reading("烦死了")))
    assert d.type is None
    d.apply(Told("不知道找谁", reading("不知道找谁")), )
    assert d.type == "other"


def test_the_colour_only_rises_and_every_reason_is_kept():
    d = Draft(risk="red", risk_reasons=["暴力"])
    d.apply(Told("他走了", reading("他走了", "neighbour", "green", ["扰民"])))
    assert (d.risk, d.risk_reasons) == ("red", ["扰民", "暴力"])


def test_an_unsure_reading_asks_the_safety_question_once_unless_already_red():
    d = Draft()
    d.apply(Told("他说要弄我", reading("他说要弄我", "neighbour", "yellow", ask_safety=True)))
    assert d.safety == Safety.ASKED
    d.safety = Safety.NO
    d.apply(Told("又来了", reading("又来了", "neighbour", ask_safety=True)))
    assert d.safety == Safety.NO
    red = Draft()
    red.apply(Told("拿刀砍人", reading("拿刀砍人", "neighbour", "red", ["暴力"], ask_safety=True)))
    assert red.safety == Safety.NOT_ASKED


def test_places_choices_and_the_answer_to_where():
    d = Draft()
    assert d.apply(Told("东溪镇", reading("东溪镇"), place=["DX01", "DX02"], area="DX"), describe=False) is True
    assert (d.place_options, d.place_area) == (["DX01", "DX02"], "DX")
    assert d.apply(Told("柳林村", reading("柳林村"), place="DX01"), describe=False, step=Step.PLACE) is True
    assert (d.place_code, d.place_options) == ("DX01", [])
    # the same place said again answers "where?" but changes nothing elsewhere
    assert d.apply(Told("柳林村", reading("柳林村"), place="DX01"), describe=False, step=Step.PLACE) is True
    assert d.apply(Told("柳林村", reading("柳林村"), place="DX01"), describe=False, step=Step.CONTACT) is False


def test_a_phone_from_the_reading_or_the_words_replaces_this_account():
    d = Draft(contact="", contact_by_account=True)
    assert d.apply(Told("电话13812345678", reading("电话13812345678", phones=["13812345678"])), describe=False)
    assert (d.contact, d.contact_by_account) == ("13812345678", False)
    d2 = Draft()
    assert d2.apply(Told("１３９１２３４５６７８", reading("")), describe=False)
    assert d2.contact == "13912345678"


def test_the_other_party_is_taken_when_none_yet_or_when_asked():
    d = Draft()
    d.apply(Told("老板不给工资", reading("老板不给工资", "labour")))
    assert (d.party, d.party_asked) == ("老板", True)
    assert d.apply(Told("物业不管", reading("物业不管", "property")), step=Step.DESCRIBE) is False
    assert d.party == "老板"                           # not replaced by a later mention
    assert d.apply(Told("是物业", reading("是物业")), describe=False, step=Step.PARTY) is True
    assert d.party == "物业"


def test_an_answer_does_not_add_to_the_description():
    d = Draft(texts=["楼上吵"])
    d.apply(Told("柳林村", reading("柳林村"), place="DX01"), describe=False, step=Step.PLACE)
    assert d.texts == ["楼上吵"]


def test_a_conversation_with_a_step_this_version_does_not_know_goes_on():
    from bot.conversation import Conversation
    conv = Conversation.from_json({"step": "someday", "draft": {"texts": ["楼上吵"], "mood": "angry"}})
    assert conv.step == Step.DESCRIBE and conv.draft.texts == ["楼上吵"]
    assert Conversation.from_json({"step": "someday"}).step is None
    assert Conversation.from_json({"step": "place", "draft": {}}).step is Step.PLACE
