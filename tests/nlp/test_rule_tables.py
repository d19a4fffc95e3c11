"""Every rule of the decision stage with a table of positive and negative examples.

Red cues (nlp/data/risk.yaml, by id or phrase): a positive example holds the cue and it is
kept; a negative one is a look-alike the cue must not take (not found, or set aside by the
words around it). Modifiers: the status each gives. Type patterns (taxonomy.yaml): they
match their positives and not their negatives. No example is a line of a labelled set
(checked): these tables say what a rule means, the sets measure how it does.
"""
from __future__ import annotations

import pytest

from nlp.corpus import groups, rows
from nlp.decision import Decision
from nlp.features import Lexicon
from nlp.normalize import Normalizer
from nlp.risk import RiskRules

RED_CUES = {
    # violence
    "weapon_held": (["他把床底下那杆土铳拿出来擦了", "老周手里拿着杀鱼刀在挥", "他把一把刀放包里就走了", "他揣着一把弹簧刀在村口等我", "他抄起一把西瓜刀追出来了", "他拿了铁耙追我爸", "他拎着一把菜刀站在我家门口", "那个人手里揣着匕首在楼下转", "她端着一壶开水冲出来了", "他扛着铁锨堵在地头", "工友提着电焊枪去找老板了", "他拎着剁骨头的刀出门了",
                     "他把斧头别在腰里出去了", "他摩托车上放了一把砍刀往这边来"],
        ["土铳早就上交派出所了", "把菜刀拿出来切菜", "他拿着杀鱼刀在收拾鱼", "我在集上买了一把菜刀", "他拿着扫帚扫院子", "熊孩子拿石头砸我家玻璃", "他拿着买菜的钱走了", "菜刀放在厨房里",
         # a blade taken to a thing, not a person
         "他拿着柴刀去砍竹子了", "楼下天天拿棍子捅天花板", "我拿斧头劈柴", "气得我拿刀把那棵歪脖子树砍了",
         "我要拿锯子把他家伸过来的树枝锯了", "拿剪刀把他家乱拉的网线剪了"]),
    "weapon_used": (["他抡起锄头砸我家大门", "拿钢管打人", "他用斧头砍我家的门"],
                    ["锄头坏了借他家的用一下", "用斧头砍了那棵挡光的树", "柴刀砍断了几根竹子"]),
    "means_bought": (["他刚打电话说已经买了一桶汽油", "他说汽油已经买回来了", "他搬了两桶柴油进屋", "那桶汽油就摆在我家门口"],
        ["去加油站买了一桶柴油给拖拉机", "柴油买贵了", "拖拉机的柴油加满了", "农药打完了"]),
    "means_readied": (["刀在磨刀石上磨了一下午", "刀我买好了，他不给钱我就去他家门口等他", "柴油他已经备好了", "他把两个液化气瓶搬到了村委会", "他说刀已经磨好了", "汽油桶已经搬到门口了", "他把一桶汽油拎到了村委会", "他把刀揣上出门了",
                       "听说他们正在准备汽油", "他把两个液化气罐搬到门口了", "他准备好了一罐煤气"],
        ["卖肉的在门口磨刀", "卖肉的天天蹲在我家门口磨刀", "菜刀钝了买把新的", "汽油又涨价了", "菜刀钝了该换一把", "把煤气罐拿去充气了", "正在准备年货", "液化气罐该换了"]),
    "splash": (["讨债的往我家门上泼油漆", "他要往我身上泼硫酸"], ["刷墙的油漆味太大", "他在菜地里浇粪，味道大"]),
    "poison": (["他扬言要往我家鱼塘里下药", "有人投毒把羊毒死了"], ["鱼塘要定期消毒"]),
    "arson": (["他扬言要点火烧我家", "他说今晚点火烧他家门", "他说要放把火把房子烧了", "他说要一把火把我家房子烧了", "有人放火烧他家草垛", "他们扬言今晚把养鸡场的棚子全烧了", "他说要往我家门上泼油点火"],
        ["邻居烧秸秆不小心把我家柴房烧了", "把棚子里的旧纸箱卖了", "油泼辣子要趁热吃"]),
    "kill_verb": (["他说要弄死我家那个老东西", "他喊着要砍死我", "他说要弄死他们全家", "他扬言开车轧死俺"],
                  ["邻居说要弄死我家那条狗", "他扬言要毒死我家的鸡", "这天真是热死人", "累死我了", "车库门差点压死一只猫", "大货车在国道上撞死人后逃逸",
                   "在集上砍价砍死我了 那老板一分不让"]),
    "life_threat": (["他弟弟说要找人把我们一家收拾干净", "他们放话要把你们全家都弄死", "他说要是离了婚大家都别想活", "他临走说今天要么拿钱要么拿命", "他说要去医院跟那个医生拼命", "得不到就全家都莫活了", "再不还钱就要你的命", "他说要跟我们同归于尽", "他说不是我死就是那个包工头死",
                     "他说找人来处理我们一家", "他说再逼他就大家一起完蛋"],
                    ["把我们一家的户口迁走了", "这孩子命真苦", "为了孩子跟他们拼命干活", "要么今天交钱要么明天交", "不是鱼死了就是虾跑了", "一家人一起吃饭", "这活大家一起完成"]),
    "maim_threat": (["他放话要打断我的腿", "他们把我老公的腿打断了", "他说再敢来就让你断条腿", "说要找人把他胳膊打断", "他说再来就打断俺的腿", "他放话今晚来给我放点血"], ["过年放火炮把车漆烧了", "点火烧水做饭", "我的腿摔断了", "骑车摔了一跤把我腿摔断了", "商场双十一大放血", "这一跤让我断了根肋骨"]),
    "whoever_threat": (["谁敢动这块地就砍谁", "他说见一次打一次"], ["谁来都行"]),
    "going_to_attack": (["我今晚就去斩他", "他话要劈我", "他喊着要去杀了那个包工头", "他放话说你敢来就劈了你", "他说要把那个贩子废了"],
        # 它 is an animal or a thing, not a person
        ["今晚去看他", "今天要杀那只鸡", "邻居的狗天天咬我家鸡 真想一刀把它宰了",
         # a thing of theirs cut down, not a person
         "我迟早把他家那片竹子砍了"]),
    "beaten_hurt": (["他把孩子打得住院了", "打得我鼻子流血"], ["孩子发烧住院了"]),
    "injury_marks": (["被打得鼻青脸肿", "他头被砸破了"], ["脸有点肿"]),
    "fight_ongoing": (["两伙人在工地上打成一团", "外面还在砸门"], ["他们正在打扫卫生"]),
    "打起来": (["两家人在门口打起来了"], ["两家人吵得差点打起来"]),
    "beating_told": (["他又打我了", "他喝醉了就打我", "我被人打了", "他又打我老婆了", "他喝醉了就打孩子", "隔壁天天打孩子",
                      # someone else's family beaten, as a relative or a grid worker tells it
                      "她女婿喝了酒回家就打她女儿", "儿子一喝酒就打他妈", "她老公天天打她"],
        ["我没手机 打我儿子的吧", "我打电话给他", "他去城里打工了", "打我老婆手机吧", "你打我儿子电话", "有事打我电话", "打我手机就行",
         "带孩子去打疫苗", "给老人打针", "打孩子电话没人接", "打她电话没人接", "我去打他女儿的电话", "打他的主意",
         "我爸没有手机 打我的吧", "打我的就行"]),
    "strangle_push": (["说就把我这个瘫子从三楼扔下去", "他掐着我的脖子", "吵着吵着他把我爸推到水渠里了", "那人把她推进塘里了", "把老人推倒了", "他把我外婆推倒了", "几个人把我按地上", "昨天俺嫂子把俺娘推倒了"],
        ["把垃圾从楼上扔下去", "他推着车走了", "外婆推着轮椅出门"]),
    "smash_door": (["他们在踹我家的门", "他说要砸我家的店"], ["门坏了要修", "小孩拿皮球砸门玩"]),
    "property_smashed": (["讨债的把我家店砸了", "他们砸了我家的车", "他们说今晚去把他家新贴的瓷砖全砸了"],
        ["冰雹把车窗砸坏了"]),
    "kill_word": (["他扬言要把人打死", "你们不管我就被他弄死了"],
        ["打死也不能信他", "对了他还把我家的鸡打死了一只", "他拿棍子打死了我家的狗", "那条狗天天叫 再叫我就把它弄死"]),
    "people_brought": (["他带人来我家闹", "她叫了人过来"], ["他带人参观工厂"]),
    "abduction": (["保安把我爸拖到仓库里去了", "几个人把他拖上面包车", "讨债的把我丈夫扣着不放"],
        ["他坐上面包车走了", "离婚后前夫把孩子抢走了"]),
    "threat_no_means": (["他说你给我等着", "他撂下话走着瞧"], ["把旧家具拖到仓库里", "我在门口等着你"]),
    "revenge": (["今晚要把我家那条狗跟我一块收拾了", "我要找他算账", "他说要报复我们家", "他说今晚来跟我算总帐", "说连你也一起收拾"], ["跟我一块收拾屋子", "月底跟他把账算清", "年底算总账看看赚了多少"]),
    "no_way_out": (["他们说让我出不了这个村", "叫他别想好过", "他们说今天让那个大夫走不出这个门"], ["下雨路滑出不了门", "腿疼得走不出门口"]),
    "people_called": (["他叫了一帮人过来堵我", "他叫他的兄弟来了"], ["他叫人来修水管"]),
    "family_threat": (["放贷的发来我儿子学校门口的照片", "讨债的人发了孩子幼儿园门口的照片", "说再不还钱就去教室把人带走", "他们说要把司机的孩子接走", "讨债的查到我孙子在哪上学", "催收把我女儿学校门口的照片发过来了", "他们说知道我妹在哪上学", "他说知道我女儿在哪上学", "催收说要去学校找我儿子", "催债的说再不还就把我闺女带走"],
        ["老师发了孩子在学校门口的照片，说表现很好", "我去幼儿园把孩子接走了", "我女儿在县城上学", "我闺女在外地打工"]),
    "vehicle_as_weapon": (["他说再挡就从我身上轧过去", "我今天就开拖拉机撞了它", "他说要开车撞死他", "他开着渣土车去把厂门撞了"],
        ["车从沟上轧过去了", "他开车撞了护栏", "渣土车把路压坏了"]),
    "威胁": (["他天天威胁我"], ["放学把邻居的孩子接走了", "学校门口的照片拍得真好看", "他没有威胁我"]),
    "恐吓": (["打电话恐吓我家里人"], ["他从来没恐吓过谁"]),
    "炸药": (["他说家里有炸药"], ["他不会去弄炸药的"]),
    "雷管": (["他在家藏了雷管"], ["他没有雷管"]),
    # self-harm
    "no_will_to_live": (["她说水也不用了，人也不用活了", "我真的不想活了", "活着真没啥意思", "活起也没有意思了"], ["这个月不用还了", "他活得挺好的", "这部电影真没意思"]),
    "wish_to_die": (["他说死也要死在自己屋里", "我还不如去死", "真是走投无路了", "我真的想死"], ["花都快枯死了"]),
    "jump_hang": (["他就在那房梁上挂根绳子", "她说那就从这楼上下去吧", "他说就去那棵老松树上挂着", "她说要从住院部楼顶下去", "他说要从楼顶跳下去", "我想上吊", "钱还不上我只能从天台走了", "她说不如走进河里去"],
        ["房梁上挂着腊肉", "把腊肉挂在树上晒", "跳广场舞的人太多", "从楼上走下来崴了脚", "我们走到河边钓鱼", "他下个月走进河南的工厂上班"]),
    "poison_self": (["怀里揣着一瓶百草枯", "明天一早去她家门口把那瓶药喝了", "今天早上邻居看见他把安眠药都倒出来在数", "他说敢动工就在地基上把那瓶农药喝了", "这些天攒的安眠药今晚一起吃了算了", "她把安眠药一直攒着", "他刚喝了半瓶百草枯", "她说毒鼠强已经买好了", "他说要把农药一口喝下去", "我把农药都买好了", "他喝了一瓶敌敌畏", "她说那瓶农药就放床头了", "我妈把老鼠药藏到自己枕头底下了"],
        ["他拿着一瓶农药去打地了", "农药都倒出来兑水打完了", "他把过期的农药拿去退了", "把农药喷了一遍", "吃了药好多了", "药放床头方便吃", "农药搬到仓库里了"]),
    "at_a_height": (["人现在坐在七楼走廊窗户边上", "我哥坐在二楼平台边上，腿搭在外头", "现在一个人坐在出租屋楼顶边上不肯下来", "他坐在窗台上两条腿悬在外面", "工友们说好明天一起上塔吊", "我现在就站在这楼顶上给你们发消息", "一个男的坐在五楼阳台外沿上不下来", "她站在八层的楼顶上", "他要上高压塔讨说法", "我现在站在楼顶上", "我表弟一个人站在高架桥上不下来", "他一个人坐在河边", "讨薪的工人爬塔吊了", "她抱着孩子上了水库坝"],
        ["我坐在窗户边上看书", "工人在楼顶上装太阳能", "把被子挂在阳台外面晒", "楼顶漏水了", "塔吊司机工资没结", "邻居锁了上楼顶的门，我们没法上楼顶晒被子", "我家住在六楼 阳台外沿的瓷砖掉了"]),
    "self_at_height": (["我现在就在他厂子楼顶上", "我现在在楼顶", "我一个人在桥上", "我们三十多个工人都在公司楼顶上"],
        ["他在楼顶晒被子", "我家在楼顶那一层", "我们住在顶楼", "我们村有人在河边偷挖沙 把堤都挖松了"]),
    "self_locked_in": (["我爸锁上房门不出来", "她反锁了门不开门", "她把自己锁在房间里两天了", "他把自己反锁在车库内", "奶奶把自己关起来，喊了半天也不开门"], ["明天一起上楼顶晒被子", "开吊车的师傅上班了", "农药喷完了", "门被风关上了", "把狗关在院子里"]),
    "last_words": (["信已经写好放抽屉里了", "他发信息给我说保单放在柜桶，细仔交俾你了", "存折压在枕头底下，我闺女回来能找着", "给孩子的信我写好了，以后麻烦你们帮着照看一下", "麻烦你们以后多照看一下我女儿", "信写好了压在床头柜上", "该说的都写好了放在我女儿书包里", "孩子以后就拜托你了", "他留下一张纸条就出门了", "纸条压在枕头底下", "存折我放在枕头底下了", "孩子拜托你们照顾", "她把孩子托付给我就挂了电话", "以后我妈就拜托你了", "他把存折和房本都交给我了"],
        ["作业写好放书包里了", "存折放在抽屉里被偷了", "借条我一直压在枕头底下", "信我写好了，明天寄给法院", "麻烦你们帮着看一下合同", "遗产怎么分", "孩子托管给了学校", "以后有事就找你了"]),
    # farewells, and going to join the dead (去见老伴)
    "farewell": (["表哥发朋友圈说这辈子就到这了谢谢大家", "我爸说下去陪你妈算了", "我想早点去见我老伴", "她在班级群里说以后不用记得我了", "走前给我发消息说你再也见不到我们了", "嫂子说带伢去湖里找个干净", "她说出去走走，一去就不回来了", "他说走了就都清净了", "对不起你们了，下辈子再报答", "我不想再醒过来了", "奶奶把寿衣换上了一个人躺着", "我不如早点去见老伴", "我就去陪我妈了", "我不想再拖累孩子们了", "她把送老的衣裳都翻出来了"],
                 ["这辈子就到这吧 不想再见他", "周末去陪我妈吃饭", "过年回去陪我爸", "想去陪我妈住几天", "明天去见我爸一面", "搬家以后再也见不到这些老邻居了", "你别记得我的生日了，我不过", "湖里的鱼找个干净的地方养", "对不起，我来晚了", "奶奶早几年就做好了寿衣", "老伴去医院见医生", "寿衣店开在街口"]),
    "self_immolation": (["说奶奶不出来就连人带屋一块推", "他说今晚就连人带车一起烧了", "他往自己身上浇汽油", "说要连我一起拆", "他说要拆就连人一起拆"], ["连人带行李一起送到车站", "连人带车一起被扣在交警队", "材料写好了交给调解员", "欠条写好了", "我给镇里写了一封信", "他去城里打工一年回来一次", "给菜地浇水", "连房带院一起拆迁", "上游那家把渠口堵了先浇自己的"]),
    # gathering
    "crowd_acting": (["一群人围着村委会", "几十个人已经拿着手电出发了", "几十个工人去公司堵门", "村民们都聚在村部门口"], ["一群人围着笑", "几十个人已经坐大巴出发旅游了", "几十个人在广场上跳舞"]),
    "going_to_government": (["大家商量好一起去市教育局门口坐着", "寨子里的人约好明天一起去州政府", "我们明天一起去县政府", "全村去镇政府讨说法"], ["我们几个家长去镇里问了两回", "我们一起去县人社局办社保", "我们明天一起去县政府开会"]),
    "petition": (["我要去北京上访", "告到省里去"], ["清明节上坟去了"]),
    "protest_signs": (["家属在卫生院门口放了花圈", "他们在门口拉横幅", "家属在医院摆灵堂", "亲戚们说要抬着花圈去卫生院"], ["横竖都一样", "清明节给爷爷送花圈"]),
    "crowd_gathered": (["村委会门口现在围了一百多人", "祠堂前面聚了几十个人", "两个村的人在山上对峙"], ["围了一百多亩地", "聚会的人很多"]),
    "make_trouble": (["他天天来闹", "他们说明天一起去闹"],
                     # one of the family coming to quarrel: a family dispute, not a crowd
                     ["闹钟坏了", "他前妻天天来闹要抚养费"]),
    "blocked_at": (["工人们堵在公司门口讨薪", "村民堵在路口不让车过", "他们开着车堵在厂门口", "他故意把车横着堵在我家大门口", "明早把他们拉砂的车堵在路口"],
                   # a vehicle or a thing left in the way is a neighbour's nuisance, not people blocking
                   ["我被他堵在楼道门口", "下班被车堵在路上", "他的车堵在我家门口三天了", "隔壁的货车天天堵在路口",
                    "挖机堵在村口的路上一整天", "快递车老是堵在单元门口", "他家的砖头堵在路上"]),
    "at_the_gate": (["家属都坐在医院门口", "工人守在公司门口"], ["医院门口停车难"]),
    "blockade": (["拖拉机横在路口，说一辆拉料车也不放", "业主们今晚要把物业办公室围起来", "他们把村委给堵了", "工人把厂门给堵了", "业主们把售楼部围住了", "明早一齐去堵售楼部",
                  "村民用拖拉机把路堵了"],
                 ["拖拉机横着停在自家门口", "下水道堵了", "售楼部今天不开门", "他家的砖头把路堵了", "一车沙子倒在路中间把路堵了"]),
    "arranged_trip": (["大家在群里约好明天去镇上堵路", "包车去县里", "业主在群里讲好明天一起去围开发商"], ["我们约好明天去喝喜酒"]),
    "going_to_make_trouble": (["明天去他家闹", "要去老板家里算账"], ["闹钟响了"]),
    "staying_until_paid": (["老板不给钱就不下来", "今天不重选就不散", "不给说法就不走", "要不到钱就不回去"], ["你不走我走"]),
    "rallying": (["我叔说这回把全族人都叫上去县里", "他在叫齐宗亲", "他喊上族人要来", "他在召集全村的人", "叫上族里的人"], ["把全村的人都叫上来开会了", "组织人员打扫卫生"]),
    # danger
    "unconscious": (["孩子现在叫他不应，眼睛半睁着", "喊他不应", "我爸已经晕在院子里了", "老人昏倒在田里了", "孩子昏昏沉沉叫不太醒", "喊了半天都喊不醒", "我妈摇不醒了", "老人倒在地上叫不醒", "他口吐白沫"], ["叫他不应声 他在生气", "晕车晕在半路上吐了", "早上喊他起床喊不动", "叫他起床吃饭"]),
    "fallen_down": (["老汉人还躺在路中间不动", "有个阿婆已经坐在地上起不来", "骑车的老人倒在沟里了", "有一个倒在路边了", "我爸摔倒了爬不起来", "人躺在路边", "公公倒在厕所里了", "老人躺在地上起不来"],
        ["路中间躺着一只狗", "我坐在沙发上不想起来", "墙倒了", "我爸血压一高躺炕上起不来了", "腰疼得躺床上起不来，只能请假"]),
    "bleeding": (["血一直往外冒止不住", "头上一直在流血", "血止不住"], ["他血压一直往上冒", "去医院献血"]),
    "cry_for_help": (["快来人啊 他在打我", "救命 他拿刀砍我", "人卡在机器里没人打120", "救命啊快来人啊门口有人", "快叫救护车"], ["啥时候来人啊", "什么时候来人啊", "都三天了还不来人啊", "救济款没发"]),
    "fire_gas_water": (["巷尾那个小作坊的化工桶翻了，一股刺鼻的味", "有个孩子掉进了村东头的水塘", "刚换的液化气罐一开就漏", "厂里的化工罐在漏气 味道刺鼻", "听说是氨气泄漏了", "仓库那边已经冒明火了", "柴房里有明火，火苗蹿得老高", "宿舍的窗帘烧起来了", "煤气罐阀门关不死，一直呲呲响", "厨房着火了", "楼道里一股煤气味", "孩子掉进池塘里了", "有人溺水了", "山火已经烧到后山的坟地了"],
        ["化工桶翻新了拿去卖", "他很上火", "这批柴火烧起来烟特别大", "手机掉进水里了", "火烧眉毛了还不急", "燃气费又涨了一块", "水管一直漏 物业不来修"]),
    "fell_from_height": (["3号风机塔筒上有个干活的摔下来了", "工人从脚手架上摔下来了"], ["风机塔筒上的漆掉下来了", "厂区禁止明火", "明火执仗地抢", "燃气费又涨了", "从架子上拿了一箱货", "手机掉进了村口的鱼塘"]),
    "cannot_get_out": (["孩子困在里面出不来", "老人被困在屋里了"], ["钥匙锁在车里拿不出来，车也出不来"]),
    "shut_in": (["他把我堵在巷子里不让我走", "前夫拦着门不放我走", "雇主出门前把门从外面反锁", "她们把门锁了不让我走", "他把我锁在屋里不让出门", "老人被关起来了", "他们把我姥姥关在屋里不让出来", "我弟被关在工地宿舍不让走"],
        ["钥匙锁在屋里了"]),
    "lift_trapped": (["我老公坐着轮椅关在电梯里一个多小时了", "电梯卡在四楼和五楼中间", "电梯卡在五楼和六楼中间快半小时了，里面有个老人", "电梯卡住了里面有个老人", "有人困在电梯里"], ["电梯卡在五楼不动了 物业说明天修", "电梯里关着灯", "出门前记得从外面锁门", "电梯坏了没人修"]),
    "crushed": (["人被压在车底下了", "他的手被压进机器里了", "人卡着拔不出来", "墙塌了压着人", "人被埋在下面"], ["借条我一直压在枕头底下", "手机卡住了", "压力很大"]),
    "inside_demolition": (["我爸瘫在床上不肯搬出来，挖机已经开到院墙边了", "再不出来就直接推", "奶奶现在还坐在屋里，挖机就停在门口", "墙都裂了，叫奶奶出来她不肯出来", "挖机要推房子我妈还在屋里", "老人还在屋里不肯出来", "挖机来了外婆还坐在堂屋里"],
        ["挖机开到地里了", "他老婆还在群里晒新车", "老人还在村里种地", "我妈还在屋里看电视"]),
    "lying_before_machine": (["老头子往挖掘机前头一躺，不让拆", "我爸躺在挖掘机前面", "村民拦着挖机"], ["挖掘机停在路边"]),
    "missing": (["我家细伢子放学没回来，快三个钟头了", "巷子都找遍了", "我家六岁的娃在工棚那边玩，一个多钟头找不着了", "放学四个钟头了还没到家", "孩子到现在还没回家", "老人走丢了", "闺女到现在还没到家", "孩子到现在快九点了还没回来", "我们找了一圈都没找到", "他出门一天了人也找不到",
                 "我爸早上出去放牛到现在没回来", "我妈去遛狗到现在还没回来"],
        ["我家的鸭子没回来，快三个钟头了", "家里都找遍了，钥匙还是不见", "孩子的作业本找不着了", "老板到现在还没回来，工资也没发", "跟我借钱的那个人找不到了", "钥匙找了一圈没找到", "我家的牛到现在没回来"]),
    # a relative in debt out of reach may be in despair: still red
    "phone_unreachable": (["他说没脸回屋了，手机关了", "他电话打不通，人也不知道去哪了", "我哥借了高利贷还不上 今天出门后电话关机了"],
                          ["手机关了静音在开会", "借钱的那个人电话打不通"]),
    "not_seen": (["隔壁老人好几天没出门了", "敲门也没人应", "敲门没有人应", "喊她也没应声"],
        ["好几天没下雨了", "敲门有人应了"]),
    "break_in": (["他们已经推门进来了", "有人在撬我家的门", "孩子被人贩子抱走了"], ["推门进来的是我妈", "装修公司收了定金 人也找不到了", "门锁坏了"]),
    "burnt_stabbed": (["他拿烟头烫孩子"], ["不小心被开水烫了一下"]),
    "medical_emergency": (["打完针老汉儿嘴巴都白了", "我爸吃着饭人就抽起来了", "孩子嘴唇发紫", "老人突然抽搐", "我老婆要生了", "保安不让打120"], ["嘴巴干得起皮", "他抽起烟来没完", "嘴唇干裂", "我老婆生了个儿子"]),
    "stalked": (["有个男的天天跟着我", "有两个人在我家门口站了一晚上", "讨债的这几天在我家楼下转悠", "那几个人一直在我公司门口蹲守"],
                ["他跟着我学手艺", "快递放在我家门口了", "快递员在我家楼下等着", "网约车在小区门口等着"]),
    "breathless": (["娃吃了药以后呼吸很困难", "老人突然上不来气了", "他喘不上气了"], ["垃圾站臭得让人呼吸困难", "油烟熏得人呼吸都困难", "跑得气喘吁吁"]),
    "collapse": (["楼快塌了", "桥塌了"], ["老房子快塌了"]),
    "swept_away": (["有人落水了 桃源村河边", "水库冰面上有个小孩掉下去了", "有人溺水了 杏花村水库", "有人掉進河裡了", "我儿子掉到水塘里了", "有人调河里了", "有人掉河里了 石桥村桥头这里", "一个小孩好像沉下去了", "河里好像有个人在扑腾", "塘里有个老人 头朝下漂着", "校车翻到沟里了，车上有二十多个孩子", "一辆面包车翻到外湖里去了，里面好像有人在拍窗户", "有人被水冲走了", "连人带车冲到沟里去了"],
        ["他家的落水管对着我家", "学校开展防溺水安全教育", "孩子掉水沟里了 捞上来了 没事", "我家鸭子掉河里了", "拆迁队挖机已经开到南塘村口了", "手机掉河里了", "鸭子掉塘里了", "我的三轮车翻到沟里了，人没事", "去年车翻进沟里保险一直不赔", "河里的垃圾被水冲走了就好了"]),
    "not_come_up": (["车库进水了，水涨得好快，有个老人下去挪车还没上来", "他下到井里清淤，半个钟头了还没上来"],
        ["他下去拿快递还没上来", "我妈下楼买菜还没上来"]),
    "under_vehicle": (["渣土车把一个骑电动车的女的卷到车底下了，人还在下面"],
        ["钥匙掉到车底下了", "猫钻到车底下去了"]),
    "building_leaning": (["墙已经歪过来压着我们楼，裂缝越来越大还咔咔响", "那栋楼已经倾斜了"],
        ["他说话歪了", "墙上有条缝"]),
    "child_missing": (["孩子找不到了 四岁 穿红衣服", "我家小孩在超市走丢了", "我闺女被人带走了 找不到了", "五岁的娃在广场上不见了"],
        ["孩子的书包不见了", "孩子书包丢了", "儿子找不到工作了", "孩子走丢了 后来找到了"]),
}

