"""The other party of a dispute, as residents name them: "楼上那家", "隔壁老王", "老板", "物业"."""
from __future__ import annotations

import re

# the commonest surnames that are no everyday word after 小 or before 家 (not 石, 马, 孔, 龙, 白, 钱, 金,
# 方, 高, 田, 黄: 小石子, 小马, 小孔, 小龙虾, 小白, 小钱, 高家庄…)
_SURNAMES_SHORT = "王李张刘陈杨赵吴周徐孙朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦邹孟熊邱尹薛段雷侯陶黎贺顾毛郝龚邵严覃武戴莫汤"
_KIN = (r"(?:老公|丈夫|老婆|妻子|媳妇|前夫|前妻|儿子|女儿|儿媳妇|儿媳|女婿|公公|婆婆|岳父|岳母|父亲|母亲|亲戚|兄弟|哥哥|弟弟|姐姐|"
        r"妹妹|嫂子|弟媳|大哥|二哥|三哥|大姐|二姐|大伯|叔叔|伯伯|姑姑|舅舅|侄子|侄女|外甥)")
_WHO = (
    rf"(?:楼上|楼下|隔壁(?![县市省镇乡村组])|对门|对面|邻居|邻家|前院|后院|左邻|右舍)(?:那家|那户|的|家|邻居)?(?:老[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤]|[\u4e00-\u9fa5]{{0,2}}(?:大爷|大妈|大哥|大姐|阿姨|叔|婶|嫂|奶奶|爷爷)|"
    rf"[{_SURNAMES_SHORT}]家)?",
    # "小王", "小李": a younger person by surname, as 老王 an older one
    rf"(?:小[{_SURNAMES_SHORT}](?![\u4e00-\u9fa5]{{0,1}}[天年月]))",
    rf"(?:我|我的)?{_KIN}(?:的{_KIN})?",        # "我老婆的弟弟": her brother, not her
    r"(?:孩子家长|家长)",
    r"(?:我家|俺家)?那口子|隔篱屋|隔篱",
    r"(?:女方家|男方家|女方|男方|亲家)",
    r"(?:包工头|老板|工头|雇主|用人单位|公司|厂里|厂子|工地)",
    r"(?:物业公司|物业|开发商|房东|租客|房客|中介)",
    r"(?:医院|诊所|医生|卫生院)",
    r"(?:商家|店家|店主|卖家|商场|超市|网店|4S店|门店)",
    r"(?:司机|肇事司机|车主|对方司机)",
    r"(?:村委会|村委|村干部|村组|施工队|拆迁办|征收办)",
    r"(?:老(?:[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    r"任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤]|[大二三四五六七八九幺])"
    r"(?![\u4e00-\u9fa5]{0,1}[天年月]|员))",
    r"(?:[\u4e00-\u9fa5]某某?)",
    r"(?:姓[\u4e00-\u9fa5]的)",
)
# a business complained of: a modifier of its own (not a function word, not 我/他) before a
# head that names a business ("养猪场", "化工厂", "烧烤店", "装修公司"); farms, yards and
# plants by their own words, since 场 and 站 alone are also an occasion or a stop ("一场", "车站")
# characters a business's own name does not hold: function words, pronouns, verbs of what is
# done to it, measure words, time and position words, places ("镇上的", "在…", "来店里")
_NOT_A_NAME = ("的了在去到来把我俺咱额阮他她你它伊们开进出回从给这那哪个些每某各本该此其是和跟与及或被让叫说就都也还"
               "又再很太更最已正过着地得啥么吗呢吧啊呀嘛哦砸找问请挨偷看买卖租借欠拖打骂雇一二三四五六七八九十两几半多"
               "少间爿座栋块元钱昨今明前后晚早门口边旁里外上下中内村镇乡县区市省系话家对隔壁附近但之後楼游板儿接偿故")
