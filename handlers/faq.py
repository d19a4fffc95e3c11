"""What residents ask about mediation itself (what it costs, whether an agreement holds,
whether they will be named), answered from the Law on People's Mediation, before or
while a report is told. A question about the dispute itself ("物业费要交多少") is not one
of these: each asks about mediation or about us."""
from __future__ import annotations

import re

from nlp.intents import asks_question

_ABOUT_US = r"(?:调解|你们|平台|这里|这个|政府|村里|社区|网格员)"
FAQ: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{_ABOUT_US}.{{0,8}}(?:收|交|要|花|给|付)(?:不收)?(?:钱|费)|{_ABOUT_US}.{{0,6}}(?:收费|费用|免费|多少钱)"
                r"|^(?:那)?(?:要|收|花)(?:不要|不收)?(?:钱|费)|收不收(?:钱|费)|要不要(?:钱|交钱|收费)"),
     "人民调解不收任何费用（《人民调解法》第四条）。"),
    (re.compile(r"(?:协议|调解|调好|签字|签了字|签了|签的).{0,10}(?:法律效力|效力|有用|管用|算数|算不算数|有效|不认|反悔|不履行|不执行|不还|不给|不赔|不兑现|不照做)"),
     "调解达成的协议有法律约束力，双方应当履行（《人民调解法》第三十一条）；双方可以在协议生效后30日内一起向法院"
     "申请司法确认，确认后一方不履行的，另一方可以申请法院强制执行（第三十三条）。"),
    (re.compile(r"(?:对方|他|她|他们|那边|被告)(?:要是|如果|万一)?(?:就是|一直|坚决)?(?:不来|不肯来|不愿意?来|不同意|不肯|不配合|不理|不接受|不露面|拒绝)"
                r".{0,6}(?:怎么办|咋办|怎么弄|怎么处理|能行吗|行吗|还能)"),
     "调解要双方自愿：对方不愿意，调解员会先打电话或上门做工作；对方明确拒绝的，调解就不能进行"
     "（《人民调解法》第十七条），调解员会告诉您还可以走哪些路，比如向法院起诉、申请仲裁或找有关部门"
     "（第二十六条）。"),
    (re.compile(r"保密|(?:别人|村里人?|邻居|对方|他|她|他们|村支书|村干部|干部|村长|书记|老板|物业|领导|单位|家里人?|家人).{0,6}知道|"
                r"(?:名字|姓名|电话|号码|手机号|身份)[^，。！？]{0,4}(?:告诉|透露|给|说给)(?:给)?(?:他|她|对方|他们|村里|干部|老板)|"
                r"泄露|隐私|匿名|不留名|"
                r"(?:告诉|通知|联系)(?:我)?(?:的)?(?:家里人?|家人|爸妈|父母|老公|老婆|丈夫|妻子)(?:吗|么|不)"),
     "您的电话和姓名只有办理您案件的工作人员能看到，群里和公开的地方都不显示；调解员依法为当事人保密"
     "（《人民调解法》第十五条）。"),
)


# how we work: how long, where, whether someone comes ({days}: the settings' dispatch days)
HOW_WE_WORK: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:多久|多长时间|几天).{0,4}(?:处理|解决|办|来|有结果|联系|拿到|给钱|到账)|"
                r"(?:处理|解决|办|来人|联系).{0,4}(?:多久|多长时间|几天)|什么时候能(?:处理|解决|有结果|办)|"
                r"^(?:那|这个|大概|一般)?(?:要|需要)(?:多久|多长时间|几天)"),
     "登记后{days}个工作日内分派给当地的网格员或调解员，他们会联系您；办理的每一步都会在这里告诉您。"),
    (re.compile(r"(?:提交|登记|受理|反映)(?:了)?(?:以后|之后|后)|接下来|下一步|然后呢|后面(?:会)?怎么"),
     "接下来：{days}个工作日内分派给当地的网格员或调解员，他们会联系您了解情况，需要的话约双方一起调解；"
     "每一步都会在这里告诉您。"),
    (re.compile(r"办公室|在哪(?:里|儿)?办公|地址在哪|当面|上门|去哪(?:里|儿)?(?:找|办)|跑腿|"
                r"(?:要|需要|用不用|要不要|得)(?:我)?(?:本人|亲自)?(?:去|跑|过去|到)(?:一趟|一下)?"
                r"(?:镇上|镇里|县里|村里|村委|那边|现场)?[吗么呢？?]|(?:要|需要|用不用|要不要|得)我(?:本人|亲自)?(?:去|跑|过去|到)"),
     "不用跑：在这里说清楚就能登记。需要当面谈的，网格员或调解员会和您约时间，也可以上门。"),
    (re.compile(r"几点上班|上班时间|什么时候上班|周末(?:有人|上班|也)|节假日(?:有人|上班)?|晚上(?:有人|也)|"
                r"你们是干(?:嘛|啥|什么)的|你们是(?:做什么|哪里|哪个单位)的?|这是(?:什么|哪里|干嘛)的?|"
                r"(?:你们|这里|这个)(?:这个)?(?:是不是|是)?政府(?:的|办的)?"),
     "这里是县里的矛盾纠纷调解平台：随时都能在这里反映，白天晚上、周末都行；网格员和调解员在工作日办理，"
     "有人动手、有人想不开这样的急事，值班领导随时处理。"),
)


# asked without a question mark or 吗 ("接下来会怎么样", "要不要我跑一趟")
_ASKS = re.compile(r"会不会|多久|多长时间|会怎么样|怎么弄|要不要|用不用|然后呢|怎么办|咋办|怎么处理")


def is_question(text: str) -> bool:
    """Asked, with or without a question mark ("调解完了对方不认账怎么办")."""
    return asks_question(text) or bool(_ASKS.search(text)) or text.rstrip("？?!！。 ").endswith(("吗", "么", "没有", "完"))


def answer(text: str, dispatch_days: int = 1) -> str | None:
    """The answers to what a question asks about mediation or about how we work, or None
    (not a question, or not one of these)."""
    if not is_question(text):
        return None
    found = [a for rx, a in FAQ if rx.search(text)]
    found += [a.format(days=dispatch_days) for rx, a in HOW_WE_WORK if rx.search(text)]
    return "".join(found) or None
