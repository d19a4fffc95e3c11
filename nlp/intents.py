"""Conversation control words: yes, no, cancel, skip, "this account", progress questions,
greetings. They steer the intake; the dispute itself is read by `Understanding`."""
from __future__ import annotations

import re
from enum import StrEnum

_END = r"[。！!？?~～\s.，,]*$"


def _words(*alternatives: str, whole: bool = True) -> re.Pattern[str]:
    body = "|".join(alternatives)
    return re.compile(rf"^\s*(?:{body}){_END}" if whole else rf"(?:{body})")


_YES = ("是", "是的", "对", "对的", "没错", "确认", "确定", "提交", "好", "好的", "嗯", "嗯嗯", "可以", "行",
                 "没问题", "ok", "OK", "yes", "y", "1", "确认提交", "对，提交", "是的，提交", "没错，提交", "好的提交",
                 # as people say yes where they live: 中 (Henan), 要得 (Sichuan), 系 (Cantonese)…
                 "中+", "中嘞", "中啊", "要得", "好嘞", "好滴", "好哒", "妥", "妥了", "没毛病", "对头", "系", "是嘞",
                 "没(?:有)?问题")
# "是的没错", "对没问题", "好的 确认": yes said two or three ways
CONFIRM = re.compile(rf"^\s*(?:(?:{'|'.join(_YES)})[，,。\s]*){{1,3}}{_END}"
                     # "对的 就这样提交吧", "就这样吧", "提交吧", "confirm": yes, and send it
                     rf"|^\s*(?:(?:{'|'.join(_YES)})[，,。\s]*){{0,2}}(?:(?:就|那就)(?:这样|这么)(?:办|提交)?"
                     rf"|(?:就这样|这样)?(?:提交|交上去|报上去))(?:吧|了|呗)?{_END}"
                     rf"|^\s*(?:confirm|confirmed|submit)\s*{_END}", re.I)
DENY = _words("不", "不对", "不是", "错了", "no", "n", "否", "不正确")
CANCEL = re.compile(r"^\s*(?:(?:还是|那就|那|唉|哎|嗯|我说了|说了)[，,\s]*)?(?:先|暂时|我)?(?:算了|取消|不报了|不要了|不用了|不反映了|不想反映了|不想报了|不想投诉了|不投诉了|不举报了|撤销|撤回|退出|放弃)(?:吧|了|啊)?(?:[，,]?.{0,12})?" + _END)
SKIP = _words("不知道", "不清楚", "不方便说", "不方便", "不想说", "没有", "无", "跳过", "不用", "不用了", "不要了", "没对方", "不说了", "略", "没有了", "没了",
               "就这些", "没别的了", "没其他的了")
THIS_ACCOUNT = re.compile(r"(?:本账号|这个账号|这个微信|本微信|微信联系|就用这个|用这个号|在这里联系|就这里|网上联系|这里回复)")
PROGRESS = re.compile(r"(?:怎么样了|咋样了|咋样啦|怎样了|有消息(?:没有|没|吗|了吗)|有信儿|进展|进度|处理得?怎么样|办得?怎么样|有结果了?吗|结果呢|查询|查一下|查下|查查|办到哪|到哪一步|有没有人管|有人管吗|我的案子|我的案件|我反映的|"
                      r"谁在管|谁管(?:我|这)|谁负责|哪个在管|约的(?:是)?(?:几点|哪天|什么时候)|几点来着|哪天来着|"
                      # "上次约谈是几号", "查 jf2612054"
                      r"约谈(?:是|在|定在)?(?:几号|哪天|几点|什么时候)|什么时候约谈|哪天约谈|^\s*查\s*[A-Za-zＡ-Ｚａ-ｚ]{1,4}\s*[\d０-９]|"
                      # "饼干那个呢": the case named by what it is about
                      r"^[^，。！？\s]{1,8}(?:那个|那件|的)(?:事|事情|案子|案件)?(?:呢|咋样|怎样)[？?。]*$)")