# 家 belongs to a name ("家具店", "家政公司") unless it counts one ("一家", "那家", "他家")
_MODIFIER = rf"(?:[^\W\d_{_NOT_A_NAME}]|(?<![一这那他她我你哪每两几某俺咱额])家)"
_BUSINESS = (r"4s店|4S店"
             rf"|{_MODIFIER}{{1,4}}(?:厂|店|馆|公司|作坊)"
             r"|(?:养[\u4e00-\u9fa5]|[猪鸡鸭鹅牛羊]|养殖|屠宰|采石|砂石|沙石|石料|垃圾|搅拌|洗车|废品|木材|砖|沙|石|农|林|渔|牧)场"
             r"|(?:搅拌|垃圾|中转|废品|回收|收购|快递|加油|充电|洗车)站"
             rf"|{_MODIFIER}{{0,3}}(?:驾校|培训机构|培训班|健身房|美容院|幼儿园|养老院|敬老院|酒吧|网吧|KTV|ktv|歌厅|农家乐|民宿)")
_BUSINESS_RX = re.compile(_BUSINESS)
# the writer's own business ("我家的养殖场", "我自己开的小卖店") is not the other party
_OWNED = re.compile(r"(?:我|俺|咱|自己)(?:家|们)?(?:自己)?(?:开|办|承包|经营)?的?$")
_PARTY = re.compile("|".join((_BUSINESS, *_WHO)))
_WORKPLACES = frozenset(("工地", "厂里", "厂子", "公司"))
_OWN_KIN = re.compile(rf"(?:我|我的|俺){_KIN}")
_KIN_RE = re.compile(rf"(?:我|我的)?{_KIN}(?:的{_KIN})?")
_BOSS = re.compile(r"包工头|老板|工头|雇主")


_INSURER = re.compile(r".*(保[险險]公司)$")


def _business_name(words: str) -> str:
    # an insurer is named by what it is: the words before it are the accident's ("事故保险公司")
    return _INSURER.sub(r"\1", words)


def is_business(word: str) -> bool:
    """Whether a party's words name a business ("养猪场", "装修公司")."""
    return bool(_BUSINESS_RX.fullmatch(word))


def businesses(text: str) -> set[str]:
    """The businesses a text complains of (not the writer's own)."""
    return {_business_name(m.group(0)) for m in _BUSINESS_RX.finditer(text)
            if not _OWNED.search(text, max(0, m.start() - 6), m.start())}
# "和二组的黄家为了…": the household, not the group it lives in
_NAMED = re.compile(r"(?:对方是|对方叫|跟|和|与)(?:[一二三四五六七八九十\d]{1,3}(?:组|队)的|[\u4e00-\u9fa5]{1,3}(?:村|组|社区)的)?"
                    r"([\u4e00-\u9fa5]{2,6}?)(?:的|之间|吵|闹|有|发生|因为|为了|，|,|。|$)")
# a person named by surname: "同事李强", "有个叫赵大海的", "张老三"
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
             "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# characters that end a name rather than continue it ("李强三万块", "王芳把…")
_AFTER_NAME = "一二三四五六七八九十两几把被欠借打骂占说天还不在的了和跟是就也都又从给向对他她家说堆拿偷砍挖扔砸推踢撞拆"
_PERSON = re.compile(rf"(?:同事|朋友|老乡|工友|邻居|亲戚|表哥|表弟|表姐|表妹|堂哥|堂弟|同学|合伙人|房东|租客|老板|"
                     rf"(?:有个|一个)?叫)([{_SURNAMES}](?:老[一二三四五六七八九十大幺]|[\u4e00-\u9fa5](?:[^{_AFTER_NAME}\W\d])?))"
                     rf"|([{_SURNAMES}]老[一二三四五六七八九大幺])")