MODIFIERS = {
    # text, the cue words, the status they get
    "negation": [("我不会动手的", "动手"), ("我们不会去上访的", "上访")],
    "joke": [("我老婆说要杀了我哈哈开玩笑的", "杀了我"), ("他说谁来就砍谁笑死", "砍谁"),
             ("同桌天天说要弄死他，细问是打游戏时的口头禅", "弄死他")],
    "report": [("看新闻说外地有人跳楼了", "跳楼"), ("刷短视频看到有人爬塔吊讨薪", "爬塔吊"), ("三叔公刚看完一部港片，讲两个大族为祖坟打起来", "打起来"), ("刷到视频说有人拆迁打起来了", "打起来"),
               ("昨天看了个电影，讲一个人拿着钢管去讨债", "拿着钢管"),
               ("孩子看了个打打杀杀的电影，学着拿木棍", "拿木棍"),
               ("昨晚那部警匪片里绑架了一个富商", "绑架")],
    "past": [("去年我们打过一架，现在早就没事了", "打过"), ("打了一针喘不上气，转到县里抢救了两天才脱离危险", "喘不上气"),
             ("他拿着锄头骂我，后来被人劝开了", "拿着锄头"), ("放鞭炮把柴房点着了，幸亏没伤着人", "柴房点着了"), ("邻桌喝多的拿酒瓶砸了我爸的头，缝了七针，人已经被派出所带走了", "拿酒瓶"), ("草垛点着了 火已经灭了 就是想让他家赔", "草垛点着了"), ("以前说过要去上访，后来解决了", "上访"),
             ("上回两家人为这事打起来过，派出所来了", "打起来")],
    "near": [("两家人差点打起来", "打起来"), ("险些动手", "动手")],
    "fear": [("我怕他打我", "打我"), ("担心他们会去堵门", "堵门")],
    "wish": [("他欠钱不还我恨不得打死他", "打死他"), ("这种人我巴不得弄死他", "弄死他")],
    "taken_back": [("他说要打我，其实是吓唬人", "打我"), ("他说要砍死我，气话而已", "砍死我"),
                   ("他说要打我，喝了酒就乱说", "打我"), ("他说要砍死我，我不觉得他会真做", "砍死我")],
    # an exception of the cue told elsewhere in the message: someone who owes the writer and
    # is out of reach is more likely avoiding them than in danger, so the resident is asked
    "context": [("可能这是我最后一次发消息了哈哈", "最后一次发"), ("救命啊 这物业太坑了 把车位卖给别人了", "救命"), ("快来人啊 等好久了", "快来人"), ("来人啊 都三天了", "来人啊"), ("救命啊 你们什么时候来", "救命"),
                ("救命啊 物业又停水了", "救命"),
                ("他借了我五万块钱 现在电话关机", "电话关机"), ("欠我们的货款一直拖着 现在人也找不到", "人也找不到"),
                ("那个老赖 现在电话也打不通", "电话也打不通")],
}
KEPT = [
    # the words around the cue that must not change it
    ("不还钱就卸你一条腿", "卸你一条腿"),             # a negation that is a condition
    ("去年就吵过，今天他又拿刀来了", "拿刀"),           # a later time word governs
    ("别打我妈", "打我"),                               # a plea, not a denial
    ("受不了了要跳河", "跳河"),                         # a complement, not a negation
    ("他说要砍死我，一点不像开玩笑", "砍死我"),         # a joke word denied
    ("他说要去上访，这可不是气话", "上访"),             # taking back denied
    ("笑死，他真拎着菜刀去了", "拎着菜刀"),             # a laugh that opens the message
    ("哈哈我不想活了，这次不是开玩笑", "不想活"),       # one joke word denied: no joke
    ("去年就闹过一回，这几天他天天在院里磨刀", "磨刀"),  # these days are now
    ("前年借他的钱，今儿去要，他把我按地上了", "按地上"),  # 今儿 is 今天 (typos.yaml)
    ("去年调解过 今年开春他拿着砍刀在路口等着", "拿着砍刀"),  # 今年 is now
    ("上回是吵架 这回他拿刀来了", "拿刀"),
    # a time word further back than the clause before the cue tells of another part of the story
    ("去年林业站来量过也没量清 今年开春我儿子要上山砍树 他兄弟几个拿着砍刀在山上等着", "拿着砍刀"),
]
BENIGN = ["拼多多帮忙砍一刀", "小时候在槐树底下逮过吊死鬼儿", "打官司要多久", "这个政策一刀切", "业主群都炸了", "热死了", "对面工地半夜还在打桩", "摩托车早上打不着火了", "天天加班真要我的命", "打死我也想不通", "护士针头打歪了手臂肿了",
          "去反映了好几回，每次两句话就把我打发了", "物业又偷偷涨物业费，我真是气得想死", "天天加班累得想死"]