GREETING = _words("你好", "您好", "在吗", "在不在", "hi", "hello", "喂", "哈喽", "早上好", "晚上好", "下午好", "有人吗",
                  "你好呀", "您好，在吗", "你好，在吗")
THANKS = re.compile(r"^\s*(?:谢谢|多谢|感谢|辛苦了|好的谢谢|麻烦了|谢了)(?:你|您|啦|了)?" + _END)
HELP = _words("帮助", "help", "怎么用", "菜单", "功能", "你能做什么", "怎么反映", "怎么投诉", "\\?", "？")
REPORT = re.compile(r"(?:反映|投诉|举报|报案|求助|调解|纠纷|评评理|帮帮|帮忙|主持公道|有个事|有件事|有事|有点事|有些事"
                    r"|有个情况|说来话长|想问个事|想问件事|家里的事)")
# a word or two before it is how people talk ("哎呀我又说错了 应该是…", "不好意思我说错了，是…")
CORRECTION = re.compile(r"^\s*(?:(?:哎呀|哎哟|哎|唉|啊|哦|噢|嗯|呃|不好意思|对不起|抱歉)[，,。！!\s]*)?"
                        r"(?:不对|不是|错了|改一下|改成|更正|应该是|搞错了|(?:我)?又?(?:说|写|打|填|讲|搞)错了)"
                        r"[，,。！!\s]*(?:是|应该是|改成|改为)?")


def is_confirm(text: str) -> bool:
    return bool(CONFIRM.match(text))


def is_deny(text: str) -> bool:
    return bool(DENY.match(text))


def is_cancel(text: str) -> bool:
    return bool(CANCEL.match(text))


def is_skip(text: str) -> bool:
    return bool(SKIP.match(text))


def wants_this_account(text: str) -> bool:
    return bool(THIS_ACCOUNT.search(text))


def asks_progress(text: str) -> bool:
    return bool(PROGRESS.search(text)) and len(text) <= 40


def is_greeting(text: str) -> bool:
    return bool(GREETING.match(text))


# thanks with a few words more ("谢谢你们 上次的事解决了"): not a new story
_THANKS_FIRST = re.compile(r"^\s*(?:谢谢|多谢|感谢|辛苦了|辛苦你们了)")
# asking for a person rather than the bot
HUMAN = re.compile(r"真人|转人工|人工服务|人工客服|找人工|找工作人员|找个人|客服|找领导|跟人说|和人说|你是机器人|你是不是机器人")


# praise before any result ("满意 五星好评", "挺满意的 给5分"): thanks, not a part of the story;
# a rating asked after the result is read by bot/rating.py first
_PRAISE = re.compile(r"^\s*(?:(?:挺|很|非常|特别|比较|还挺|都)?满意(?:的|了|啊)?|(?:五星)?好评|(?:给你们)?点(?:个)?赞|给(?:你们)?(?:打)?[五5](?:分|星))")


def is_thanks(text: str) -> bool:
    if len(text) <= 20 and _PRAISE.match(text) and not re.search(r"不|没|屁|鬼|还在|又", text):
        return True
    return bool(THANKS.match(text)) or bool(_THANKS_FIRST.match(text)) and len(text) <= 20


# the resident says the matter settled itself ("楼上那家已经不吵了 不用来了", "已经中了 不用管了")
SETTLED = re.compile(r"(?<![没未不])解(?:决|绝)(?:了|咯|啦|喽|嘞)|已经好了|都好了|不吵了|不闹了|不用来了|不用管了|没事了|已经中了|和好了|谈妥了|私了了|"
                     r"(?<![没未不])(?:修|调|处理|弄|办|搞)(?:好|定)了")


# asked to be called back, or to see someone ("能不能让网格员给我打个电话", "我想找个人当面说")
CALL_BACK = re.compile(r"给我(?:打|回)(?:个|一个)?电话|回(?:个)?电话|当面说|当面谈|(?<!时候)(?<!哪天)(?<!几号)(?<!几时)上门|来(?:我)?家(?:里)?(?:看看|一趟)")
# words taken back ("就是气话 我不会真干的")
TAKEN_BACK = re.compile(r"气话|说说而已|说着玩|开玩笑|不会真|不是真的要|吓唬")