_NOT_NAMES = {"我们", "他们", "别人", "大家", "家里", "我", "俺", "咱", "你"}
_WHERE_THINGS_ARE = re.compile(r"的?(?:车|停车位|车位|车库|空地|草坪|绿化带|花园|花坛|过道|楼道|走廊|楼梯|门口|大门|路口|路边|垃圾桶)")


# a given name, or a nickname by birth order ("刘老四": 四 ends a name elsewhere, "李强三万块")
_GIVEN = rf"[{_SURNAMES}](?:老[一二三四五六七八九十大幺]|[\u4e00-\u9fa5](?:[^{_AFTER_NAME}\W\d])?)"
# the writer's own name: "我叫王大明", "本人王大明", "我姓陈"
_OWN = re.compile(rf"(?:我叫|我的名字(?:是|叫)|本人(?:叫|是)?|俺叫)({_GIVEN})"
                  # "我姓周叫周桂兰": the whole name, not the surname alone
                  rf"|(?:我|俺)姓[{_SURNAMES}][，,\s]?(?:叫|名叫)({_GIVEN})|(?:我|俺)姓([{_SURNAMES}])"
                  # "我是柳林村的李建军，…": the name ends the clause ("我是李建军的邻居" is someone else's)
                  rf"|(?:我|俺)(?:就)?是(?:[^，,。！？!?\s的]{{0,8}}的)?({_GIVEN})(?=[，,。！？!?\s]|$)")
# anyone's name, for masking: after a relation, a role or "叫", "是", "的" ("借钱的是俺村的刘二柱",
# "俺对象张建军", "老大叫王富贵")
_ANY_NAME = re.compile(rf"(?:叫|名叫|的是|对方是|村的|组的|村里的|同村|本村|同组|借给|对象|老公|老婆|丈夫|妻子|媳妇|儿子|女儿|闺女|哥哥|姐姐|弟弟|妹妹|"

                       rf"同事|朋友|老乡|工友|邻居|亲戚|同学|合伙人|房东|租客|老板|村民|村里的|"
                       # a role before a name: "包工头周大发", "村主任孙大海" (shown in lists in full)
                       rf"包工头|工头|村主任|主任|书记|村长|组长|队长|经理|厂长|会计|保安|店主|老板娘|承包人|业主)({_GIVEN})")


_PLACE_END = re.compile(r"[村镇乡县区街路组楼店厂场院所站色]$")
# the words before the writer's own name or nickname: "我是柳林村的老王", "俺是老李", "我就是老张"
_SELF = re.compile(r"(?:我|俺)(?:就)?(?:是|叫)(?:[^，,。！？!?\s的]{0,8}的)?$")


def own_name(text: str) -> str:
    """The writer's name when they say it ("我叫王大明" → 王大明, "我姓陈" → 陈), else ""."""
    m = _OWN.search(text)
    if not m:
        return ""
    name = next(g for g in m.groups() if g)
    return name[:-1] if name.endswith("的") else name


# a neighbour by name ("隔壁李四"): a name to mask, not a form of address ("隔壁张大妈", "隔壁王家")
_NEIGHBOUR_NAME = re.compile(rf"(?:隔壁|楼上|楼下|对门|对面|后院|前院)(?:的|家的|那个)?({_GIVEN})")
_ADDRESSED = re.compile(r"(?:大妈|大爷|奶奶|爷爷|阿姨|大叔|大婶|大哥|大姐|家|叔|婶|嫂)$")


def neighbours_named(text: str) -> list[tuple[int, int]]:
    """Where a neighbour's full name is said after the neighbour word ("对门的石桥生"): spans of
    three-character names only (a place's short name, "隔壁石桥那家", "隔壁柳林的", is one or two
    characters before a word that ends it)."""
    return [m.span(1) for m in _NEIGHBOUR_NAME.finditer(text)
            if len(name := m.group(1)) == 3 and looks_like_a_name(name) and not _ADDRESSED.search(name)
            and not _PLACE_END.search(name) and name[-1] not in "那这里边"]


