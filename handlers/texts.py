"""What the bot says to residents, in one place, so the wording stays consistent."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation import Draft
from bot.privacy import mask_phone, mask_text
from nlp import normalize
from nlp.parties import needs_a_doctor, told_of_someone_else
from nlp.reading import TYPE_NAMES
from nlp.risk import STATUS_NAMES as CUE_STATUS_NAMES
from nlp.risk import reason_name
from storage.registry import Registry

EXPIRED = "您上次没有提交的反映已超过{minutes}分钟未回复，已自动作废（内容没有提交）。如需反映，请重新说一下情况。"
CANCELLED = "好的，已取消，这次的反映没有提交。需要时随时再说。"
SETTLED_ASK = "听起来事情已经解决了。还需要登记吗？需要请回复“确认”，不需要请回复“取消”。"
SETTLED_NOT_SUBMITTED = "好的，事情已经解决，这次就不登记了。以后有需要随时在这里说。"
NOTHING_TO_CANCEL = "现在没有正在填写的反映。"
ASK_DESCRIBE = "请说说具体发生了什么事？比如谁和谁、因为什么、闹到什么程度。"
WHOLE_NUMBER_PLEASE = "还没有记下您的电话，请把完整的号码发一遍。"


def ask_what_with_case_open(number: str) -> str:
    return (f"请直接说。是案件 {number} 的事（比如对办理不满意），我们会转告经办人和综治中心；"
            "是另一件事，请说说具体发生了什么。")


ASK_PLACE = "请问事情发生在哪个村（社区）？可以说“柳林村3组”“南湖社区3栋”这样的地方。"
ASK_PLACE_OPTIONS = "请问是下面哪个地方？回复序号或名称：\n{options}"
ASK_PLACE_AGAIN = ("没找到“{text}”这个地方（这里受理{county}的纠纷）。请说所在的村（社区）名，例如：{example}；"
                   "说不准的话，直接说地址，我们记下来由综治中心核实。")
ASK_ADDRESS = "好的。请说一下具体地址（村组、小区或路名），我们记下来，由综治中心核实。"
ASK_PARTY = "对方是谁？（比如“楼上邻居”“老板”“物业”；不方便说请回复“跳过”）"
ASK_CONTACT = "请留一个联系电话，方便调解员联系您；不方便留的话回复“跳过”，我们就通过这个账号联系您。"
ASK_CONTACT_WEB = "请留一个联系电话（可以不留），方便调解员联系您；不留请回复“跳过”，办理进展会在这个页面上告诉您。"
ASK_WHAT_HAPPENED = "还没说发生了什么事：请简单说说遇到了什么纠纷，比如“楼上天天半夜吵”“老板欠工资不给”。"
OTHERS_PHONE_KEPT = "好的，这个号码（{phones}）记在情况里了，调解员需要时会联系。"
ASK_OWN_PHONE = "还请留一个您本人的电话，方便调解员联系您；不方便留的话回复“跳过”，我们就通过这个账号联系您。"
ASK_OWN_PHONE_WEB = "还请留一个您本人的电话，方便调解员联系您；不方便留的话回复“跳过”。"
PHONE_SO_FAR = "收到：{digits}。请接着说后面的号码。"
BAD_PHONE_WEB = "“{digits}”好像不是有效的电话号码（手机号是11位，座机请带区号）。请再发一次，或回复“跳过”。"
BAD_PHONE = "“{digits}”好像不是有效的电话号码（手机号是11位，座机请带区号）。请再发一次，或回复“用本账号联系”。"
ASK_WHAT_TO_CHANGE_CASE = "请直接说案件 {number} 要改的内容，比如“不对，是石桥村”“电话改成139xxxxxxxx”“补充：……”。"
ASK_PLACE_PRECISELY = "是哪一个？{options}。请说完整的村（社区）名。"
ONE_AT_A_TIME = "另一件事请等这件提交后再说，我们会分开登记、分开办理。"
MATTERS_APART = "您说了{n}件事，分开登记、分开办理：先登记第一件，提交后接着登记下一件。"
HELD_FOR_LATER = "这是另一件事吧，已先记下，这件提交后接着登记它（两件分开登记、分开办理）。"


def now_the_other_matter(held: str) -> str:
    said = mask_text(held)
    return f"接着登记您说的另一件事（“{said if len(said) <= 24 else said[:23] + '…'}”）："


CONFIRM_OR_CHANGE = "上面的内容没问题请回复“确认”提交；要改直接说（如“不对，是桃源村”）；回复“取消”放弃。"
ASK_WHAT_TO_CHANGE = "请直接说要改的内容，比如“不对，是桃源村”“电话是139xxxxxxxx”。"
VOICE_NO_TEXT = "收到您的语音（已保存）。目前没能识别语音内容，麻烦用文字简单说一句发生了什么。"
MEDIA_SAVED = "收到{what}，已作为材料附在{target}。"
# asked where to go or whom to see about a dispute: nobody has to travel to report one
REPORT_HERE = "在这里就能反映，不用跑腿：我们登记后转给当地的网格员或调解员，他们会联系您。"
TAKE_YOUR_TIME = "不着急，您慢慢说。"
GO_ON = "您慢慢说，发生了什么事？我们听着。"
CHINESE_ONLY = "目前只能用中文反映，请用中文说说情况。Sorry, only Chinese is supported for now: please write in Chinese."
# asked for a person: there is no operator to switch to, but every word reaches people
A_PERSON = ("这里是自动回复的助手，您说的每一句话综治中心的工作人员都看得到；说说遇到了什么事、在哪个村（社区），"
            "我们登记后转给当地的网格员或调解员，由他们联系您。有紧急情况请拨打110。")
A_PERSON_MIDWAY = ("这里是自动回复的助手（不是真人），您在这里说的每一句话，综治中心的工作人员都看得到；登记好以后，当地的网格员或调解员会打电话联系您。"
                   "有紧急情况请拨打110。")
TELL_US = "有纠纷要反映，直接说说情况就行：什么事、在哪个村（社区）。"
SAFETY_QUESTION = "先问一句：现在有没有人受伤，或者有人身危险？有的话请回复“有”，我们马上通知值班领导；没有请回复“没有”。"
SAFETY_NOTED = "好的，没有人身危险。"
CALL_110_IF_DANGER = "如果现在有人受伤或有人身危险，请马上拨打110。"


def gas_told(text: str) -> bool:
    return bool(_GAS_SMELL.search(normalize(text)))


# someone who cannot speak now: hiding, shut in, the other one near
_HIDING = re.compile(r"躲(?:在|进|到)|不敢出声|不敢说话|不能说话|不方便说话|不方便接电话|他就在旁边|他在旁边|在门外|小声")


def hiding(text: str) -> bool:
    return bool(_HIDING.search(text))


HIDING = ("请注意安全，不方便说话就别出声。可以发短信到12110报警（写清在哪里、发生了什么），不用打电话。"
          "案件 {number} 工作人员已经知道，会尽快处理；方便时回一个能收短信的电话，或者在这里打字告诉我们。")
NO_ANSWER_OK = "好的，不想说也没关系。有危险请随时拨打110。"
SAFETY_AGAIN = "先回答这一个问题好吗：现在有没有人受伤，或者有人身危险？有请回复“有”，没有请回复“没有”。"
URGENT = "情况紧急，已立即通知值班领导和综治中心。如有人身危险，请马上拨打110！"
# when no alert could be sent to anyone (no staff channel, nobody on duty with an account)
URGENT_UNSENT = "情况紧急！如有人身危险，请马上拨打110。您的反映已登记为紧急案件，综治中心会第一时间看到并处理。"
# someone who says they do not want to live: care first, and the national psychological help line
HELP_LINE_NUMBER = "12356"          # the national psychological help line
_HELP_LINE = f"您不是一个人。此刻很难受的话，可以拨打心理援助热线{HELP_LINE_NUMBER}；有危险请拨打110或120。"
DISTRESS_NOTED = ("收到，已转给工作人员（{number}），他们会尽快联系您、陪您说说话。"
                  f"心理援助热线{HELP_LINE_NUMBER}也随时可以打。")
DISTRESS_NOTHING_MORE = ("好的，不想说也没关系。工作人员（{number}）会尽快联系您。"
                         f"心理援助热线{HELP_LINE_NUMBER}随时可以打；有危险请拨打110或120。")
URGENT_SELF_HARM = "您说的话我们很重视，已经马上请工作人员联系您。" + _HELP_LINE
# despair in words the reading is unsure of ("我想一了百了"): care and the help line first, and the
# question asked of the writer's own danger, not whether anyone is hurt
SAFETY_QUESTION_SELF_HARM = ("您说的话我们很重视。" + _HELP_LINE
                             + "想问一句：您现在有没有危险？有的话请回复“有”，我们马上通知值班领导；没有请回复“没有”。")


def safety_question(reasons: list[str] | tuple[str, ...]) -> str:
    """The safety question for a reading that is unsure whether to wake the leader."""
    return SAFETY_QUESTION_SELF_HARM if has_reason(reasons, "self_harm") else SAFETY_QUESTION


def still_here(number: str, reasons: list[str] | tuple[str, ...]) -> str:
    """"算了 说了也没用" after an urgent report: giving up is no all-clear; the words went to the
    case's people, and help is said again."""
    return f"您说的话已转给工作人员（{number}），他们还是会尽快联系您。{help_now(reasons)}"