@pytest.fixture(scope="module")
def rules():
    return RiskRules()


@pytest.fixture(scope="module")
def labelled():
    n = Normalizer()
    return {n(x) for paths in groups().values() for _, _, x in rows(paths)}


def _statuses(rules, text, cue_id):
    return [h.status for h in rules.hits(Normalizer()(text)) if h.cue.id == cue_id]


def test_word_classes_are_expanded():
    from nlp.risk import expand_classes
    assert expand_classes("把({kin}|我)推倒", {"kin": ["外婆", "孩子", "我妈妈"]}) == "把((?:我妈妈|外婆|孩子)|我)推倒"
    with pytest.raises(ValueError):
        expand_classes("{nobody}", {})


def test_every_red_cue_has_a_table(rules):
    ids = {c.id for c in rules.red_cues()}
    assert ids == set(RED_CUES), (ids - set(RED_CUES), set(RED_CUES) - ids)
    assert all(pos and neg for pos, neg in RED_CUES.values())


@pytest.mark.parametrize("cue_id", sorted(RED_CUES))
def test_red_cue_table(rules, cue_id):
    pos, neg = RED_CUES[cue_id]
    for text in pos:
        assert "kept" in _statuses(rules, text, cue_id), (cue_id, text, rules.hits(Normalizer()(text)))
    for text in neg:
        assert "kept" not in _statuses(rules, text, cue_id), (cue_id, text)