def person_names(text: str) -> set[str]:
    """The full names of people a text names, the writer's own among them (to mask)."""
    found = {own_name(text)} | {m.group(1) for m in _ANY_NAME.finditer(text)}
    found |= {m.group(1) for m in _NEIGHBOUR_NAME.finditer(text) if not _ADDRESSED.search(m.group(1))}
    for m in _PERSON.finditer(text):
        found.add(m.group(1) or m.group(2))
    names = {n[:-1] if n.endswith("的") else n for n in found}
    return {n for n in names if len(n) >= 2 and not _PLACE_END.search(n)}


# "我替我邻居反映一下，柳林村的刘奶奶，她儿媳妇…": the person spoken for is not the other party
_SPOKEN_FOR = re.compile(r"(?:替|帮|代)(?:我|我们|俺|咱)?(?:的)?[^，,。！？!?\s]{0,10}?(?:反映|问一下|问问|咨询|说一下|说说|投诉|举报)")


def find_party(text: str) -> str | None:
    m = _SPOKEN_FOR.search(text)
    if m:
        # the other party is told after the clause that says for whom, and after a clause that
        # only names them ("柳林村的刘奶奶"); when nothing is told there, the whole text decides
        end = _CHUNKS.search(text, m.end())
        at = end.end() if end else len(text)
        nxt = _CHUNKS.search(text, at)
        chunk = text[at:nxt.start() if nxt else len(text)]
        if nxt and len(chunk) <= 10 and not _TELLS.search(chunk):
            at = nxt.end()
        told = _find_party(text[at:]) if at < len(text) else None
        if told is not None:
            return told
    return _find_party(text)


# "我女儿被她老公打了", "我妈被她儿媳妇赶出来了": who did it to one of the writer's family
_DONE_BY = re.compile(rf"被((?:他|她)?(?:的)?{_KIN})")
# "我跟孩子锁在里面": the writer together with someone, not the one they quarrel with (a dispute
# verb after the name, "我跟他吵", still names the party)
_TOGETHER = re.compile(r"(?:我|俺|我们|俺们)(?:跟|和|与)$")
# "要杀死我老公", "扬言要砍我女儿": one of the writer's family as the one harmed, not the party
_HARMED = re.compile(r"(?:杀|砍|捅|弄|整|搞|打|揍|害|烧|泼|撞|绑|抢|剁|废)(?:死|伤|残|断)?(?:了)?$")
_TOWARDS = re.compile(r"(?:往|向|朝|对着|冲着)$")
# "从楼上跳下去", "在楼上摔下来": where a person would fall from, not who
_FROM = re.compile(r"(?:从|在|到)$")
_FALLS = re.compile(r"[^，,。！？\s]{0,2}?(?:跳|摔|掉|跌|滚|坠)")
_THROWN = re.compile(r"[^，,。！？\s]{0,3}?(?:倒|扔|泼|吐|排|流|淌|丢|甩|扫|漏|浇|吹|飘|照|灌|洒|溅|滴)")