def help_now(reasons: list[str] | tuple[str, ...]) -> str:
    if has_reason(reasons, "self_harm"):
        return _HELP_LINE
    # a gathering planned, or many residents telling of one dispute: nobody is in danger yet,
    # and 110 is not the answer (the tenth resident telling of a pig farm's smell was told it)
    if only_a_crowd(reasons):
        return ""
    return "有人身危险请马上拨打110。"


def only_a_crowd(reasons: list[str] | tuple[str, ...]) -> bool:
    crowd = has_reason(reasons, "gathering") or any("群体性" in r for r in reasons)
    return crowd and not any(has_reason(reasons, k) for k in ("violence", "danger", "self_harm")) \
        and not any("人身危险" in r for r in reasons)


URGENT_SELF_HARM_UNSENT = "您说的话我们很重视，综治中心会第一时间看到并联系您。" + _HELP_LINE
# someone else harmed themselves, or is ill or hurt: the ambulance first, then us
URGENT_CENTRE_TOLD = "已立即通知值班领导和综治中心，工作人员会尽快联系您。"
URGENT_CENTRE_TOLD_UNSENT = "您的反映已登记为紧急案件，综治中心会第一时间看到并联系您。"
URGENT_AMBULANCE = "请马上拨打120急救，尽量有人陪在旁边；有人身危险请拨打110。已立即通知值班领导和综治中心，工作人员会尽快联系您。"
URGENT_AMBULANCE_UNSENT = ("请马上拨打120急救，尽量有人陪在旁边；有人身危险请拨打110。您的反映已登记为紧急案件，"
                           "综治中心会第一时间看到并联系您。")