# a meeting or a call asked to be moved ("那天我要去医院 能不能改到下午", "周三我没空 换个时间")
_WHEN = r"(?:那天|那时候|那个时间|这个时间|约的(?:那个)?时间|明天|后天|[周礼拜星期]{1,2}[一二三四五六日天])"
RESCHEDULE = re.compile(r"改(?:到|成|在)?(?:上午|下午|晚上|明天|后天|[周礼拜星期]{1,2}[一二三四五六日天]|\d+[号日点])|"
                        r"换(?:个|一个)?(?:时间|日子)|改(?:个|一下)?时间|另约|改期|往后推|推迟(?:一下|几天)?(?:吧|行不行|可以吗)|"
                        r"改(?:成|到|在)?周末|时间不(?:合适|行|方便|对)|"
                        + _WHEN + r"[^，。！？]{0,6}(?:没空|没时间|去不了|来不了|不方便|有事)")


# a warning about being called: someone at home must not know ("别打这个电话给我老公知道",
# "打电话会被他听到的", "只能发微信联系我"); kept beside the number for whoever calls back
_WHO = r"(?:他|她|他们|我老公|我男人|我丈夫|我老婆|我媳妇|家里人|家里|我婆婆|我公公|我爸|我妈|孩子)"
CONTACT_CAUTION = re.compile(
    r"(?:别|不要|不能|千万别|千万不要|最好别)(?:给我|往这个号)?(?:打|拨)(?:这个|这|那个|那)?[^，。！？\s]{0,5}?(?:电话|手机|号码?|过来)|"
    r"(?:电话|手机)(?:就)?(?:别|不要)(?:打|拨)|^(?:有事|就|请|你们)?(?:就)?发(?:个)?(?:微信|短信)(?:吧|就行|联系我?)?$|"
    r"(?:别|不要|不能|千万别|千万不要)(?:打电话|来电话|打给我)|千万(?:别|不要)(?:打|拨)|不方便接(?:电话)?|接电话不方便|"
    r"(?:只能|最好)(?:发)?(?:短信|微信|信息|消息)(?:联系)?|"
    # when to call ("只能晚上7点后打", "白天打座机"): how to reach them, kept with the number
    r"(?:只能|最好|请)?(?:在)?(?:早上|上午|中午|下午|晚上|白天|周末|工作日)[^，。！？]{0,6}?(?:再)?(?:打(?![了他她我人架过伤死到麻牌球桩钻孔游呼雷闹骂仗针])|联系)|"
    r"(?:电话|打电话|来电话)[^，。！？]{0,6}(?:被|让|给)" + _WHO + r"[^，。！？]{0,4}(?:知道|发现|听到|看到)|"
    r"(?:别|不要|不能)(?:让|给)" + _WHO + r"(?:知道|发现)|"
    # not while someone is at home ("不要在我老公在家的时候打")
    r"(?:别|不要|不能|千万别|千万不要)(?:在)?" + _WHO + r"(?:在家|在的时候|在旁边|回来)[^，。！？]{0,6}(?:打|联系|来)|"
    + _WHO + r"(?:在家|在的时候|在旁边)[^，。！？]{0,6}(?:别|不要|不能|千万别|千万不要)(?:打|联系|来)")
_CLAUSE = re.compile(r"[，,。！？!?；;\s]+")
# a warning about someone else's phone ("别打她电话", "他不方便接电话"): not the number the writer gave
_THEIRS = re.compile(r"(?:^|[^我])(?:她|他|她们|他们)(?:的)?(?:电话|手机)|^(?:她|他)(?:不方便|不能)接")