def _find_party(text: str) -> str | None:
    m = _NAMED.search(text)
    if m and not m.group(1).startswith(tuple(_NOT_NAMES)) \
            and not (_TOGETHER.search(text, 0, m.start() + 1) and text[m.end(1):m.end()] in ("", "，", ",", "。")):
        return m.group(1)
    mine = own_name(text)
    for m in _PERSON.finditer(text):
        name = m.group(1) or m.group(2)
        name = name[:-1] if m.group(1) and name.endswith("的") else name
        if name != mine and not _PLACE_END.search(name):    # "我叫王大明": the writer, not the other party
            return name
    for m in _ANY_NAME.finditer(text):                   # "借钱的是俺村的刘二柱", "俺对象张建军"
        name = m.group(1)[:-1] if m.group(1).endswith("的") else m.group(1)
        if name != mine and not _PLACE_END.search(name):
            return name
    for m in _PARTY.finditer(text):
        found = m.group(0)
        if _OWN_KIN.fullmatch(found):
            if _HARMED.search(text, max(0, m.start() - 3), m.start()):
                continue
            by = _DONE_BY.match(text, m.end())
            if by:
                return by.group(1)  # "我女儿被她老公打了": the one who did it, not the writer's daughter
            later = next((n for n in _PARTY.finditer(text, m.end()) if not _OWN_KIN.fullmatch(n.group(0))
                          and not _KIN_RE.fullmatch(n.group(0))), None)
            if later is not None:
                # "我儿子…女方家退婚了": the son is on the writer's side; "我儿子在工地干了半年 老板…":
                # the boss, not where
                boss = _BOSS.search(text, later.end()) if later.group(0) in _WORKPLACES else None
                return boss.group(0) if boss else later.group(0)
        if is_business(found):
            if _OWNED.search(text, max(0, m.start() - 6), m.start()):
                continue            # "我家的养殖场被强拆了": the writer's own
            return _business_name(found)
        if found in _WORKPLACES:
            boss = _BOSS.search(text, m.end())
            if boss:
                return boss.group(0)    # "在工地干了三个月 老板一直不给工钱": the boss, not where
        near = _BUSINESS_RX.search(text, m.end(), m.end() + 10)
        if near is not None and near.start() - m.end() <= 4 and not _CHUNKS.search(text, m.end(), near.start()):
            return _business_name(near.group(0))    # "楼下新开的烧烤店": where it is, and the business
        if _WHERE_THINGS_ARE.match(text, m.end() - found.endswith("的")):
            continue                # "楼下的车", "楼下停车位": where something is, not who
        if _TOWARDS.search(text, max(0, m.start() - 2), m.start()) and _THROWN.match(text, m.end()):
            continue                # "还往楼下倒水": where it goes, not who does it ("向隔壁借钱": who)
        if _FROM.search(text, max(0, m.start() - 1), m.start()) and _FALLS.match(text, m.end()):
            continue
        if len(found) == 2 and found[0] == "老" and found[1] in _SURNAMES \
                and _SELF.search(text, max(0, m.start() - 12), m.start()):
            continue                # "我是柳林村的老王": the writer saying who they are ("我是石桥村的老板…" is not)
        return found[:-1] if len(found) > 2 and found.endswith("的") else found
    return None


# the surname of a person named in any of the ways residents name people: "老王", "王大爷",
# "王某", "王强", "张老三", "跟李明吵"; 向/于/任/万 double as everyday words ("向大哥借")
_HONOURED = re.compile(rf"老([{_SURNAMES}])"
                       rf"|([{_SURNAMES.translate({ord(c): None for c in '向于任万'})}])"
                       rf"(?:某|大爷|大妈|大哥|大姐|大叔|大婶|阿姨|师傅|奶奶|爷爷|老师|经理|老板)")


def surnames_named(text: str) -> frozenset[str]:
    """The surnames of the people a text names (a name told two ways, 老王 and 王大爷, is one)."""
    found = {m.group(1) or m.group(2) for m in _HONOURED.finditer(text)}
    for m in _PERSON.finditer(text):
        found.add((m.group(1) or m.group(2))[0])
    for m in _NAMED.finditer(text):
        if m.group(1)[0] in _SURNAMES and len(m.group(1)) <= 3:
            found.add(m.group(1)[0])
    found.update(re.findall(rf"姓([{_SURNAMES}])", text))         # "包工头姓孙"
    return frozenset(found)


# words around an answer to "对方是谁？" that are not the party ("对方就是那个养猪场", "一个开三轮的")
_ANSWER_FILLER = re.compile(r"^(?:对方(?:就)?是|对方|就是|是|嗯+|呃|啊|那个|这个|一个|有个|俺们?|我们?|咱们?|村里的?|我家|的|"
                            r"不知道是谁|不知道|应该是|可能是|好像是|大概是)+")