# someone else speaking of ending their life, nothing done yet: stay with them, the means away
URGENT_SOMEONE_AT_RISK = ("请尽量有人陪在他（她）身边，别让他（她）一个人待着，把农药、药品、刀具、绳子等收起来；"
                          f"可以陪他（她）一起拨打心理援助热线{HELP_LINE_NUMBER}，有危险请马上拨打110或120。")
# gas: out first, nothing that sparks, then the fire brigade and the gas company
GAS_FIRST = "请马上离开屋子，不要开关电灯电器、不要打火，能开窗的开窗通风，到屋外拨打119和燃气公司抢修电话；有人晕倒请拨打120。"
_GAS = re.compile(r"煤气|液化气|天然气|燃气")
# a leak or its smell, not a bill ("燃气费") or a stove bought
_GAS_SMELL = re.compile(r"(?:煤气|液化气|天然气|燃气)[^，。！？]{0,6}(?:味|漏|泄)|(?:漏气|一股.{0,3}气味)")
# someone in the water: the ambulance and the police, then what a bystander can do without
# going in after them
WATER_FIRST = "请马上拨打110和120。向落水的人抛救生圈、绳子、竹竿或能浮起来的东西，不会游泳千万不要下水。"
_WATER = re.compile(r"落水|溺水|掉(进|到|入|下)?(了)?[^，。！？\s]{0,4}(河|塘|井|水库|江|湖|水|冰窟)|被(洪水|大水|河水|水|浪)(冲|卷)"
                    r"|沉下去|沉底|扑腾|漂着|冰(面|上|窟窿)")