# "你们联系我爸吧 他电话…": the one to call is a relative the report is for
_KIN_TO_CALL = (r"(爸|妈|爹|娘|父亲|母亲|爷爷|奶奶|姥姥|姥爷|外公|外婆|老公|老婆|爱人|儿子|女儿|闺女|哥|姐|弟|妹|舅|叔|姑|姨)")
_THROUGH = re.compile(r"(?:联系|找|打给|打电话给|通知|问)(?:一下)?(?:我|俺)(?:家)?" + _KIN_TO_CALL + r"|"
                      r"打(?:我|俺)(?:家)?" + _KIN_TO_CALL + r"(?:的)?(?:电话|手机)")


def contacted_through(text: str) -> str | None:
    """Who the writer wants called instead of themselves ("我爸"), or None."""
    m = _THROUGH.search(text)
    return "我" + (m.group(1) or m.group(2)) if m else None


def contact_caution(text: str) -> str:
    """The clauses that warn how (not) to be contacted, as said ("别打这个电话，只能发微信联系
    我"); "" when none does."""
    return "，".join(c.strip() for c in _CLAUSE.split(text) if CONTACT_CAUTION.search(c) and not _THEIRS.search(c))


# a wish to withdraw said inside a sentence ("押金那个事我不想弄了 取消案件", "算了吧 我不想追究了")
WITHDRAW = re.compile(r"取消(?:这个)?(?:案件|案子|投诉|反映)|撤(?:销|回)(?:这个)?(?:案件|案子|投诉|反映)?|"
                      r"不想(?:弄|办|告|追究)了|不追究了|(?<!说)不用(?:你们)?(?:管|处理)了|撤案|撤诉|(?:就|那就)?撤了吧|"
                      r"不告了|(?<!说)不用麻烦(?:你们)?了|^\s*(?:那就|那|算了)?[，,\s]*不(?:需要|搞|弄)了|"
                      r"(?:别|莫|甭)管了[^，。！？]{0,3}(?:我们)?(?:自己(?:解决|处理|商量)|私了)")
# "我不想追究了 但是医药费得给": something is still wanted
_STILL_WANTED = re.compile(r"但|可是|不过|只要|除非")


# "我不撤案", "撤案是不可能的", "他威胁我说不撤案就打我", "天天上门逼我撤诉": no wish of theirs
_NOT_WITHDRAWING = re.compile(r"不(?:会|能|想)?撤|撤[^，。！？]{0,4}(?:不可能|没门)|(?:威胁|逼|叫|让|要|劝)我[^，。！？]{0,3}撤|"
                              r"咽不下|凭什么(?:要)?撤|撤个(?:锤子|屁|球|毛|鬼|啥)|没(?:说|想)(?:过)?要?撤|谁说[^，。！？]{0,4}撤|(?:干嘛|为什么|为啥)要撤")


# withdrawing spoken of at all, wished or refused ("村干部劝我撤了吧 我不同意", "撤个锤子 钱都没赔"):
# words about the case already open
_WITHDRAW_TALK = re.compile(r"撤(?:案|诉|回|销|了|个|掉)|私了")


def talks_of_withdrawing(text: str) -> bool:
    return bool(_WITHDRAW_TALK.search(text))


def withdraws(text: str) -> bool:
    m = WITHDRAW.search(text)
    return bool(m) and not _STILL_WANTED.search(text, m.end()) and not _NOT_WITHDRAWING.search(text)


def asks_to_reschedule(text: str) -> bool:
    return bool(RESCHEDULE.search(text))


def asks_call_back(text: str) -> bool:
    return bool(CALL_BACK.search(text))


def takes_back(text: str) -> bool:
    return bool(TAKEN_BACK.search(text))


def says_settled(text: str) -> bool:
    return bool(SETTLED.search(text)) and not QUESTION.search(text)


# what keeps "解决了" from being the end of it: a but, a question, someone else's say-so, part of it,
# another time, a wish ("早就该解决了", "希望能解决了")
_STILL_OPEN = re.compile(r"但|可是|不过|还没|还是|又|吗|么|？|\?|说|其实|嘴上|一半|部分|上次|之前|以前|照样|根本|"
                         r"该|早就|能|要是|如果|希望|快点")