_PARTICLES = re.compile(r"(?:嘛|吧|啊|呢|呀|哈|啦|的吧)+$")
_CHUNKS = re.compile(r"[，,。.！!？?；;、\s]+")


# words that tell what happened rather than who: an answer with them is more of the story
_TELLS = re.compile(r"打|骂|欠|借|占|吵|闹|偷|砸|拖|不给|不还|漏|堵|扔|说|要|了|没|想|天天|一直|受伤|石膏|医院")


# how a word for a person, a role or a business ends ("表哥", "村主任", "养猪场", "开三轮的")
_WHO_ENDS = re.compile(r"(?:人|的|哥|姐|弟|妹|叔|婶|嫂|爷|奶|伯|舅|姨|姑|主任|书记|村长|组长|老板|师傅|司机|医生|"
                       r"公司|厂|场|店|户|家|站|所|局|办)$")


def answered_party(answer: str) -> tuple[str, str] | None:
    """The other party as the resident named them when asked, and the rest of the answer:
    ("养猪场老板姓孙", "") for "对方就是那个养猪场 老板姓孙", ("表哥", "借了我三万 说好去年还")
    for "我表哥 借了我三万 说好去年还"; None when the answer names nobody or tells a story."""
    if _OWN.search(answer) and not re.search(r"对方|他|她", answer):
        return None             # "我姓周": who the writer is, not the other party ("对方：姓周")
    chunks = [c for c in (_PARTICLES.sub("", _ANSWER_FILLER.sub("", c)) for c in _CHUNKS.split(answer.strip())) if c]
    if not chunks:
        return None
    whole = "".join(chunks)
    if len(whole) <= 10 and not _TELLS.search(whole):
        return whole, ""
    first = chunks[0]
    if len(first) <= 6 and not _TELLS.search(first) and (find_party(first) or _WHO_ENDS.search(first)):
        rest = answer.strip()[answer.find(first) + len(first):].lstrip("，,。 ")
        return first, rest
    return None


# someone close to the writer, or anyone else, as the subject of what is told
_SOMEONE_ELSE = re.compile(r"(?:妈妈?|爸爸?|(?<!姑)娘|爹|母亲|父亲|老公|老婆|丈夫|妻子|媳妇|儿子|女儿|闺女|孩子|老伴|那口子|对象|"
                           r"老头子?|老太太?|奶奶|爷爷|姥姥|姥爷|外婆|外公|哥哥?|姐姐?|弟弟?|妹妹?|邻居|朋友|同学|同事|"
                           r"婆婆|公公|岳父|岳母|丈母娘|老丈人|舅舅?|姨妈?|姑姑?|叔叔?|婶婶?|伯伯?|嫂子|侄子|侄女|孙子|孙女|外孙|"
                           r"表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹|亲戚|室友|工友|"
                           # 他/她 not as a place of theirs ("去他们厂门口从楼上跳下去": the writer's plan)
                           r"(?:他|她)(?!们?(?:厂|家|公司|单位|村|门口|店|那边|这边|楼|学校|医院|小区|工地|办公室))|"
                           r"有人|那人|这人|那个人|这个人)")