# a jump into the water done, not threatened ("说要跳河" is no rescue yet)
_JUMPED_IN = re.compile(r"(?<![要想说去会就])跳(?:了|进|下|到)?(?:了)?(?:河|江|塘|井|水库|海|湖)(?:里)?了|跳(?:进|下|到)(?:了)?[^，。！？\s]{0,4}(?:河|江|塘|井|水库|海|湖)")
_WATER_WORDS = re.compile(r"[河塘井湖江海]|水库|水里|水中|水边|冰")
# a fire: out first, then the fire brigade; 冒火 of wires or a stove, not of anger (心里冒火, 气得冒火)
FIRE_FIRST = "请马上离开着火的地方，拨打119；有人受伤请拨打120。"
_FIRE = re.compile(r"着火|起火|失火|火灾|烧起来|明火|火苗|火往|火烧到|(?<![里得子])冒火")
# a gathering or petition being planned: no one is in danger yet, and 110 is not the answer
URGENT_GATHERING = "已立即通知值班领导和综治中心，工作人员会尽快联系您，把大家的诉求依法解决好。"
URGENT_GATHERING_UNSENT = "您的反映已登记为紧急案件，综治中心会第一时间看到并联系您，把大家的诉求依法解决好。"
ASK_WHERE_URGENT = "为了尽快找到您，请说一下现在在哪个村（社区）、具体位置。"
ASK_WHERE_SELF_HARM = "方便的话，告诉我们您现在在哪个村（社区），工作人员好尽快过去；不想说也没关系。"
ASK_PHONE_URGENT = "请留一个能马上打通的电话。"
ASK_PHONE_SELF_HARM = "能留一个电话吗？工作人员想马上和您说说话。不想留也没关系，我们在这里也能联系到您。"


def has_reason(reasons: list[str] | tuple[str, ...], key: str) -> bool:
    """Whether one of a case's risk reasons (as shown: '自伤自杀风险：“不想活了”') is `key`'s.
    One told as news ('自伤自杀风险（像新闻标题）：“跳楼”') is nobody's in this chat: a pasted
    headline, then "隔壁老张拿着菜刀在楼道里转", is not answered with the help line."""
    name = reason_name(key)
    return any(r.startswith(name) and not r.startswith(_AS_NEWS, len(name)) for r in reasons)


_AS_NEWS = f"（{CUE_STATUS_NAMES['headline']}）"
_QUOTED = re.compile(r"“(.+?)”")
# a cry and nothing else: no weapon, no blow, no one in the water, only a call for someone to come
_CRY = re.compile(r"^(?:救命|快来人|来人啊?|快点来人|快来人啊|救救(?:我|我们)?|出大事了?|要出人命了?)$")


def only_a_cry(reasons: list[str] | tuple[str, ...]) -> bool:
    """Whether the red reasons quote a cry alone ('人身危险：“快来人”'): said on a case already open
    ("快点来人啊"), a chase more often than a new danger."""
    red = [r for r in reasons if any(r.startswith(reason_name(k)) for k in ("violence", "self_harm", "gathering", "danger"))]
    words = [w for r in red for w in _QUOTED.findall(r)]
    return bool(words) and all(_CRY.match(w) for w in words)