def settled_plainly(text: str) -> bool:
    """"已经解决了 谢谢", "刚刚他家来人道歉了 已经解决了": the matter settled, said as a plain fact."""
    return says_settled(text) and not _STILL_OPEN.search(text)


def wants_a_person(text: str) -> bool:
    # "别给我打电话 他会查手机" is the opposite of a wish to be called
    return bool(HUMAN.search(text) or CALL_BACK.search(text)) and len(text) <= 40 and not contact_caution(text)


def asks_help(text: str) -> bool:
    return bool(HELP.match(text))


# a news item forwarded ("【青山新闻】…", "新华社…电", "据…报道", a meeting held): passed on to be
# read, not a report, though it speaks of 纠纷 and 调解
NEWS = re.compile(r"^\s*【[^】]{1,16}】|新华社(?!区)|人民网|央视新闻|本报讯|本报记者|记者.{0,8}(?:获悉|了解到|报道)|通讯员|"
                  r"\d{1,2}月\d{1,2}日(?:电|讯)|据.{1,12}(?:报道|消息|通报)|"
                  r"召开.{0,30}(?:会议|推进会|座谈会|部署会|工作会|现场会)|(?:会议|推进会|座谈会|工作会)(?:在.{1,8})?召开")


def looks_like_news(text: str) -> bool:
    return bool(NEWS.search(text))


def wants_to_report(text: str) -> bool:
    return bool(REPORT.search(text)) and not looks_like_news(text)


# asking something (where, when, how much, whether), not telling: 怎么办 is a problem told
QUESTION = re.compile(r"(?:请问|想问|问一下|问问|咨询|多少|哪里|在哪|哪儿|几点|什么时候|能不能|可不可以"
                      r"|[吗呢][？?!！。]*$|[？?]\s*$)")


# "电话不方便留", "不想留电话", "手机号就不给了": no phone, said in a sentence (the bare "不方便"
# is a SKIP); the writer's own, not someone else's ("他家没有电话")
NO_PHONE = re.compile(r"^(?:[^，,。]{0,8}[\s，,])?(?:我的?)?(?:电话|手机|号码|手机号码?|电话号码?|联系方式)(?:就|还是|先)?"
                      r"(?:不方便|不想|不愿意?|不能|不留|不给|没有|算了)(?:留|给|说|告诉你们?)?了?" + _END
                      + r"|^(?:我)?(?:不方便|不想|不愿意?|不能|没法|不|就不)(?:留|给|告诉你们?|说)(?:你们)?的?(?:电话|手机号?码?|号码|联系方式)了?"
                      + _END + r"|^(?:我)?没有?(?:电话|手机)(?:[，,\s]*跳过)?" + _END
                      + r"|^(?:我)?(?:不想|不愿意?|不方便|不)留了?" + _END
                      # "不留；你们凭什么要我电话", "凭啥要我手机号": a refusal with its why
                      + r"|^(?:(?:我)?(?:不想|不愿意?|不方便|不|就不)(?:留|给)了?[，,；;\s]*)?(?:你们|你)?(?:凭什么|凭啥|为什么|为啥|干嘛)"
                        r"(?:要|问|留|给)(?:我|你们)?的?(?:电话|手机号?码?|号码|联系方式)")


def declines_phone(text: str) -> bool:
    return bool(NO_PHONE.search(text))