_MYSELF = re.compile(r"(?:^|[^妈爸])(?:我|俺)(?![妈爸娘爹家们老儿女闺孩那对哥姐弟妹奶爷姥外朋同邻表堂舅姨姑叔婶伯嫂侄孙公婆岳丈师])")
# what a doctor is needed for now: 120 before anything else
_POISON = r"(?:农药|百草枯|敌敌畏|老鼠药|耗子药|鼠药|安眠药|消毒水|消毒液|除草剂|草甘膦|药)"
# taken, not threatened ("她说再逼她就喝农药" needs no ambulance yet)
_NEEDS_DOCTOR = re.compile(r"(?:吃|喝|吞)(?:了|下|掉)[^，。！？\s]{0,4}" + _POISON + r"|"
                           # "我妈喝农药了" (not "说要喝农药了", "就喝农药了": a threat)
                           r"(?<![要想说会就去再])(?:吃|喝|吞)" + _POISON + r"(?:了|下去了)|"
                           r"(?:农药|百草枯|敌敌畏|老鼠药|耗子药|鼠药|安眠药|消毒水|除草剂)[^，。！？\s]{0,3}(?:吃|喝|吞)(?:了|下去|掉)|"
                           r"(?:喝|吃)药了|叫不醒|昏迷|不省人事|吐白沫|没(?:有)?(?:了)?呼吸|割腕|"
                           # a handful of pills, a household poison swallowed, a jump from a height done
                           r"(?:一瓶|一整瓶|整瓶|一盒|一把|好几片|一大把|半瓶)[^，。！？\s]{0,6}(?:药|片|丸)[^，。！？\s]{0,3}(?:全|都)?(?:吃|吞|喝)(?:了|下去|掉)|"
                           r"(?:吃|喝|吞)(?:了|下)(?:一把|一瓶|好几片|一大把|半瓶|一整瓶)|当(?:糖|饮料|水)(?:吃|喝)了|"
                           r"(?:喝|吃)(?:了|下)[^，。！？\s]{0,2}(?:洗洁精|消毒液|84|洁厕灵|清洁剂|汽油|煤油|酒精)|"
                           r"跳楼了|跳了楼|从[^，。！？\s]{0,8}跳下来了|"
                           r"上吊|流了(?:很多|好多)血|大出血|抽搐|晕倒|倒在地上|(?:怀孕|孕妇|大肚子).{0,30}(?:疼|痛|见红|出血)|见红|"
                           # hurt now: someone bleeding, a bone broken, burnt ("我爸头上都流血了" heard 110 only)
                           r"(?:头|脸|身上|腿|手|胳膊|鼻子|嘴)[上里]?(?:都|还|一直)?(?:在)?(?:流血|出血)|血流不止|血止不住|"
                           r"骨折|(?:腿|胳膊|手|骨头)(?:被)?(?:打|摔)?断了|烫伤|烧伤")


# someone a witness brings in ("有个人在河边坐了好久", "我们楼有个人站在楼顶上"): what follows
# without a subject is told of them
_INTRODUCED = re.compile(r"(?:有|一|那|这)个(?:人|老人|女的|男的|小孩|孩子|姑娘|小伙子?|老头|老太太?|大爷|大妈|阿姨|学生|工人)"
                         r"|有人")


def told_of_someone_else(text: str, words: list[str]) -> bool:
    """Whether `words` are told of someone other than the writer ("我妈吃了一瓶药"): in the
    clause holding them, another person comes before them and the writer does not; in a clause
    naming nobody ("…说不想活了"), the person the words before brought in ("有个人在河边…")."""
    clauses = _CHUNKS.split(text)
    for i, clause in enumerate(clauses):
        for w in words:
            at = clause.find(w)
            if at >= 0:
                before = clause[:at] + w      # a cue may hold its person ("我们楼有个人站在楼顶")
                other = _SOMEONE_ELSE.search(before) or _INTRODUCED.search(before)
                me = _MYSELF.search(before)
                if other or me or i == 0:
                    return bool(other) and not me
                for prev in reversed(clauses[:i]):
                    if _MYSELF.search(prev):
                        return False
                    if _INTRODUCED.search(prev) or _SOMEONE_ELSE.search(prev):
                        return True
                return False
    return False


def needs_a_doctor(text: str) -> bool:
    return bool(_NEEDS_DOCTOR.search(text))


def looks_like_a_name(word: str) -> bool:
    """A person's name as said (刘建国, 周大发): a surname first, no question word."""
    return 2 <= len(word) <= 4 and word[0] in _SURNAMES and not re.search(r"什么|啥|谁|哪", word)