@pytest.mark.parametrize("status", sorted(MODIFIERS))
def test_modifier_table(rules, status):
    for text, words in MODIFIERS[status]:
        got = {h.words: h.status for h in rules.hits(Normalizer()(text)) if h.cue.colour == "red"}
        assert any(words in w or w in words for w in got), (text, got)
        assert all(s == status for w, s in got.items() if words in w or w in words), (text, got)


def test_words_that_change_nothing(rules):
    for text, words in KEPT:
        got = {h.words: h.status for h in rules.hits(Normalizer()(text)) if h.cue.colour == "red"}
        assert any((words in w or w in words) and s == "kept" for w, s in got.items()), (text, got)


def test_benign_look_alikes(rules):
    for text in BENIGN:
        assert not [h for h in rules.hits(Normalizer()(text)) if h.cue.colour == "red" and h.kept], text


def test_modifier_effects_are_configured():
    d = Decision()
    assert set(MODIFIERS) | {"unless"} <= set(d.effects)


# -- type patterns -----------------------------------------------------------------------
TYPE_PATTERNS = {
    "business": (["卖菜的钱他一个人全拿了"], ["菜卖完了"]),
    "labour": (["干了三个月活一分钱没给", "在厂里做了半年", "老板拖着不给", "帮他家盖房说好的工钱不给",
                "一天两百块", "扣了我们的工资"], ["我干活去了"]),
    "debt": (["借给他的钱要回来", "他借了我三万", "还钱"], ["钱包丢了"]),
    "neighbour": (["楼上天天半夜跳", "每天晚上都在敲"], ["楼上住的是我姑"]),
    "traffic": (["车撞了我家孩子", "我被电动车撞了一下", "开车把人蹭了"], ["撞衫了"]),
    "marriage_family": (["我妈跟我爸天天吵", "老公喝了酒就打人", "几个儿子都不管"], ["我妈做饭好吃"]),
    "land_acquisition": (["修高速占了我们的地", "补偿款太低"], ["高速上堵车"]),
    "land_forest": (["他占了我家的地", "两家田的边界"], ["地上很滑"]),
    "homestead_housing": (["他家盖房子占了路", "堵了我家出门的路"], ["房子很漂亮"]),
    "environment": (["饭店的油烟太大", "工厂天天排黑水", "半夜施工"], ["晚上吃饭"]),
    "consumer": (["买的手机坏了不给退", "网上买的衣服退货商家不给退"], ["买了一斤肉"]),
    "property_mgmt": (["小区物业乱收费"], ["小区很大"]),
    "damages": (["借我的车开坏了", "他把我家的玻璃砸坏了", "狗把鸡咬死了", "撞坏我家的墙"], ["狗很可爱"]),
    "medical": (["打了针以后更严重了"], ["针线活"]),
    "none": (["谢谢了！", "我上次反映的事情怎么样了", "什么时候来处理"], ["你好烦人，天天占我车位"]),
}