def about_someone_else(reasons: list[str] | tuple[str, ...], text: str) -> bool:
    """Whether the self-harm told is someone else's ("我妈吃了一瓶药", "俺那口子喝了农药"): the
    clause with the words behind the reason has another person before them and not the writer."""
    cues = [c for r in reasons if r.startswith(reason_name("self_harm")) for c in _QUOTED.findall(r)]
    # the cues are quoted as read (simplified, normalised): looked for in the words as read too
    # ("我媽喝了農藥" was taken for the writer's own distress)
    return told_of_someone_else(normalize(text), cues)


# the one asked about is the writer ("如果一个人不想活了…" then "其实就是我自己")
_IT_IS_ME = re.compile(r"(?:其实|说的|问的)(?:就)?是我(?:自己)?(?![家们妈爸])|那个人(?:就)?是我|就是我自己")
ITS_ME_THANKS = "谢谢您愿意告诉我们。" + _HELP_LINE


def says_it_is_themselves(text: str) -> bool:
    return bool(_IT_IS_ME.search(normalize(text)))


def writer_in_distress(reasons: list[str] | tuple[str, ...], text: str) -> bool:
    return has_reason(reasons, "self_harm") and (says_it_is_themselves(text) or not about_someone_else(reasons, text))


def urgent_text(reasons: list[str] | tuple[str, ...], alerted: bool, text: str = "", leader: bool = True) -> str:
    """What an urgent report is told, by its reasons (and its words: whose distress it is,
    whether a doctor is needed); `leader`: whether the leader on duty was among those alerted
    (one without a WeCom account is not: the resident was told he was)."""
    said = _urgent_text(reasons, alerted, text)
    return said if leader else said.replace("值班领导和综治中心", "综治中心")


def _urgent_text(reasons: list[str] | tuple[str, ...], alerted: bool, text: str = "") -> str:
    if writer_in_distress(reasons, text):
        return URGENT_SELF_HARM if alerted else URGENT_SELF_HARM_UNSENT
    hurt = needs_a_doctor(normalize(text))
    if has_reason(reasons, "self_harm") and _JUMPED_IN.search(normalize(text)):
        # "我老公跳河了": someone in the water now, not a worry to stay with (the pesticide script)
        return WATER_FIRST + (URGENT_CENTRE_TOLD if alerted else URGENT_CENTRE_TOLD_UNSENT)
    if has_reason(reasons, "self_harm") and not hurt:
        # nothing done yet ("我姐老说活着没意思"): how to stay with them, then us
        return URGENT_SOMEONE_AT_RISK + (URGENT_CENTRE_TOLD if alerted else URGENT_CENTRE_TOLD_UNSENT)
    if has_reason(reasons, "self_harm") or hurt:
        return URGENT_AMBULANCE if alerted else URGENT_AMBULANCE_UNSENT
    if has_reason(reasons, "danger"):
        said = normalize(text)
        # the danger's own words as the reading quoted them ("井里掉了个小孩") tell water too
        quoted = "，".join(c for r in reasons if r.startswith(reason_name("danger")) for c in _QUOTED.findall(r))
        first = next((words for words, rx, where in ((GAS_FIRST, _GAS, said), (WATER_FIRST, _WATER, said),
                                                     (WATER_FIRST, _WATER_WORDS, quoted), (FIRE_FIRST, _FIRE, said))
                      if rx.search(where)), None)
        if first:
            return first + (URGENT_CENTRE_TOLD if alerted else URGENT_CENTRE_TOLD_UNSENT)
    if has_reason(reasons, "gathering") and not any(has_reason(reasons, k) for k in ("violence", "danger")):
        return URGENT_GATHERING if alerted else URGENT_GATHERING_UNSENT
    return URGENT if alerted else URGENT_UNSENT


def county_name(registry: Registry) -> str:
    return registry.name(registry.county_code()) or "本县"