# asking after a case already reported: "到底有人管没有", "怎么还没人联系我", "帮我催一下"
CHASE = re.compile(r"有人管没有|有没有人管|有人管(?:了)?吗|有人管了没|(?:怎么|咋)还没(?:有)?人|还没(?:有)?人(?:来|联系|管|处理|理)|"
                   r"到底来不来|还来不来|都[一二三四五六七八九十两\d]+天了|"
                   r"到底(?:管不管|有没有人|什么时候)|什么时候(?:来|处理|解决)|催(?:一下|一催|催)|"
                   r"(?:啥|什么|几)时[候侯](?:能|才|会)?(?:有人(?:来|过来|上门|处理|管|联系)|来人|(?:来)?处理|(?:来)?解决|"
                   r"给(?:我)?(?:个)?(?:答复|回复|说法))|几时来人|还要等多久|要等到(?:什么|啥)时候|"
                   r"(?:怎么|咋)还没(?:有)?(?:消息|动静|回音|回复|下文|结果|进展)|你们(?:到底)?管不管|"
                   r"等了[一二三四五六七八九十两几\d]+(?:天|个月|个礼拜|周|星期)(?:了)?(?:还|都)没|有(?:没有)?进展|有进展(?:了)?(?:吗|没)|"
                   r"(?:啥|什么|几)时[候侯](?:能|才|会)?(?:上门|派人|到)|^人呢|多会儿?(?:来|到)|几时(?:来|到)|今天能来吗|"
                   r"(?:哪天|哪一天|几号)(?:来|到|上门)|等到(?:啥|什么)时候|(?:要|得)等几天|能快点|有人回复吗|有没有人回复|"
                   r"派人来看看没|"
                   # dialect and plain ("咋个还没得人来哦", "搞快点嘛", "恁个慢", "都一个礼拜了", "有没有人啊")
                   r"(?:咋|怎么|怎)个?还没(?:得|有)?人|搞快(?:点|些)|^快(?:点|些)(?:嘛|吧|哦|啊|撒)?[!！。\s]*$|"
                   r"(?:恁个|恁么|咋这么|怎么这么|咋个这么|咋恁)慢|(?:办事|处理得?|你们)(?:也)?太慢|慢死了|"
                   r"几点(?:钟)?(?:来|到|上门|能来)|几时(?:派人|能来|上门|过来)|"
                   r"都(?:[一二三四五六七八九十两\d]+|好几|几)(?:个)?(?:天|礼拜|星期|周|月)了|"
                   r"^有没有人(?:啊|呀|在|管)?[？?！!。\s]*$|"
                   r"等(?:了)?(?:好久|很久|半天|好几天|这么久|那么久|老半天)|等(?:到|得)花儿?都谢了|^人(?:呢|咧|嘞|捏)|"
                   r"(?:啥|什么|几)时[候侯](?:能|才|会)?过来|"
                   # the service itself blamed ("你们效率太低了", "什么破平台"): the status, and the centre hears
                   r"效率(?:太)?低|破平台|一点用(?:都)?没有|服务态度(?:太)?差|投诉你们|"
                   r"不管(?:我们|老百姓|群众|人)?(?:的)?死活|踢皮球|推来推去|推三阻四")


# the resident says this is another matter than the one they reported
ANOTHER_MATTER = re.compile(r"^\s*(?:还有|另外|对了还有)[，,\s:：]|还有(?:一)?(?:个|件)事|另(?:外)?(?:一)?(?:个|件)事|另外还有|再反映(?:一)?(?:个|件)|"
                            r"再说(?:一)?(?:个|件)事|两(?:回|码)事|不(?:是)?一(?:回|码)事|不相干|没关系的事|"
                            r"单独(?:反映|登记|报|说)|分开(?:反映|登记|报)")


def another_matter(text: str) -> bool:
    return bool(ANOTHER_MATTER.search(text))


# words pointing back at what was told ("他还欠我两千", "他们家还在楼道里堆…"): more of the same
# matter, whatever type the words alone read as
_POINTS_BACK = re.compile(r"他|她|它|对方|这家|那家|这个人|那个人|那人|这人|这事|那事|这件事|那件事|上面|刚才")


def points_back(text: str) -> bool:
    return bool(_POINTS_BACK.search(text))


# how the matter stands now ("墙还没拆", "还是没赔", "不太满意"): news of a case already told
_STILL_NOT = re.compile(r"还没|还是没|仍然没|依然没|一直没|到现在也没|(?:不太|不怎么|很不|不)满意")


def tells_how_it_stands(text: str) -> bool:
    return bool(_STILL_NOT.search(text))