def test_every_type_pattern_has_a_table():
    lex = Lexicon()
    assert {label for label, _ in lex.patterns} == set(TYPE_PATTERNS)


@pytest.mark.parametrize("label", sorted(TYPE_PATTERNS))
def test_type_pattern_table(label):
    lex = Lexicon()
    n = Normalizer()
    pats = [rx for lab, rx in lex.patterns if lab == label]
    pos, neg = TYPE_PATTERNS[label]
    for text in pos:
        assert any(rx.search(n(text)) for rx in pats), (label, text)
    for text in neg:
        assert not any(rx.search(n(text)) for rx in pats), (label, text)


def test_examples_are_not_lines_of_the_labelled_sets(labelled):
    n = Normalizer()
    examples = [t for pos, neg in list(RED_CUES.values()) + list(TYPE_PATTERNS.values()) for t in pos + neg]
    examples += [t for cases in MODIFIERS.values() for t, _ in cases] + [t for t, _ in KEPT] + BENIGN
    examples += [t for t, _ in NAMED_OVER_NONE[0]] + NAMED_OVER_NONE[1]
    examples += [t for t, _, _ in VARIANTS[0]] + [t for t, _ in VARIANTS[1]]
    copied = [t for t in examples if n(t) in labelled]
    assert not copied, copied