def help_text(registry: Registry) -> str:
    county = county_name(registry)
    return (f"您好，这里是{county}矛盾纠纷调解平台（解纷）。\n"
            "遇到邻里、家庭、工资、物业等纠纷，直接说说情况就行，比如：“我是柳林村的，楼上天天半夜吵”。\n"
            "查询进度：发送“查询 案件编号”或“我的案子怎么样了”。")


# the welcome said a moment ago: a line, not its three again
STILL_HERE = "在的。遇到纠纷或烦心事，直接说说情况就行；查询进度请发“查询 案件编号”。"
ONLY_DISPUTES = "我是调解平台的助手，只能帮您反映纠纷、查询进度。遇到纠纷或烦心事，直接说说情况就行。"


def local(dt: datetime | None, tz: str) -> str:
    return dt.astimezone(ZoneInfo(tz)).strftime("%m月%d日 %H:%M") if dt else ""


def summary(draft: Draft, registry: Registry) -> str:
    lines = ["请核对您要反映的情况：",
             f"类型：{TYPE_NAMES.get(draft.type or 'other', '其他纠纷')}",
             f"地点：{registry.residents_name(draft.place_code) or registry.name(draft.place_code) or '未知（综治中心会与您核实）'}"]
    if draft.party:
        lines.append(f"对方：{draft.party}")
    lines.append("联系方式：" + ("本账号" if draft.contact_by_account else mask_phone(draft.contact or "")
                              or "未留（进展在本页面告诉您）")
                 + (f"（已记下您的提醒：{mask_text(draft.contact_note)}）" if draft.contact_note else ""))
    lines.append(f"情况：{shorten(mask_text(draft.description), 80)}")
    lines.append("没问题请回复“确认”提交；要改直接说（如“不对，是桃源村”）；回复“取消”放弃。")
    return "\n".join(lines)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def place_example(registry: Registry) -> str:
    return next((p.name for p in registry.places.values() if p.level in ("village", "community")), "某某村")

# a number she said not to ring: kept, and nobody promises to ring it
NO_CALL_PROMISE = "工作人员不直接打这个电话，先在这里和您联系。"
# the resident warned how not to be reached ("别打这个电话给我老公知道")
CAUTION_NOTED = ("已记下您的提醒，案件 {number} 的工作人员会看到：不直接打这个电话，先在这里和您联系。"
                 "如有危险请马上拨打110。")
CAUTION_WHEN_NOTED = "已记下您的提醒（{note}），案件 {number} 的工作人员联系您时会照做。"
_NO_CALL = re.compile(r"别|不要|不能|不方便|千万|只能(?:发)?(?:短信|微信|信息|消息)|知道|发现|听到")


# a time not to call ("晚上别打", "白天上班不方便接"): when to call, not a ban on calling
_NOT_THEN = re.compile(r"(?:早上|上午|中午|下午|晚上|夜里|半夜|白天|周末|工作日|上班(?:时间)?)[^，。！？]{0,3}"
                       r"(?:别|不要|不能|不方便|没法)")


def no_calls(note: str) -> bool:
    """Whether the note asks not to be called at all (not only at some time)."""
    return bool(_NO_CALL.search(note)) and not (_NOT_THEN.search(note) and not _NO_CALL.search(_NOT_THEN.sub("", note)))


def caution_noted(number: str, note: str) -> str:
    """A warning not to call ("别打这个电话 他会查手机") or when to call ("只能晚上7点后打", "晚上别打")."""
    if no_calls(note):
        return CAUTION_NOTED.format(number=number)
    return CAUTION_WHEN_NOTED.format(number=number, note=note)


NEWS_RECEIVED = "收到，这是一条新闻，我们不作为纠纷登记。自己或身边遇到纠纷，直接在这里说就行。"
JUST_ASKING = ("好的，不登记。想问什么直接问就行（比如调解收不收费、协议管不管用）；不是调解的事，"
               "可以打政务服务热线12345。以后遇到纠纷，随时在这里说。")