# the trouble told as happening again or still ("狗又叫了一晚上", "还在叫", "照样没人管"), not 又…又…
# ("又脏又乱", a description)
_AGAIN = re.compile(r"(?<!又.)(?<!又..)又(?!.{1,3}又)|还在|还是那|照样|照旧|依旧|依然|仍然|仍旧|继续|又来|"
                    r"(?:今天|今晚|昨天|昨晚|前天|这两天|这几天)(?:也|还)")


def told_again(text: str) -> bool:
    return bool(_AGAIN.search(text))


# words said while thinking, nothing else ("那个", "嗯……", "呃 就是"): no answer and no part of a story
_FILLER = re.compile(r"^(?:[\s,，.。…~～、!！?？]*(?:那个|这个|嗯+|呃+|额+|啊+|哦+|噢+|唔+|就是|然后|那|这|emm*|en+|um+))+"
                     r"[\s,，.。…~～、!！?？]*$", re.I)


def is_filler(text: str) -> bool:
    return bool(_FILLER.match(text))


def chases(text: str) -> bool:
    return bool(CHASE.search(text))


def asks_question(text: str) -> bool:
    return bool(QUESTION.search(text))


def strip_correction(text: str) -> tuple[bool, str]:
    """'不对，是柳林村' → (True, '柳林村')."""
    m = CORRECTION.match(text)
    return (True, text[m.end():].strip()) if m else (False, text)


# "不对，是石桥村" after a case was opened / "电话改成139…" / "补充：…"
FIELD_CHANGE = re.compile(r"^\s*(?:我的)?(?:联系电话|电话号码|手机号码?|电话|号码|联系方式|地点|地址|位置|地方|村子|村名)"
                          r"(?:改成|改为|换成|应该是|是|变了|换了|不对|(?:也)?(?:写|说|填|留|打)?错了)"
                          r"[:：，,。\s]*(?:应该是|是|改成)?[:：，,。\s]*")
ADDING = re.compile(r"^\s*(?:补充|再补充|还要补充|另外补充)[一下点]*[:：，,。\s]*")


class Intent(StrEnum):
    """What a message does to the conversation, beside what it tells about a dispute."""
    HUMAN = "human"                # asks for a person ("我要找真人", "转人工")
    CANCEL = "cancel"
    PROGRESS = "progress"          # asks how a case stands (also: a case number alone)
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    CONFIRM = "confirm"
    DENY = "deny"
    SKIP = "skip"                  # "不知道" / "没有": no answer to the question asked
    THIS_ACCOUNT = "this_account"  # "就用这个微信联系"
    REPORT = "report"              # wants to report something, not yet said what
    CORRECTION = "correction"      # "不对，…": what follows replaces an earlier answer
    FIELD_CHANGE = "field_change"  # "电话改成…"
    ADDING = "adding"              # "补充：…"


_INTENT_TESTS = ((Intent.CANCEL, is_cancel), (Intent.PROGRESS, asks_progress), (Intent.GREETING, is_greeting),
                 (Intent.THANKS, is_thanks), (Intent.HUMAN, wants_a_person), (Intent.HELP, asks_help), (Intent.CONFIRM, is_confirm),
                 (Intent.DENY, is_deny), (Intent.REPORT, wants_to_report),
                 (Intent.CORRECTION, lambda t: bool(CORRECTION.match(t))),
                 (Intent.FIELD_CHANGE, lambda t: bool(FIELD_CHANGE.match(t))),
                 (Intent.ADDING, lambda t: bool(ADDING.match(t))))


def intents_of(text: str, answer: str | None = None) -> frozenset[Intent]:
    """Every intent the (normalised) text shows; SKIP and THIS_ACCOUNT are judged on the
    answer part (the text after a correction word) when it is given."""
    found = {intent for intent, test in _INTENT_TESTS if test(text)}
    body = text if answer is None else answer
    if is_skip(body):
        found.add(Intent.SKIP)
    if wants_this_account(body):
        found.add(Intent.THIS_ACCOUNT)
    return frozenset(found)