# -- the type a `none` reading yields to ---------------------------------------------------
# (text, the types it names); a text that names a dispute is that dispute even when nothing
# in it sounds like a grievance told in chat, unless it also holds one of none's strongest
# words (asking about a case, thanks, greetings, adverts, office hours: taxonomy none:5)
NAMED_OVER_NONE = (
    [("请问一下抚养权", {"marriage_family"}), ("你们管不管合同的事", {"contract"}),
     ("请问污染找谁", {"environment"}), ("这种情况算不算工伤啊", {"labour"}),
     ("宅基地能不能卖给外村的人", {"homestead_housing"}), ("物业费不交会怎么样", {"property_mgmt"}),
     ("请问一下消协电话", {"consumer"}), ("你好，请问工伤怎么赔", {"labour"})],   # a greeting does not cancel it
    ["我那个工伤的案子进度怎么样了", "你好，你们几点上班", "谢谢你们帮忙", "今天天气不错"],
)


def _terms(u, text: str) -> list[str]:
    """The taxonomy's terms and patterns found in a text, as the reading finds them."""
    return [f for _, f, _ in u.featurize.read(u.normalize(text))[1]]


def test_named_over_none_table(u):
    d = Decision()
    pos, neg = NAMED_OVER_NONE
    for text, types in pos:
        assert set(d.named_types(_terms(u, text))) == types, text
    for text in neg:
        assert d.named_types(_terms(u, text)) == (), text


def test_named_over_none_in_the_reading(u):
    pos, neg = NAMED_OVER_NONE
    # the table exercises the rule: the learned model alone reads some of them as none
    alone = [u.model.best_two(u.model.margins(u.featurize(u.normalize(t))))[0] for t, _ in pos]
    assert alone.count("none") >= 2, alone
    for text, types in pos:
        r = u.read(text)
        assert r.type in types, (text, r.type)
    for text in neg:
        assert u.read(text).type == "none", text


def test_named_over_none_can_be_switched_off(u):
    off = Decision(data={"type": {}})
    assert Decision().named_types(_terms(u, "这种情况算不算工伤啊")) == ("labour",)
    assert off.named_types(_terms(u, "这种情况算不算工伤啊")) == ()


# -- taxonomy terms written with one character wrong (Lexicon.variants) ------------------
# (text, term, as written): a typo breaks a word of the term; (text, term): a character
# standing alone beside the term's words makes another phrase, not a typo of it
VARIANTS = (
    [("楼上邻居在楼道里对方杂物", "楼道里堆", "楼道里对"), ("村里的和作社分红不公开", "合作社", "和作社"),
     ("医疗世故谁负责", "医疗事故", "医疗世故"), ("他欠的高利待还不上", "高利贷", "高利待")],
    # the price: a homophone of a character standing alone (物业废 for 物业费) is missed too,
    # which only its sound could tell from another phrase
    [("晚上打麻将吵得睡不着", "晚上好"), ("后山有人偷偷倒垃圾", "有人吗"), ("这个月物业费是多少", "赔多少"),
     ("我想咨询一下法律方面的问题", "查一下"), ("我孩子在学校被打了", "生孩子"), ("一直没人来处理", "一直拖")],
)


def test_typo_variant_table(u):
    pos, neg = VARIANTS
    lex = u.lexicon
    for text, term, written in pos:
        found = dict(lex.variants(u.normalize(text), set()))
        assert found.get(term) == written, (text, found)
    for text, term in neg:
        found = dict(lex.variants(u.normalize(text), set()))
        assert term not in found, (text, found)
