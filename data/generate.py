"""Generate template-based labelled customer-service requests for training.

Running ``python data/generate.py`` from the project root writes
``data/corpus/train/generated.jsonl``: 200 rows for each of the twelve taxonomy
categories plus 60 content-free ``unclear`` rows, one JSON object per line::

    {"text": ..., "category": ..., "secondary": [...], "priority": "P1".."P4",
     "channel": ..., "source": "template"}          # + "subject" for some email/ticket rows

Why: the hand-written files next to it (``written_*.jsonl``) are realistic but
small. These rows *complement* them with breadth the hand-written data lacks:
many product domains, order/tracking numbers, amounts, dates, priority signals
(safety, theft with money lost, outages, media/legal threats, anger), compound
requests with ``secondary`` labels, boundary cases that keyword rules get wrong
("不是要退款，只是问下发货没" is order_status), and noise (Traditional characters,
typos, emoji, full-width digits, slang, mixed English).

The evaluation set under ``data/corpus/eval/`` is written separately by hand and
is never generated or read here, so scores on it are not inflated by templates.

The output is deterministic: one ``random.Random(SEED)`` drives every choice, so
two runs produce byte-identical files. Only the standard library and ``opencc``
(simplified → Traditional conversion) are used.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import opencc

SEED = 20261123
OUT_PATH = Path(__file__).resolve().parent / "corpus" / "train" / "generated.jsonl"
ROWS_PER_CATEGORY = 200
UNCLEAR_ROWS = 60
MAX_ATTEMPTS = 500  # per row, before giving up on finding an unseen text

CATEGORIES: tuple[str, ...] = (
    "presale", "order_status", "order_change", "payment", "logistics", "return_refund",
    "quality", "technical", "account_security", "service_complaint", "price_promotion", "feedback",
)
# Categories whose default priority is P4 rather than P3 (see the priority guide).
LOW_PRIORITY = ("presale", "feedback")
# Categories where a high-value order (≥ 5000 元) with a problem raises the priority to P2.
VALUE_SENSITIVE = ("payment", "logistics", "return_refund", "quality", "account_security")
HIGH_VALUE = 5000
SOCIAL_CHANNELS = ("weibo", "douyin", "xiaohongshu")
# Categories with a grievance serious enough that customers threaten public exposure.
MEDIA_CATEGORIES = ("order_status", "payment", "logistics", "return_refund", "quality", "technical",
                    "account_security", "service_complaint", "price_promotion")

# Probabilities of the row-level variations.
P_COMPOUND = 0.11     # add a clause about a second problem (on top of built-in compound templates)
P_MEDIA = 0.045       # media exposure threat on a social channel (→ P1)
P_TRADITIONAL = 0.08
P_TYPO = 0.12
P_EMOJI = 0.09
P_FULLWIDTH = 0.16    # only rows with digits are affected
P_SPACING = 0.10
P_SLANG = 0.06
P_ENGLISH = 0.30      # only rows with a replaceable word are affected


# ---------------------------------------------------------------------------
# Product domains
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Domain:
    """A product domain and the domain-specific phrases templates can draw on."""

    key: str
    names: tuple[str, ...]
    price: tuple[int, int]                 # plausible price range in 元
    shipped: bool = True                   # delivered by courier (has tracking, returns, address)
    sizes: tuple[str, ...] = ()            # for size changes / exchanges
    questions: tuple[str, ...] = ()        # presale questions (no trailing ？)
    defects: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ()          # safety incidents → P1
    missing: tuple[str, ...] = ()          # parts that can be missing from the box
    changes: tuple[str, ...] = ()          # spec changes on an unshipped order
    mismatch: tuple[str, ...] = ()         # "not as described"
    tech: tuple[str, ...] = ()             # technical faults
    howto: tuple[str, ...] = ()            # how-to-use questions


DOMAINS: tuple[Domain, ...] = (
    Domain("clothing", ("羽绒服", "卫衣", "牛仔裤", "连衣裙", "冲锋衣", "针织开衫", "加绒打底裤"), (79, 1299),
           sizes=("S", "M", "L", "XL", "XXL"),
           questions=("165、110斤穿M还是L", "洗了会不会缩水", "会起球吗", "有没有加绒款", "是纯棉的吗", "袖长多少"),
           defects=("洗一次就严重掉色，把别的衣服都染了", "袖口开线了，线头一大堆", "拉链拉两下就坏了",
                    "后背有个明显的破洞", "两个袖子长短不一样"),
           hazards=("童装上的纽扣一拽就掉，孩子差点吞下去，连夜去医院拍了片",),
           missing=("腰带", "配套的帽子"),
           mismatch=("页面写的纯棉，标签上却是聚酯纤维", "颜色和图片差太多，图上米白收到是土黄")),
    Domain("shoes", ("跑鞋", "小白鞋", "马丁靴", "篮球鞋", "雪地靴", "老爹鞋"), (129, 1599),
           sizes=("37", "38", "39", "40", "41", "42", "43", "44"),
           questions=("偏码吗，我平时穿41", "鞋底防滑吗", "宽脚能穿吗", "是真皮的吗", "走路多了会磨脚吗"),
           defects=("穿了两天就开胶了", "鞋底走路一直咯吱响", "两只颜色深浅不一样", "鞋底裂了一条缝"),
           hazards=("鞋垫里有根断针，把脚扎出血了，还去打了破伤风",),
           missing=("鞋带", "一只鞋垫"),
           mismatch=("说是真皮的，结果是PU皮", "鞋盒上的货号和页面对不上")),
    Domain("phone", ("手机", "iPhone 15", "小米14", "华为nova 12", "荣耀X50", "OPPO Reno11"), (1299, 8999),
           questions=("支持双卡双待吗", "是国行正品吗", "有没有512G的", "支持无线充电吗", "送充电器吗"),
           defects=("屏幕有一排坏点", "充不进电", "激活时间显示是去年的，怀疑是翻新机", "打电话对方听不见我说话",
                    "摄像头里面有灰"),
           hazards=("充电的时候突然冒烟，后盖都烫变形了，差点烧起来", "半夜充电电池鼓包炸了，床单烧了个洞"),
           missing=("充电线", "卡针和数据线"),
           changes=("256G改成512G", "黑色改成白色", "标准版改成Pro版"),
           mismatch=("页面写的256G，实际只有128G", "说是全新国行，序列号查出来是海外版"),
           tech=("系统更新后一直自动重启", "WiFi连上了但是没网", "NFC刷不了公交卡", "信号特别差，老是无服务"),
           howto=("把旧手机的数据迁移过来", "开启双卡", "设置指纹解锁")),
    Domain("earbuds", ("蓝牙耳机", "降噪耳机", "AirPods Pro", "头戴式耳机", "运动耳机"), (99, 1999),
           questions=("能连安卓手机吗", "降噪效果怎么样", "续航多久", "打电话对方听得清吗", "跑步戴会掉吗"),
           defects=("左耳没声音", "充电仓充不进电", "有电流声，一直滋滋响", "降噪开了和没开一样"),
           hazards=("充电仓充着充着冒烟了，一股焦味", "戴着的时候突然发烫，把耳朵烫红了一片"),
           missing=("充电线", "备用耳帽"),
           changes=("白色改成黑色", "标准版改成降噪版"),
           mismatch=("说有主动降噪，收到根本没有这个功能",),
           tech=("蓝牙连上了但是没声音", "只有一只耳机能连上", "固件升级一直失败"),
           howto=("恢复出厂设置", "切换降噪模式", "同时连两台设备")),
    Domain("laptop", ("笔记本电脑", "游戏本", "MacBook Air", "轻薄本", "平板电脑"), (2999, 12999),
           questions=("能玩黑神话吗", "内存能自己加吗", "有几个USB口", "屏幕是多少赫兹的", "预装Office吗"),
           defects=("屏幕有一条亮线", "键盘有几个键按了没反应", "开机就蓝屏", "风扇声音特别大", "外壳有明显划痕"),
           hazards=("电源适配器冒火花，插座都烧黑了",),
           missing=("电源适配器", "说明书和保修卡"),
           changes=("16G内存改成32G", "银色改成深空灰"),
           mismatch=("页面写的i7处理器，收到是i5",),
           tech=("开机卡在logo界面", "连不上WiFi", "触控板失灵", "系统激活不了"),
           howto=("分盘", "激活Office", "外接显示器")),
    Domain("fruit", ("车厘子", "阳光玫瑰葡萄", "砂糖橘", "猕猴桃", "榴莲", "草莓", "丑橘"), (29, 399),
           questions=("甜不甜", "是现摘现发的吗", "坏果包赔吗", "一箱大概多少个", "到了能放几天"),
           defects=("烂了一小半", "好几个都发霉了", "又小又酸，和图片完全两样", "冻坏了，一捏全是水"),
           hazards=("吃完全家上吐下泻，医院说是食物中毒",),
           missing=("半箱，说好5斤只有3斤多",),
           changes=("5斤装改成10斤装", "普通装改成礼盒装"),
           mismatch=("说是JJ级大果，收到的都是小果",)),
    Domain("cosmetics", ("面霜", "粉底液", "口红", "精华液", "防晒霜", "面膜"), (59, 1299),
           questions=("敏感肌能用吗", "孕妇能用吗", "保质期到什么时候", "是专柜正品吗", "油皮适合吗"),
           defects=("膏体分层了还有股怪味", "泵头按不出来", "颜色和试色差太远", "瓶口是漏的，洒了半瓶"),
           hazards=("用了以后整张脸过敏肿起来，去医院挂了急诊", "涂完嘴唇起泡溃烂，医生说是过敏"),
           missing=("说好的小样", "外盒和说明书"),
           changes=("色号改成01", "50ml改成100ml"),
           mismatch=("生产批号和官网对不上", "详情页说无香精，成分表里明明有")),
    Domain("aircon", ("空调", "挂式空调", "柜机空调", "1.5匹变频空调"), (1899, 8999),
           questions=("包安装吗", "15平米的房间够用吗", "是一级能效吗", "安装要另外收费吗", "外机能放阳台吗"),
           defects=("不制冷，开了一小时还是30度", "外机噪音特别大", "内机一直往下滴水", "开机就显示E1"),
           hazards=("插头烧焦了，屋里一股糊味还冒了烟", "内机突然起火，幸好家里有人"),
           missing=("遥控器", "安装支架"),
           changes=("1.5匹改成2匹", "挂机改成柜机"),
           mismatch=("说是一级能效，铭牌上是三级",),
           tech=("App配网一直失败", "遥控器按了没反应", "定时功能不生效"),
           howto=("连WiFi用手机控制", "设置睡眠模式", "清洗滤网")),
    Domain("washer", ("洗衣机", "滚筒洗衣机", "洗烘一体机", "波轮洗衣机"), (999, 6999),
           questions=("尺寸多大，能放进60公分宽的柜子吗", "有烘干功能吗", "噪音大不大", "送货上楼吗"),
           defects=("脱水的时候晃得像要跳起来", "进水阀漏水", "显示E3不工作", "门封圈是破的"),
           hazards=("机身漏电，摸一下就被电麻了", "电源线冒烟，把插座都烧黑了"),
           missing=("进水管", "底座脚垫"),
           changes=("10公斤改成12公斤", "白色改成银色"),
           mismatch=("写的是直驱电机，售后拆开说是皮带的",),
           tech=("WiFi连不上", "预约功能不工作", "屏幕按键失灵"),
           howto=("设置预约洗涤", "关闭童锁", "做桶自洁")),
    Domain("formula", ("婴儿奶粉", "一段奶粉", "三段奶粉", "羊奶粉"), (199, 899),
           questions=("是国行还是海淘", "生产日期是什么时候", "新生儿能喝吗", "和原来的牌子混着喝可以吗"),
           defects=("罐子里结块了", "罐底凹进去一块，密封盖是松的", "生产日期被刮掉了", "冲出来有股怪味"),
           hazards=("宝宝喝了上吐下泻，已经送医院了", "宝宝喝完全身起红疹，医生说是过敏"),
           missing=("量勺",),
           changes=("一段改成二段", "单罐改成6罐装"),
           mismatch=("写的是新国标配方，收到是老版",)),
    Domain("stroller", ("婴儿推车", "遛娃神器", "高景观推车", "伞车"), (299, 3999),
           questions=("能上飞机吗", "几个月的宝宝能用", "一只手能收车吗", "能平躺吗"),
           defects=("刹车失灵", "折叠卡扣断了", "轮子是歪的，推起来跑偏", "车篷撑不起来"),
           hazards=("推着推着前轮掉了，孩子摔出来磕破了头", "折叠的时候夹到孩子手指，流了好多血"),
           missing=("一个前轮", "安全带扣"),
           changes=("灰色改成卡其色", "标准款改成双向款"),
           mismatch=("说可以平躺，实际只能放到130度",)),
    Domain("petfood", ("猫粮", "狗粮", "冻干猫粮", "猫罐头", "幼犬粮"), (39, 599),
           questions=("幼猫能吃吗", "含谷吗", "保质期多久", "肠胃敏感的狗能吃吗"),
           defects=("里面有小虫子", "袋子漏气，粮都受潮了", "猫吃了就吐", "颗粒和以前买的不一样"),
           hazards=("狗吃完抽搐口吐白沫，送宠物医院抢救了",),
           missing=("赠送的小罐头",),
           changes=("2kg改成10kg", "成猫粮改成幼猫粮"),
           mismatch=("配料表和详情页写的不一样",)),
    Domain("vip", ("视频会员", "音乐VIP", "年卡会员", "网盘超级会员", "连续包月会员"), (15, 298), shipped=False,
           questions=("能几台设备同时用", "能投屏到电视吗", "连续包月能随时取消吗", "和超级会员有什么区别"),
           tech=("开通了但是App里还显示普通用户", "投屏一直失败", "会员视频一直缓冲"),
           howto=("关闭自动续费", "在电视上登录")),
    Domain("takeout", ("外卖", "奶茶外卖", "麻辣烫外卖", "炸鸡外卖", "盒饭外卖"), (19, 168), shipped=False,
           questions=("能送到学校宿舍楼下吗", "晚上十一点还送吗", "能备注少辣吗"),
           defects=("里面吃出一根头发", "饭是馊的", "汤洒了一半", "少送了一份"),
           hazards=("吃完两个小时就上吐下泻，现在在医院挂水", "吃出一块碎玻璃，嘴都划破了"),
           missing=("一份米饭和餐具",)),
    Domain("dataplan", ("流量包", "话费套餐", "5G套餐", "流量加油包"), (10, 199), shipped=False,
           questions=("当月办理当月生效吗", "剩余流量能结转到下个月吗", "能不能共享给家人"),
           tech=("开通了但是上不了网", "显示流量已用完，我根本没怎么用", "5G信号一直显示4G"),
           howto=("查剩余流量",)),
    Domain("broadband", ("宽带", "千兆宽带", "光猫", "宽带套餐"), (99, 1999), shipped=False,
           questions=("我们小区能装吗", "装机要多久", "需要自己买路由器吗", "千兆是真的千兆吗"),
           tech=("断网了，光猫LOS灯一直闪红", "网速只有十几兆", "一到晚上八点就掉线", "路由器连不上"),
           howto=("改WiFi密码", "重置光猫")),
)
DOMAIN_BY_KEY: dict[str, Domain] = {d.key: d for d in DOMAINS}
SHIPPED = tuple(d.key for d in DOMAINS if d.shipped)
DURABLE = ("clothing", "shoes", "phone", "earbuds", "laptop", "aircon", "washer", "stroller")
GADGETS = ("phone", "earbuds", "laptop", "aircon", "washer")
SIZED = ("clothing", "shoes")
FOOD = ("fruit", "formula", "petfood", "takeout")

# Placeholders that only make sense for domains having a given attribute.
PLACEHOLDER_NEEDS: dict[str, str] = {
    "question": "questions", "question2": "questions", "defect": "defects", "hazard": "hazards",
    "missing": "missing", "change": "changes", "mismatch": "mismatch", "tech_issue": "tech",
    "howto": "howto", "size_swap": "sizes", "track": "shipped", "return_reason": "shipped",
}
# Default domain restriction per category (templates may override with `domains=`).
CATEGORY_NEEDS: dict[str, tuple[str, ...]] = {
    "order_status": ("shipped",), "order_change": ("shipped",),
    "logistics": ("shipped",), "return_refund": ("shipped",),
}


# ---------------------------------------------------------------------------
# Slot vocabularies
# ---------------------------------------------------------------------------

OPEN_POLITE = ("您好，", "你好，", "亲，", "亲亲，", "麻烦问一下，", "打扰一下，", "客服你好，", "您好客服，",
               "老板你好，", "hello，", "小姐姐你好，")
OPEN_NEUTRAL = ("", "", "", "", "问下，", "那个，", "咨询一下，", "在吗，")
OPEN_IMPATIENT = ("我真是服了，", "无语，", "呵呵，", "搞什么啊，", "能不能靠谱点，", "你们到底怎么回事？",
                  "真行啊你们，", "急死了，")
CLOSE_POLITE = ("谢谢", "谢谢！", "辛苦帮忙看下，谢谢", "麻烦尽快回复，谢谢~", "等您回复", "辛苦了", "麻烦了")
CLOSE_NEUTRAL = ("", "", "", "尽快回复", "看到回一下", "急")
# Strong anger, repeat contact, regulator or legal threats: each one makes a row P2.
CLOSE_ANGRY = ("再不处理我就打12315了", "今天不给说法我就去消协投诉", "我已经在找律师，准备起诉", "这是第三次联系你们了！",
               "忍无可忍了，最后一次问你们！", "上次说好的两天内处理，现在呢？？", "再拖我就去市场监管局投诉",
               "别再敷衍了！！！", "再不处理我直接去法院告你们")
# Media exposure threats, posted on the social channel they name (or any): each one makes a row P1.
MEDIA_THREATS: dict[str, tuple[str, ...]] = {
    "weibo": ("再不解决我就发微博曝光你们", "不处理我就挂微博，让大家评评理"),
    "douyin": ("视频我都拍好了，不处理就发抖音", "我要拍视频发抖音曝光你们"),
    "xiaohongshu": ("我会发小红书让大家避雷", "不解决就发小红书曝光你们家"),
    "any": ("已经联系记者了，等着上热搜吧", "不给解决我就找媒体曝光"),
}

CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "长沙", "哈尔滨", "昆明", "郑州", "厦门")
STREETS = (("北京", "朝阳区望京西路"), ("上海", "浦东新区张杨路"), ("广州", "天河区体育西路"), ("深圳", "南山区科技园南路"),
           ("杭州", "西湖区文三路"), ("成都", "武侯区科华北路"), ("武汉", "洪山区珞喻路"), ("西安", "雁塔区小寨东路"),
           ("南京", "鼓楼区中山路"), ("长沙", "岳麓区麓山南路"))
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴")
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "婷", "强", "杰", "雪", "军")
DURATIONS = ("三天", "一周", "5天", "两个星期", "四天", "十来天", "半个月", "一个多星期", "48小时", "6天")
RELATIVE_DATES = ("昨天", "前天", "上周五", "双十一", "双十一那天", "今天早上", "上个月底", "大前天", "周一")
PAY_METHODS = ("微信支付", "支付宝", "花呗", "信用卡", "银行卡", "云闪付", "京东白条")
PAY_ERRORS = ("支付失败，请稍后重试", "银行卡余额不足", "交易异常", "订单已失效", "系统繁忙")
INVOICE_TYPES = ("增值税专用发票", "电子普通发票", "纸质发票", "专票")
COMPANY_PREFIX = ("杭州", "深圳", "成都", "苏州", "南京", "武汉")
COMPANY_CORE = ("启明", "云帆", "拓达", "华睿", "嘉禾", "星河", "鼎盛")
COMPANY_KIND = ("信息科技有限公司", "贸易有限公司", "电子商务有限公司", "文化传媒有限公司")
LOGIN_ERRORS = ("账号或密码错误", "网络异常", "系统繁忙，请稍后再试", "登录环境异常", "验证失败")
APPS = ("App", "你们App", "小程序", "网页版", "客户端", "手机App")
APP_FEATURES = ("订单页面", "售后申请", "物流详情", "领券中心", "我的会员", "消息列表", "购物车")
ERROR_CODES = ("500", "502", "E1003", "-1001", "404", "ERR_NETWORK", "10086")
PHONE_MODELS = ("iPhone 13", "华为P40", "小米12", "vivo X90", "荣耀90", "OPPO Find X6")
TRANSIT_DAMAGE = ("外包装都破了", "箱子被雨泡得软塌塌的", "盒子压变形了", "箱子一角整个被压烂")
WRONG_POINTS = ("隔壁小区的驿站", "三公里外的快递柜", "镇上的代收点", "公司前台")
RETURN_REASONS = ("不想要了", "买重复了", "家里人已经买了一个", "冲动消费了", "收到发现不太适合")
SIZED_RETURN_REASONS = ("买大了", "尺码偏小穿不上", "上身效果不喜欢", "码数拍错了")
COURIER_FEES = ("10块", "20元", "¥15", "5块钱", "30")
CASHBACKS = ("5块", "10元", "两块钱", "3元红包", "20块")
GIFTS = ("收纳袋", "试用装", "保温杯", "小样", "清洁套装", "手机壳")
MEMBER_LEVELS = ("黄金", "铂金", "钻石", "PLUS", "88VIP")
PROMO_NAMES = ("预售定金膨胀", "跨店满减", "百亿补贴", "限时秒杀", "第二件半价")
FEATURE_REQS = ("一键修改收货地址", "订单合并发货", "夜间模式", "按价格排序", "历史订单搜索", "长辈大字版")
PRAISES = ("质量比想象中好", "包装很用心", "发货特别快", "性价比很高", "跟图片一模一样")
REVIEW_FACTS = ("到货慢了一周", "有点色差", "客服回复慢", "包装有点简陋")
SUGGESTIONS = ("快递能不能可选顺丰，多付几块钱也行", "详情页尺码表写清楚一点", "售后入口放显眼点，太难找了",
               "包装少用点塑料", "客服下班后能不能留个留言入口", "能不能出个家庭组合装")
GRIPES = ("说明书字太小，老人看不清", "包装有点浪费", "颜色选择太少", "赠品不太实用")
AGENTS = ("小美", "小王", "阿杰", "小雨", "小林", "7号")
PROMISES = ("三个工作日内给答复", "当天给我回电话", "补发一个新的", "帮我加急处理")
PROMISE_ITEMS = ("补偿一张20元的券", "免费换新", "报销运费", "当天回电")
ROBOT_REPLIES = ("，翻来覆去就是“亲亲请描述您的问题”", "，回的全是不相干的链接", "，一句人话都没有")
CANCEL_REASONS = ("拍错了", "不想要了", "别家更便宜", "家里已经有了", "等不及了")
NOTES = ("发顺丰", "不要放驿站，送货上门", "是送人的礼物，别放价格单", "周末才有人在家", "到了先打电话")
RELATIONS = ("我妈", "我爸", "老公", "女朋友", "孩子", "我奶奶")
HAZARD_FOLLOWUPS = ("照片和视频我都留着", "这东西还在卖，别人也可能出事", "全家到现在都心有余悸",
                    "单据和照片都保存好了")
FAKE_EVIDENCE = ("防伪码扫出来显示已经被查询过很多次", "和专柜买的放一起对比，颜色和味道都不一样",
                 "包装上的字都印歪了", "官网查不到这个序列号")
SMELLS = ("刺鼻的胶水", "甲醛", "塑料", "霉")
FRAGILE = ("杯子", "玻璃水杯", "陶瓷碗", "钢化膜", "玻璃花瓶")
LOCATIONS = ("江浙沪", "广东", "义乌", "北京仓")
GROUPS = ("几十", "二十多", "三十几", "十几")
TIMES = ("早上八点", "昨晚十点", "中午", "凌晨两点", "下午三点")
SETUP_ISSUES = ("一直连不上WiFi", "配对总是失败", "绑定不上App", "开机后没有任何反应")
PAINS = ("重新填一遍地址", "一页一页翻", "到处找客服入口", "截图发给客服")
VARIANTS = ("家庭装", "小包装", "试用装", "组合装")
SLANG_BAD = ("xswl", "zs无语", "真nb", "xswl，服了")
SLANG_GOOD = ("yyds", "nb", "yyds！", "真nb")
EMOJI_ANGRY = ("😡", "🤬", "😤", "😭")
EMOJI_MILD = ("🙏", "😭", "👍")
TYPOS = (("已经", "以经"), ("在", "再"), ("的", "得"), ("快递", "快第"), ("退款", "退欵"), ("怎么", "咋"))
ENGLISH = (("订单号", "order号"), ("订单", "order"), ("退款", "refund"), ("尺码", "size"), ("码数", "size"),
           ("客户端", "App"), ("小程序", "App"), ("登录", "login"), ("可以吗", "ok吗"), ("报错", "报bug"),
           ("问题", "bug"))
ENGLISH_BUG_CATEGORIES = ("technical",)   # "问题/报错" → "bug" only makes sense for technical faults
CN_DIGITS = "零一两三四五六七八九"


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """One sentence skeleton. `{name}` placeholders are filled by `Slots.slot_<name>`."""

    pattern: str
    style: str = "chat"                    # short | chat | long | phone (drives channel choice)
    priority: int | None = None            # minimum level the content itself implies (1 = P1)
    secondary: tuple[str, ...] = ()
    domains: tuple[str, ...] | None = None
    tone: str | None = None                # force a tone: polite | neutral | impatient | angry
    subject: str | None = None


def short(pattern: str, **kw) -> Template:
    return Template(pattern, style="short", **kw)


def chat(pattern: str, **kw) -> Template:
    return Template(pattern, style="chat", **kw)


def letter(pattern: str, **kw) -> Template:
    return Template(pattern, style="long", **kw)


def call(pattern: str, **kw) -> Template:
    return Template(pattern, style="phone", **kw)


TEMPLATES: dict[str, tuple[Template, ...]] = {
    "presale": (
        short("{product}有货吗", domains=SHIPPED),
        short("{product}包邮吗？", domains=("clothing", "shoes", "fruit", "cosmetics", "petfood", "formula")),
        short("这款{product}还有别的颜色吗", domains=DURABLE),
        chat("{open}{product}{question}？{close}"),
        chat("{open}想给{relation}买个{product}，预算{amount}左右，有推荐的吗？{close}",
             domains=DURABLE + ("cosmetics",)),
        chat("{open}请问现在下单{product}，寄到{city}大概几天能到？{close}", domains=SHIPPED),
        chat("还没买，先问一下：{product}{question}？"),
        chat("这个{fragile}摔了会碎吗？家里有小孩，还没下单想先问问"),
        chat("{open}退货运费谁出啊？我还没拍，想先弄清楚{product}不合适能不能退。{close}", domains=SHIPPED),
        chat("{product}要是用坏了怎么保修？现在还没买，先了解下", domains=GADGETS + ("stroller",)),
        chat("看评论有人说是假货，你们家{product}是正品吗？还没下单", domains=("phone", "earbuds", "cosmetics", "formula", "shoes")),
        chat("不是质量问题哈，就是想问问{product}{question}"),
        chat("{product}和{product2}哪个更适合{relation}？纠结好久了{close}",
             domains=DURABLE + ("cosmetics", "petfood", "vip", "dataplan", "broadband")),
        chat("{open}{product}{question}？另外{question2}？{close}"),
        chat("{open}{product}是从{origin}发货吗？我在{city}", domains=SHIPPED),
        letter("{open}我想给{relation}买一台{product}，主要是{usage}用。想确认几件事：一是{question}；二是支持七天无理由吗；"
               "三是现在下单多久能发货。麻烦详细说一下，合适的话今天就拍。{close}",
               domains=GADGETS, subject="购买前咨询：{product}"),
        call("客户来电咨询{product}{question} 还问{city}能不能送货上门 还没下单 说考虑一下再买", domains=SHIPPED),
    ),
    "order_status": (
        short("{product}发货了吗"),
        short("单号多少"),
        short("啥时候发货啊"),
        short("{order} 发货没"),
        chat("{open}订单{order}怎么还没发货？{date}就拍了。{close}"),
        chat("不是要退款哈，就问下{product}发货没，{date}下的单"),
        chat("{open}麻烦给个快递单号，订单号{order}。{close}"),
        chat("{open}{date}买的{product}，页面一直显示待发货，大概什么时候能发？{close}"),
        chat("查一下订单{order}的状态，显示“已出库”是什么意思？"),
        chat("{open}我拍了两件{product}，怎么只有一个快递单号？另一件还没发吗？{close}"),
        chat("我不投诉也不催，就是想知道预售的{product}大概哪天发"),
        chat("没有要取消的意思，就问问{product}今天能发出吗{close}"),
        chat("{open}帮我看下{date}那单{product}，是商家发货还是厂家直发？单号出来没？"),
        chat("{open}订单详情里的收货地址显示的是哪个？想确认下{product}会寄到哪"),
        letter("{open}我在{mdate}下单了{product}（订单号{order}，金额{amount}），页面一直显示“待发货”，"
               "详情页写的48小时内发货，现在已经{duration}了。想确认一下是不是缺货，大概什么时候能发出？有单号的话麻烦直接发我。{close}",
               subject="订单{order}何时发货"),
        call("客户来电问订单{order}发货没有 说{date}拍的到现在没动静 已告知仓库这两天爆单 客户说那就再等等"),
    ),
    "order_change": (
        short("{product}地址写错了，能改吗"),
        short("还没发货的话帮我取消吧"),
        short("下错单了，取消一下"),
        chat("{open}订单{order}的收货地址填错了，麻烦改成{address}，收件人{name}，电话{phone}。{close}"),
        chat("{open}刚拍的{product}选错了，想{change}，还没发货吧？{close}"),
        chat("{open}刚拍的{product}码数选错了，{size_swap}，还没发货吧？{close}"),
        chat("{open}能帮我把两个订单合并一起发吗？{order}和{order2}，都是寄{city}的"),
        chat("{open}我下单了{qty}个{product}，想改成{qty2}个，可以吗？"),
        chat("不是退货！东西还没发呢，我就是想把{product}{change}"),
        chat("先别发货，我要取消，{product}{cancel_reason}，还没发出去吧？"),
        chat("麻烦给订单{order}备注一下：{note}"),
        chat("{open}能不能晚点发货？我{date_future}之后才回{city}，{product}放门口怕丢"),
        chat("{open}订单{order}能改个收件人吗？改成{name}，电话{phone}，{close}"),
        chat("{product}买重复了，{order2}这单取消掉{close}"),
        letter("{open}我在{mdate}下的订单{order}，商品是{product}。今天发现收货地址还是老地址{address_old}，我已经搬家了，"
               "新地址是{address}，收件人{name}，电话{phone}。看物流还没揽收，麻烦帮忙改一下地址，来不及的话先别发。{close}",
               subject="修改收货地址"),
        call("客户来电要求取消订单{order} 说{cancel_reason} 订单还没出库 客户要求尽快取消 钱原路退回"),
    ),
    "payment": (
        short("{paymethod}付不了款"),
        short("扣了两次钱"),
        short("发票怎么开"),
        chat("{open}{date}买{product}，{paymethod}扣了{amount}，订单却显示待付款？{close}"),
        chat("{open}付款一直提示“{pay_error}”，换了{paymethod}也不行，{close}"),
        chat("{open}订单{order}被扣了两次款，每次{amount}，麻烦把多扣的退给我。{close}"),
        chat("{open}需要开{invoice_type}，抬头{company}，税号{taxid}，订单号{order}。{close}"),
        chat("{open}发票抬头开错了，应该是{company}，能重开一张吗？"),
        chat("已经下单了，{product}付款页面怎么没有{installment}？", domains=GADGETS + ("stroller",)),
        chat("不是要退款，是钱扣了订单没生成，{paymethod}账单里有这笔{amount}"),
        chat("{open}电子发票在哪下载啊？订单{order}，找了半天没找到"),
        chat("{open}信用卡付款跳到银行页面就没反应了，钱到底扣没扣？{close}"),
        chat("付了钱{product}订单还显示未支付{close}"),
        chat("{open}发票少开了运费那部分，订单{order}，能补开吗？"),
        letter("{open}我司于{mdate}在贵店采购{product}{qty}件，订单号{order}，金额{amount}。财务报销需要{invoice_type}，"
               "抬头：{company}，税号：{taxid}。请开好后发至邮箱{email}，另外请问大概几个工作日能开出？{close}",
               domains=GADGETS + ("clothing",), subject="申请开具发票"),
        call("客户来电说用{paymethod}付款时显示失败 但是卡里扣了{amount} 订单还是待支付 客户担心重复扣款 已让客户提供扣款截图"),
    ),
    "logistics": (
        short("快递{duration}没动了"),
        short("物流一直不更新"),
        short("显示签收了但我没收到"),
        chat("{open}单号{track}，{duration}了物流还停在{city}转运中心，{close}"),
        chat("{open}显示已签收，可我根本没收到！{product}呢？{close}"),
        chat("{open}快递员把{product}直接扔在门口，电话都不打，{close}"),
        chat("{open}收到的时候{transit_damage}，{product}也不知道摔坏没有。{close}"),
        chat("我要投诉！{product}{duration}了还没到，{close}", tone="angry", priority=2),
        chat("退款就不用了，只想问{product}能不能快点送到，{date}下单到现在还没到"),
        chat("{open}快递员说要再加{fee}才送上楼，这合理吗？"),
        chat("{open}怎么给我放到{wrong_point}了？我填的是送货上门{close}"),
        chat("{track} 这个单号{duration}都查不到信息，是不是填错了？"),
        chat("{open}快递员态度太差了，我就问了句能不能送上楼，直接骂人。{close}"),
        chat("{open}外卖超时{minutes}了还没送到，骑手电话也打不通{close}", domains=("takeout",)),
        chat("{open}我们公司{group}个人一起团购的{product}，全部卡在路上{duration}了，没有一个人收到！",
             priority=1, domains=("fruit", "clothing", "shoes", "petfood", "cosmetics")),
        letter("{open}我于{mdate}购买的{product}（订单号{order}），快递单号{track}，物流自{mdate2}起就停在“{city}分拨中心”，"
               "已经{duration}没有更新。快递电话一直占线，网点说不归他们管。麻烦商家联系快递核实包裹是否丢失，如果丢了请尽快补发。{close}",
               subject="物流长时间未更新"),
        call("客户来电反映{product}的快递{duration}了还没送到 单号{track} 一直显示派送中 快递员电话打不通 要求我们催一下"),
    ),
    "return_refund": (
        short("退款怎么还没到"),
        short("{product}想退货"),
        short("退货地址发我一下"),
        chat("{open}{product}{return_reason}，想申请七天无理由退货，{close}"),
        chat("东西没有质量问题，就是{return_reason}，能退吗？"),
        chat("{open}退货{date}就寄回去了，单号{track}，显示已签收，退款怎么还没到账？{close}"),
        chat("{open}{product}{size_return}，想换小一码的，怎么操作？", domains=SIZED),
        chat("{open}退货运费谁承担？{product}{return_reason}"),
        chat("{open}申请仅退款被拒了，{product}我还没拆，为什么不能仅退款？{close}"),
        chat("物流显示退货都签收{duration}了，退款呢？{close}"),
        chat("{open}会员自动续费扣了{amount}，我没用过，能退吗？", domains=("vip",)),
        chat("{open}退款原路返回{paymethod}要几天？{date}就显示退款成功了"),
        chat("换货的新{product}什么时候寄出？旧的已经寄回{duration}了{close}"),
        chat("{product}拆了吊牌还能退吗？就试穿了一下", domains=SIZED),
        letter("{open}我于{mdate}收到{product}（订单号{order}），因{return_reason}，当天申请了退货退款并按要求寄回，退货单号{track}。"
               "物流显示商家已于{mdate2}签收，但退款状态一直是“商家处理中”，{amount}至今未到账。请尽快处理。{close}",
               subject="退款未到账"),
        call("客户来电说{product}{return_reason} 想退货 问运费险有没有 已告诉客户在订单页面申请退货 上门取件免费"),
    ),
    "quality": (
        short("{product}是坏的", domains=DURABLE),
        short("收到就坏了"),
        chat("{open}收到的{product}{defect}，{close}"),
        chat("退款！{product}{defect}，{close}", secondary=("return_refund",)),
        chat("用了{duration}，{product}{defect}，这质量也太差了", domains=DURABLE),
        chat("快递挺快的，包装也好好的，但{product}{defect}", domains=SHIPPED),
        chat("你们卖的{product}是假货吧？{fake_evidence}", domains=("phone", "earbuds", "cosmetics", "formula", "shoes")),
        chat("{open}{product}少了{missing}，盒子上明明写了有的{close}", domains=SHIPPED),
        chat("{open}{product}{hazard}！这东西有安全隐患，赶紧下架！{close}", priority=1),
        chat("{open}{product}和详情页描述的不一样，{mismatch}，{close}"),
        chat("{product}收到就是过期的，生产日期{date_old}，怎么能卖过期货？", domains=("formula", "petfood", "cosmetics")),
        chat("{open}{product}有股很重的{smell}味，放了{duration}都散不掉，还能用吗？",
             domains=("clothing", "shoes", "stroller", "laptop")),
        chat("{open}第二次买{product}了，这次{defect}，上次是好的，是不是批次有问题？"),
        chat("我们{group}个人一起在你们家买的{product}，吃完都上吐下泻，有的已经去医院了！",
             priority=1, domains=("fruit", "takeout")),
        chat("不是不想要，是{product}{defect}，退还是换你们看着办{close}", secondary=("return_refund",)),
        letter("{open}我在{mdate}购买了{product}（订单号{order}），{hazard}。{hazard_followup}。"
               "请给出书面解释并承担全部费用，同时办理退货退款。{close}",
               priority=1, secondary=("return_refund",), subject="紧急：产品安全问题"),
        call("客户来电反映{product}{defect} 要求换新 说{date}刚收到 已经拍了照片", secondary=("return_refund",)),
    ),
    "technical": (
        short("{app}打不开"),
        short("验证码收不到"),
        chat("{open}{app}一打开就闪退，手机是{phone_model}，已经重装过了，{close}"),
        chat("{open}登录一直提示“{login_error}”，密码没错啊{close}"),
        chat("不是被盗号，就是登录不上，一直说{login_error}"),
        chat("{open}{product}{tech_issue}，{close}"),
        chat("{open}{app}报错{errcode}，点{feature}的时候出现的"),
        chat("{open}你们{app}是不是崩了？全网都在说打不开，我们公司{group}个人都登不上！", priority=1),
        chat("{open}我们整个小区的宽带从{time}开始全断了，{group}户都上不了网，{close}", priority=1),
        chat("{product}怎么{howto}？说明书看不懂", domains=GADGETS),
        chat("{open}{app}里的{feature}一直转圈加载不出来，清了缓存也没用"),
        chat("bug：{app}点{feature}就白屏，{phone_model}"),
        chat("{open}{product}{date}就开通了，显示生效了但手机根本上不了网", domains=("dataplan",)),
        chat("收验证码的手机号没换过，点了{count}次都没收到短信{close}"),
        letter("{open}我在{mdate}购买的{product}，按照说明书操作{setup_issue}。已尝试重启、恢复出厂设置，仍然不行。"
               "想请技术人员远程指导一下或安排上门，设备序列号：{serial}。{close}", domains=GADGETS, subject="设备故障求助"),
        call("客户来电说{product}{tech_issue} 已经指导客户重启 还是不行 客户要求派师傅上门看",
             domains=GADGETS + ("broadband",)),
    ),
    "account_security": (
        short("我账号被盗了"),
        short("号被别人登了"),
        chat("{open}收到短信说我的账号在{city2}登录了，我人在{city}，{close}"),
        chat("{open}我没改过密码，怎么突然提示密码已修改？是不是被盗了？{close}"),
        chat("{open}账号被盗了！有人用我的号下了{qty}单{product}，扣了{amount}，收货地址根本不是我的！{close}",
             priority=1, secondary=("payment",), domains=SHIPPED),
        chat("{open}订单里多了一单{product}，不是我买的，地址是{city2}的，还没付款{close}", domains=SHIPPED),
        chat("不是登录不上，是我的号被别人登录了，还把绑定手机换了"),
        chat("{open}有人打电话说是你们客服，能说出我的订单号和买的{product}，让我点链接退款，是不是信息泄露了？{close}", domains=SHIPPED),
        chat("{open}接到冒充你们客服的电话，报出了我订单{order}的信息，我信了转了{amount}过去，现在人联系不上了！{close}",
             priority=1),
        chat("{open}我的收货地址和电话被人改了，不是我改的，{close}"),
        chat("{open}为什么我的{product}账号在{count}台陌生设备上登录？会员是我自己花钱买的", domains=("vip",)),
        chat("刚收到一个登录验证码，我根本没操作过，是有人在试我的号吗{close}"),
        chat("{open}积分被人盗刷了，{points}积分全兑换了东西，不是我操作的"),
        chat("{paymethod}收到扣款通知{amount}，我根本没在你们这买东西，账号是不是被盗了？", priority=1, secondary=("payment",)),
        letter("{open}本人账号（绑定手机{phone}）于{mdate}凌晨被他人登录，修改了密码和收货地址，并用绑定的{paymethod}下单{product}，"
               "金额{amount}。本人已报警，回执编号{police_no}。请立即冻结账号、拦截订单并协助追回款项。{close}",
               priority=1, secondary=("payment",), domains=SHIPPED, subject="紧急：账号被盗"),
        call("客户来电说账号{date}被人登录了 手机号也被改了 现在登不上 要求冻结账号 已核实身份 提交安全组"),
    ),
    "service_complaint": (
        short("客服不回消息"),
        short("转人工一直是机器人"),
        short("你们客服态度太差了"),
        chat("{open}客服{agent}说话阴阳怪气的，问两句就不耐烦，{close}"),
        chat("{open}一个问题被转了{count}个客服，每个都让我找别人，踢皮球是吧？{close}"),
        chat("{open}留言{duration}了没人回，你们客服是摆设吗？"),
        chat("{open}上次客服答应{date}之前给我回电话，结果到现在都没人联系我。{close}"),
        chat("{open}打了{count}次电话，每次聊到一半就被挂断，{close}"),
        chat("快递慢我能理解，但客服{duration}不回消息算怎么回事？{close}", secondary=("logistics",)),
        chat("退款的事先不说，你们客服直接挂我电话是什么意思？{close}", secondary=("return_refund",)),
        chat("{open}人工客服在哪？一直是机器人{robot_reply}"),
        chat("{open}你们客服说话不算数，说好给我{promise_item}，现在又说没有这回事{close}"),
        chat("客服{agent}，工号{agent_id}，服务态度极差，要求处理{close}"),
        chat("{open}排队等了{minutes}才接通，接通了一句“稍等”就再也没回来"),
        letter("{open}我就{product}的售后问题联系贵店客服已经{count}次了。第一次客服{agent}说{promise}，第二次换了人又说要重新提交，"
               "昨天再问直接不回复了。我理解流程需要时间，但一直被推来推去，没人给明确答复。请安排主管联系我，电话{phone}。{close}",
               subject="投诉客服处理问题"),
        call("客户来电投诉客服{agent} 说之前咨询{product}的问题 客服态度很差还挂电话 客户情绪比较激动 要求道歉"),
    ),
    "price_promotion": (
        short("能价保吗"),
        short("赠品没送"),
        short("优惠券用不了"),
        chat("{open}{date}买的{product}，今天降价了{diff}，能补差价吗？{close}"),
        chat("不是要退货，就是{product}买完就降了{diff}，差价能退吗"),
        chat("{open}满{threshold}减{discount}怎么没减？我凑了{paid}元{close}"),
        chat("{open}领了{coupon}，下单的时候显示不可用，{close}"),
        chat("{open}详情页写着送{gift}，收到的{product}里什么都没有{close}", domains=SHIPPED),
        chat("{open}我是{member_level}会员，为什么{product}结算时没有会员价？"),
        chat("{open}积分怎么抵现？我有{points}积分，下单时没有抵扣选项"),
        chat("{open}{promo_name}的规则看不懂，{product}到底怎么买最划算？"),
        chat("{open}新人券为什么领不了？我是第一次在你们家买{close}"),
        chat("{open}同事{date}买的{product}比我便宜{diff}，同一家店凭什么？"),
        chat("说好的第二件半价，{product}两件结算都是原价{close}", domains=SHIPPED),
        chat("{open}直播间说前{count}名下单送{gift}，我是第{rank}个拍的，赠品呢？"),
        letter("{open}我于{mdate}以{amount}购买了{product}（订单号{order}），页面承诺“30天价保”。{mdate2}同款降到{amount_low}，"
               "我申请价保却被系统驳回，理由是“活动价不参与价保”，但下单时页面并没有任何说明。请核实并补偿差价。{close}",
               subject="申请价保"),
        call("客户来电说{product}下单时用了优惠券 但是结算金额没变 订单{order} 要求补发券或者退差价"),
    ),
    "feedback": (
        short("东西不错，五星"),
        short("{product}很好用，好评", domains=DURABLE + ("cosmetics",)),
        chat("{open}建议你们App加一个{feature_req}的功能，每次都要{pain}太麻烦了"),
        chat("{open}{product}收到了，{praise}，客服{agent}也很耐心，点赞！", domains=SHIPPED),
        chat("我给的差评怎么被删了？我只是如实写了{review_fact}", priority=3),
        chat("{open}商家打电话让我把差评改成好评，说返我{cashback}，这样合适吗？", priority=3),
        chat("{open}{product}包裹里夹了张卡，晒图五星返{cashback}，这不是诱导好评吗？", priority=3, domains=SHIPPED),
        chat("提个小建议：{suggestion}"),
        chat("{open}{product}整体还行，就是{gripe}，希望下次改进"),
        chat("不是投诉哈，就是提个建议：{suggestion}"),
        chat("{product}回购第{count}次了，{praise}{close}"),
        chat("{open}希望{product}能出个{variant}{close}", domains=("cosmetics", "petfood", "formula", "fruit")),
        chat("客服{agent}态度特别好，一点都不敷衍，必须夸一下"),
        chat("{open}你们{app}的{feature}改版以后好难用，能不能改回去？"),
        letter("{open}作为用了你们家{years}年的老顾客，想提几点建议：一是{suggestion}；二是{suggestion2}；三是希望{app}能加{feature_req}。"
               "希望能被采纳，越做越好。{close}", subject="几点建议"),
        call("客户来电表扬客服{agent} 说上次{product}的问题处理得很及时 希望给这位客服加分"),
    ),
}

# Clauses that add a second problem (its category goes to `secondary`).
ADDON_CLAUSES: dict[str, tuple[str, ...]] = {
    "presale": ("另外想问下这款有没有大一号的", "顺便问下还有别的颜色吗"),
    "order_status": ("顺便问下我另一单{order2}发货没", "对了，{order2}那单也帮我看看到哪了"),
    "order_change": ("另外另一单地址想改成{address}", "还有一单还没发的帮我取消掉"),
    "payment": ("另外发票麻烦开一下，抬头{company}", "顺便问下能不能开电子发票", "还有上次那单好像扣了两次钱"),
    "logistics": ("而且快递也太慢了，{duration}才到", "快递员还直接扔门口不打电话"),
    "return_refund": ("不行就给我退了吧", "我想直接退货退款", "退货运费谁出？"),
    "quality": ("打开一看东西本身也有问题", "而且收到的东西也有瑕疵"),
    "technical": ("而且你们App一直闪退，申请页面都打不开", "App上提交一直报错"),
    "account_security": ("还有最近老收到异地登录的短信，是不是号有问题",),
    "service_complaint": ("问了客服两天都没人回", "之前的客服答应回电话也没打", "机器人客服车轱辘话来回说"),
    "price_promotion": ("还有下单时优惠券没用上", "另外今天又降价了，能不能价保"),
    "feedback": ("另外建议你们App加个修改地址的入口", "提个建议，客服入口太难找了"),
}
# Before buying, the generic clauses above would not fit ("下单时优惠券没用上"): presale gets its own.
ADDON_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    ("presale", "price_promotion"): ("另外现在下单有什么优惠券吗", "满减活动是怎么算的"),
    ("presale", "payment"): ("另外能开发票吗，公司报销要用", "支持花呗分期吗"),
    ("presale", "order_status"): ("顺便问下我上周拍的{order2}发货没",),
}
COMPOUND_PARTNERS: dict[str, tuple[str, ...]] = {
    "presale": ("order_status", "price_promotion", "payment"),
    "order_status": ("order_change", "payment", "price_promotion", "presale"),
    "order_change": ("payment", "order_status", "price_promotion"),
    "payment": ("order_status", "order_change", "price_promotion", "technical", "service_complaint"),
    "logistics": ("quality", "service_complaint", "return_refund", "order_status"),
    "return_refund": ("logistics", "service_complaint", "payment", "price_promotion"),
    "quality": ("return_refund", "logistics", "service_complaint"),
    "technical": ("account_security", "payment", "feedback", "service_complaint"),
    "account_security": ("payment", "technical", "service_complaint"),
    "service_complaint": ("logistics", "return_refund", "quality", "technical"),
    "price_promotion": ("return_refund", "service_complaint", "order_change", "feedback"),
    "feedback": ("technical", "logistics", "presale"),
}
SUBJECTS: dict[str, tuple[str, ...]] = {
    "presale": ("咨询{product}", "购买前咨询", "关于{product}的几个问题"),
    "order_status": ("订单发货咨询", "查询订单状态", "订单{order}"),
    "order_change": ("订单修改", "申请取消订单", "修改订单信息"),
    "payment": ("付款问题", "支付异常", "发票相关"),
    "logistics": ("快递问题反馈", "包裹配送问题", "物流异常"),
    "return_refund": ("退换货", "退款进度", "退货申请"),
    "quality": ("商品质量问题", "收到的{product}有问题", "质量反馈"),
    "technical": ("使用故障", "无法正常使用", "技术支持请求"),
    "account_security": ("账号异常", "账号安全问题", "疑似盗号"),
    "service_complaint": ("投诉客服", "服务态度问题", "对客服的投诉"),
    "price_promotion": ("优惠问题", "价格与优惠咨询", "活动优惠未生效"),
    "feedback": ("建议", "使用反馈", "表扬与建议"),
}
UNCLEAR_BASES = ("在吗", "在不在", "有人吗", "你好", "您好", "hello", "hi", "亲", "客服", "人工", "转人工", "请问",
                 "问个问题", "咨询一下", "喂", "哈喽", "老板在吗", "有人在吗", "在线吗", "嗯", "好的", "？", "。。。", "1")
UNCLEAR_SUFFIXES = ("", "？", "~", " 急", "！", "??", "🙏", " 在线等", "。", " ", "？？")

STYLE_CHANNELS: dict[str, tuple[tuple[str, int], ...]] = {
    "short": (("app_chat", 5), ("web_chat", 4), ("wechat", 4), ("marketplace", 4),
              ("douyin", 1), ("xiaohongshu", 1), ("weibo", 1)),
    "chat": (("web_chat", 4), ("app_chat", 4), ("wechat", 4), ("marketplace", 4), ("form", 2), ("ticket", 2),
             ("email", 1), ("weibo", 1), ("douyin", 1), ("xiaohongshu", 1)),
    "long": (("email", 5), ("ticket", 3), ("form", 3), ("web_chat", 1), ("wechat", 1), ("marketplace", 1)),
    "phone": (("phone", 1),),
}


# ---------------------------------------------------------------------------
# Slot filling
# ---------------------------------------------------------------------------

def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def round_price(value: int) -> int:
    """Shop-style prices: 199, 2599, ..."""
    if value < 100:
        return value - value % 10 + 9
    if value < 1000:
        return value - value % 100 + 99 if value % 100 > 50 else value - value % 10 + 9
    return value - value % 100 + 99


def format_amount(rng: random.Random, value: int) -> str:
    """¥199, 299元, 两千多, 1.5k ..."""
    styles = ["yuan_sign", "yuan", "kuai"]
    if value >= 1000:
        styles += ["approx", "k"]
    style = rng.choice(styles)
    if style == "yuan_sign":
        return f"¥{value}"
    if style == "yuan":
        return f"{value}元"
    if style == "kuai":
        return f"{value}块"
    if style == "approx":
        if value >= 10000:
            return f"{CN_DIGITS[value // 10000]}万多"
        return f"{CN_DIGITS[value // 1000]}千多"
    k = f"{value / 1000:.1f}".rstrip("0").rstrip(".")
    return f"{k}k"


class Slots(dict):
    """Fills `{name}` placeholders for one row, consistently (the same name gets the same value).

    `str.format_map` calls `__missing__` for each unseen name, which dispatches to
    `slot_<name>`. Filling a slot can raise the row's priority (`level`) or mark
    it as mentioning a high-value amount (`max_amount`).
    """

    def __init__(self, rng: random.Random, domain: Domain, tone: str) -> None:
        super().__init__()
        self.rng = rng
        self.domain = domain
        self.tone = tone
        self.level = 4
        self.max_amount = 0
        self.price = round_price(rng.randint(*domain.price))

    def __missing__(self, key: str) -> str:
        value = getattr(self, f"slot_{key}")()
        self[key] = value
        return value

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(options)

    def raise_to(self, level: int) -> None:
        self.level = min(self.level, level)

    # -- tone -------------------------------------------------------------
    def slot_open(self) -> str:
        if self.tone == "polite":
            return self.pick(OPEN_POLITE)
        if self.tone in ("impatient", "angry"):
            return self.pick(OPEN_IMPATIENT)
        return self.pick(OPEN_NEUTRAL)

    def slot_close(self) -> str:
        if self.tone == "polite":
            return self.pick(CLOSE_POLITE)
        if self.tone == "angry":
            self.raise_to(2)
            return self.pick(CLOSE_ANGRY)
        return self.pick(CLOSE_NEUTRAL)

    # -- product ----------------------------------------------------------
    def slot_product(self) -> str:
        return self.pick(self.domain.names)

    def slot_product2(self) -> str:
        first = self["product"]
        return self.pick([n for n in self.domain.names if n != first])

    def slot_question(self) -> str:
        return self.pick(self.domain.questions)

    def slot_question2(self) -> str:
        first = self["question"]
        others = [q for q in self.domain.questions if q != first]
        return self.pick(others)

    def slot_defect(self) -> str:
        return self.pick(self.domain.defects)

    def slot_hazard(self) -> str:
        return self.pick(self.domain.hazards)

    def slot_missing(self) -> str:
        return self.pick(self.domain.missing)

    def slot_change(self) -> str:
        return self.pick(self.domain.changes)

    def slot_size_swap(self) -> str:
        a, b = self.rng.sample(self.domain.sizes, 2)
        return f"{a}码改成{b}码"

    def slot_size_return(self) -> str:
        return self.pick(("买大了", "码数偏大", "上身太宽松"))

    def slot_mismatch(self) -> str:
        return self.pick(self.domain.mismatch)

    def slot_tech_issue(self) -> str:
        return self.pick(self.domain.tech)

    def slot_howto(self) -> str:
        return self.pick(self.domain.howto)

    def slot_return_reason(self) -> str:
        pool = SIZED_RETURN_REASONS + RETURN_REASONS if self.domain.sizes else RETURN_REASONS
        return self.pick(pool)

    # -- identifiers --------------------------------------------------------
    def _order_number(self) -> str:
        if self.rng.random() < 0.7:
            n = self.rng.choice((18, 19))
            return str(self.rng.randint(1, 9)) + digits(self.rng, n - 1)
        month, day = self.rng.randint(10, 11), self.rng.randint(1, 28)
        return f"DD2026{month}{day:02d}{digits(self.rng, self.rng.choice((4, 5, 6)))}"

    def slot_order(self) -> str:
        return self._order_number()

    def slot_order2(self) -> str:
        return self._order_number()

    def slot_track(self) -> str:
        kind = self.rng.randrange(4)
        if kind == 0:
            return "SF" + digits(self.rng, 12)
        if kind == 1:
            return "JDVA" + digits(self.rng, 11)
        if kind == 2:
            return "YT" + digits(self.rng, 13)
        return "中通 " + digits(self.rng, 14)

    def slot_phone(self) -> str:
        return self.pick(("138", "139", "186", "152", "177")) + digits(self.rng, 8)

    def slot_taxid(self) -> str:
        return "91" + digits(self.rng, 4) + "MA" + digits(self.rng, 10)

    def slot_serial(self) -> str:
        return "SN" + digits(self.rng, 10)

    def slot_police_no(self) -> str:
        return "A" + digits(self.rng, 12)

    def slot_agent_id(self) -> str:
        return digits(self.rng, 4)

    def slot_email(self) -> str:
        user = self.pick(("finance", "caiwu", "admin", "zhang.li", "wang88"))
        return f"{user}@{self.pick(('163.com', 'qq.com', 'company.cn'))}"

    # -- people and places ----------------------------------------------------
    def slot_city(self) -> str:
        return self.pick(CITIES)

    def slot_city2(self) -> str:
        return self.pick([c for c in CITIES if c != self["city"]])

    def slot_address(self) -> str:
        city, street = self.rng.choice(STREETS)
        building, room = self.rng.randint(1, 30), self.rng.randint(101, 2808)
        return f"{city}市{street}{self.rng.randint(1, 300)}号{building}栋{room}"

    def slot_address_old(self) -> str:
        return f"{self.rng.choice(STREETS)[1]}{self.rng.randint(1, 300)}号"

    def slot_name(self) -> str:
        return self.pick(SURNAMES) + self.pick(("先生", "女士", self.pick(GIVEN), self.pick(GIVEN) + self.pick(GIVEN)))

    def slot_company(self) -> str:
        return self.pick(COMPANY_PREFIX) + self.pick(COMPANY_CORE) + self.pick(COMPANY_KIND)

    def slot_relation(self) -> str:
        return self.pick(RELATIONS)

    def slot_origin(self) -> str:
        return self.pick(LOCATIONS)

    def slot_wrong_point(self) -> str:
        return self.pick(WRONG_POINTS)

    # -- time -----------------------------------------------------------------
    def slot_date(self) -> str:
        if self.rng.random() < 0.5:
            return self.pick(RELATIVE_DATES)
        return f"{self.rng.randint(10, 11)}月{self.rng.randint(1, 28)}号"

    def _month_day(self) -> tuple[int, int]:
        return self.rng.randint(10, 11), self.rng.randint(1, 20)

    def slot_mdate(self) -> str:
        month, day = self._month_day()
        self["_md"] = f"{month}-{day}"
        return f"{month}月{day}日"

    def slot_mdate2(self) -> str:
        month, day = (int(x) for x in self["_md"].split("-")) if "_md" in self else self._month_day()
        return f"{month}月{day + self.rng.randint(2, 8)}日"

    def slot_date_old(self) -> str:
        return f"2024年{self.rng.randint(1, 12)}月"

    def slot_date_future(self) -> str:
        return self.pick(("下周一", "11月20号", "月底", "这周末", "下个月5号"))

    def slot_duration(self) -> str:
        return self.pick(DURATIONS)

    def slot_minutes(self) -> str:
        return self.pick(("四十分钟", "一个小时", "50分钟", "一个半小时"))

    def slot_time(self) -> str:
        return self.pick(TIMES)

    def slot_years(self) -> str:
        return self.pick(("三", "五", "七", "十"))

    # -- money ----------------------------------------------------------------
    def slot_amount(self) -> str:
        self.max_amount = max(self.max_amount, self.price)
        return format_amount(self.rng, self.price)

    def _diff_value(self) -> int:
        if "_diff" not in self:
            self["_diff"] = str(max(5, round(self.price * self.rng.uniform(0.05, 0.25))))
        return int(self["_diff"])

    def slot_diff(self) -> str:
        value = self._diff_value()
        return self.pick((f"{value}块", f"{value}元", f"¥{value}"))

    def slot_amount_low(self) -> str:
        return format_amount(self.rng, self.price - self._diff_value())

    def slot_fee(self) -> str:
        return self.pick(COURIER_FEES)

    def slot_cashback(self) -> str:
        return self.pick(CASHBACKS)

    def slot_threshold(self) -> str:
        value = self.pick(("199", "299", "399", "599"))
        self["_paid"] = str(int(value) + self.rng.randint(1, 120))
        return value

    def slot_discount(self) -> str:
        return self.pick(("20", "30", "50", "80"))

    def slot_paid(self) -> str:
        return self["_paid"] if "_paid" in self else str(self.rng.randint(300, 700))

    def slot_coupon(self) -> str:
        return self.pick(("满200减30的券", "店铺无门槛5元券", "品类券", "平台跨店券", "会员专享券"))

    def slot_points(self) -> str:
        return str(self.rng.choice((800, 1200, 3000, 5600, 12000)))

    def slot_installment(self) -> str:
        return self.pick(("花呗分期", "信用卡分期", "白条分期", "12期免息"))

    def slot_paymethod(self) -> str:
        return self.pick(PAY_METHODS)

    def slot_pay_error(self) -> str:
        return self.pick(PAY_ERRORS)

    def slot_invoice_type(self) -> str:
        return self.pick(INVOICE_TYPES)

    # -- counts ---------------------------------------------------------------
    def slot_qty(self) -> str:
        return self.pick(("两", "三", "2", "5"))

    def slot_qty2(self) -> str:
        return self.pick(("一", "4", "六", "10"))

    def slot_count(self) -> str:
        return self.pick(("三", "四", "5", "六", "好几"))

    def slot_rank(self) -> str:
        return str(self.rng.randint(3, 40))

    def slot_group(self) -> str:
        return self.pick(GROUPS)

    # -- misc phrases -------------------------------------------------------
    def slot_transit_damage(self) -> str:
        return self.pick(TRANSIT_DAMAGE)

    def slot_cancel_reason(self) -> str:
        return self.pick(CANCEL_REASONS)

    def slot_note(self) -> str:
        return self.pick(NOTES)

    def slot_login_error(self) -> str:
        return self.pick(LOGIN_ERRORS)

    def slot_app(self) -> str:
        return self.pick(APPS)

    def slot_feature(self) -> str:
        return self.pick(APP_FEATURES)

    def slot_errcode(self) -> str:
        return self.pick(ERROR_CODES)

    def slot_phone_model(self) -> str:
        return self.pick(PHONE_MODELS)

    def slot_setup_issue(self) -> str:
        return self.pick(SETUP_ISSUES)

    def slot_usage(self) -> str:
        return self.pick(("日常", "上网课", "出差", "打游戏", "办公"))

    def slot_agent(self) -> str:
        return self.pick(AGENTS)

    def slot_promise(self) -> str:
        return self.pick(PROMISES)

    def slot_promise_item(self) -> str:
        return self.pick(PROMISE_ITEMS)

    def slot_robot_reply(self) -> str:
        return self.pick(ROBOT_REPLIES)

    def slot_gift(self) -> str:
        return self.pick(GIFTS)

    def slot_member_level(self) -> str:
        return self.pick(MEMBER_LEVELS)

    def slot_promo_name(self) -> str:
        return self.pick(PROMO_NAMES)

    def slot_feature_req(self) -> str:
        return self.pick(FEATURE_REQS)

    def slot_pain(self) -> str:
        return self.pick(PAINS)

    def slot_praise(self) -> str:
        return self.pick(PRAISES)

    def slot_review_fact(self) -> str:
        return self.pick(REVIEW_FACTS)

    def slot_suggestion(self) -> str:
        return self.pick(SUGGESTIONS)

    def slot_suggestion2(self) -> str:
        return self.pick([s for s in SUGGESTIONS if s != self["suggestion"]])

    def slot_gripe(self) -> str:
        return self.pick(GRIPES)

    def slot_variant(self) -> str:
        return self.pick(VARIANTS)

    def slot_hazard_followup(self) -> str:
        return self.pick(HAZARD_FOLLOWUPS)

    def slot_fake_evidence(self) -> str:
        return self.pick(FAKE_EVIDENCE)

    def slot_smell(self) -> str:
        return self.pick(SMELLS)

    def slot_fragile(self) -> str:
        return self.pick(FRAGILE)


# ---------------------------------------------------------------------------
# Building one row
# ---------------------------------------------------------------------------

@dataclass
class Row:
    text: str
    category: str
    secondary: list[str]
    priority: int
    channel: str
    subject: str | None = None
    tone: str = "neutral"                  # not written; steers which noise fits

    def to_json(self) -> str:
        obj: dict[str, object] = {"text": self.text, "category": self.category, "secondary": self.secondary,
                                  "priority": f"P{self.priority}", "channel": self.channel, "source": "template"}
        if self.subject:
            obj["subject"] = self.subject
        return json.dumps(obj, ensure_ascii=False)


def placeholders(pattern: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", pattern)


def eligible_domains(template: Template, category: str) -> list[Domain]:
    """Domains whose vocabulary covers every placeholder of the template."""
    keys = template.domains or tuple(DOMAIN_BY_KEY)
    needs = {PLACEHOLDER_NEEDS[p] for p in placeholders(template.pattern) if p in PLACEHOLDER_NEEDS}
    if template.domains is None:
        needs |= set(CATEGORY_NEEDS.get(category, ()))
    return [d for d in (DOMAIN_BY_KEY[k] for k in keys) if all(getattr(d, attr) for attr in needs)]


def choose_tone(rng: random.Random, category: str) -> str:
    if category in LOW_PRIORITY:
        return rng.choices(("polite", "neutral"), weights=(55, 45))[0]
    if category == "service_complaint":
        return rng.choices(("polite", "neutral", "impatient", "angry"), weights=(20, 30, 30, 20))[0]
    return rng.choices(("polite", "neutral", "impatient", "angry"), weights=(40, 35, 13, 12))[0]


def choose_channel(rng: random.Random, style: str) -> str:
    names, weights = zip(*STYLE_CHANNELS[style])
    return rng.choices(names, weights=weights)[0]


def with_addon(pattern: str, clause: str) -> str:
    """Insert a second-problem clause before the closing (or at the end)."""
    head, sep, tail = pattern.partition("{close}")
    head = head.rstrip()
    joiner = "" if head.endswith(("，", "。", "？", "！", "~", " ")) else "，"
    return f"{head}{joiner}{clause}。{sep}{tail}"


def tidy(text: str) -> str:
    """Repair punctuation left by empty slots (e.g. "，，" or "，。")."""
    text = re.sub(r"，+", "，", text)
    text = re.sub(r"，([。？！?])", r"\1", text)
    text = re.sub(r"([。？！])。", r"\1", text)
    return text.strip().strip("，").strip()


def run_on(text: str) -> str:
    """Speech-to-text style for phone notes: no punctuation, words run on."""
    return re.sub(r"\s+", " ", re.sub(r"[，。！？；、：“”]", " ", text)).strip()


def fill(pattern: str, slots: Slots) -> str:
    """Fill placeholders; a closing that follows a bare word gets a comma first (removed by `tidy` if empty)."""
    pattern = re.sub(r"(?<![，。？！~\s])\{close\}", "，{close}", pattern)
    return pattern.format_map(slots)


def choose_subject(rng: random.Random, template: Template, category: str, slots: Slots) -> str:
    pattern = template.subject or rng.choice(SUBJECTS[category])
    subject = fill(pattern, slots)
    if slots.level == 1 and not subject.startswith("紧急"):
        subject = "紧急：" + subject
    return subject


def build_row(rng: random.Random, category: str) -> Row:
    """Fill one random template of the category, with tone, compound clause and media threat."""
    template = rng.choice(TEMPLATES[category])
    domain = rng.choice(eligible_domains(template, category))
    media = category in MEDIA_CATEGORIES and template.style in ("chat", "long") and rng.random() < P_MEDIA
    tone = template.tone or ("impatient" if media else choose_tone(rng, category))
    slots = Slots(rng, domain, tone)
    pattern = template.pattern
    secondary = [s for s in template.secondary]

    if template.style != "short" and rng.random() < P_COMPOUND:
        partner = rng.choice([c for c in COMPOUND_PARTNERS[category] if c not in secondary])
        clauses = ADDON_OVERRIDES.get((category, partner), ADDON_CLAUSES[partner])
        pattern = with_addon(pattern, rng.choice(clauses))
        secondary.append(partner)

    channel = choose_channel(rng, template.style)
    if media:
        pattern = pattern.replace("{close}", "")
        channel = rng.choice(SOCIAL_CHANNELS)

    text = tidy(fill(pattern, slots))
    if media:
        threat = rng.choice(MEDIA_THREATS[channel] + MEDIA_THREATS["any"])
        text = text.rstrip("。") + ("" if text.endswith(("！", "？")) else "，") + threat + "！"
        slots.raise_to(1)
    if template.style == "phone":
        text = run_on(text)

    level = 4 if category in LOW_PRIORITY else 3
    if category == "service_complaint":
        level = 2
    if template.priority is not None:
        level = min(level, template.priority)
    if category in VALUE_SENSITIVE and slots.max_amount >= HIGH_VALUE:
        level = min(level, 2)
    level = min(level, slots.level)

    subject = None
    if channel == "email" or (channel == "ticket" and rng.random() < 0.6):
        subject = choose_subject(rng, template, category, slots)
    return Row(text, category, secondary, level, channel, subject, tone)


# ---------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------

_S2T = opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _S2T.convert(text)


def add_typo(rng: random.Random, text: str) -> str:
    options = [(a, b) for a, b in TYPOS if a in text]
    if not options:
        return text
    a, b = rng.choice(options)
    return text.replace(a, b, 1)


def add_emoji(rng: random.Random, text: str, tone: str) -> str:
    pool = EMOJI_ANGRY if tone in ("impatient", "angry") else EMOJI_MILD
    emoji = rng.choice(pool) * rng.choice((1, 1, 2, 3))
    cut = text.find("，")
    if cut > 0 and rng.random() < 0.4:
        return text[:cut] + emoji + text[cut:]
    return text + emoji


def to_fullwidth_digits(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def add_spacing(rng: random.Random, text: str, category: str, tone: str) -> tuple[str, bool]:
    """Extra spaces, or repeated punctuation. Returns (text, is_strong_anger).

    Repeated ！！！/？？？ reads as strong anger (P2), so it is only used for
    non-polite rows of problem categories; elsewhere mild variants are used.
    """
    calm = category in LOW_PRIORITY or tone == "polite"
    if calm or rng.random() < 0.45:
        if "，" in text and rng.random() < 0.6:
            return text.replace("，", rng.choice(("  ", " ， ", "， ")), 1), False
        if calm:
            return text.rstrip("。？！?") + rng.choice(("??", "~~", "。。。")), False
        cut = rng.randrange(1, max(2, len(text)))
        return text[:cut] + "  " + text[cut:], False
    mark = "？？？" if text.endswith(("？", "?", "吗", "呢")) else "！！！"
    return text.rstrip("。？！?!") + mark, True


def add_slang(rng: random.Random, text: str, category: str) -> str:
    pool = SLANG_GOOD if category in LOW_PRIORITY else SLANG_BAD
    joiner = " " if text.endswith(("？", "！", "。", "~", "?", "!")) else rng.choice((" ", "，"))
    return text + joiner + rng.choice(pool)


def add_english(rng: random.Random, text: str, category: str) -> str:
    options = [(a, b) for a, b in ENGLISH
               if a in text and (b not in ("bug", "报bug") or category in ENGLISH_BUG_CATEGORIES)]
    if not options:
        return text
    a, b = rng.choice(options)
    return text.replace(a, b, 1)


def apply_noise(rng: random.Random, row: Row, stats: Counter) -> None:
    """Independently apply each noise transform with its own probability (in place)."""
    def hit(name: str, before: str) -> None:
        if row.text != before:
            stats[name] += 1

    if rng.random() < P_TYPO:
        before = row.text
        row.text = add_typo(rng, row.text)
        hit("typo", before)
    if rng.random() < P_ENGLISH:
        before = row.text
        row.text = add_english(rng, row.text, row.category)
        hit("english", before)
    if rng.random() < P_SLANG and row.category != "unclear":
        before = row.text
        row.text = add_slang(rng, row.text, row.category)
        hit("slang", before)
    if rng.random() < P_SPACING and row.channel != "phone" and row.category != "unclear":
        before = row.text
        row.text, angry = add_spacing(rng, row.text, row.category, row.tone)
        if angry:
            row.priority = min(row.priority, 2)
        hit("spacing", before)
    if rng.random() < P_EMOJI and row.channel != "phone":
        before = row.text
        row.text = add_emoji(rng, row.text, row.tone)
        hit("emoji", before)
    if rng.random() < P_FULLWIDTH:
        before = row.text
        row.text = to_fullwidth_digits(row.text)
        hit("fullwidth", before)
    if rng.random() < P_TRADITIONAL:
        before = row.text
        row.text = to_traditional(row.text)
        if row.subject:
            row.subject = to_traditional(row.subject)
        hit("traditional", before)


# ---------------------------------------------------------------------------
# Whole corpus
# ---------------------------------------------------------------------------

def unclear_row(rng: random.Random) -> Row:
    text = (rng.choice(UNCLEAR_BASES) + rng.choice(UNCLEAR_SUFFIXES)).strip()
    if rng.random() < 0.12:
        text = to_traditional(text)
    channel = choose_channel(rng, "short")
    return Row(text, "unclear", [], 4, channel, tone="neutral")


def unique_rows(rng: random.Random, make: Callable[[], Row], count: int, seen: set[str]) -> list[Row]:
    """Call `make` until `count` rows with unseen texts exist (bounded attempts per row)."""
    rows: list[Row] = []
    for _ in range(count):
        for _attempt in range(MAX_ATTEMPTS):
            row = make()
            if row.text and row.text not in seen:
                seen.add(row.text)
                rows.append(row)
                break
        else:
            raise RuntimeError(f"could not find an unseen text after {MAX_ATTEMPTS} attempts")
    return rows


def generate(seed: int = SEED) -> tuple[list[Row], Counter]:
    """All rows, shuffled, plus counts of how many rows each noise transform changed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    stats: Counter = Counter()
    rows: list[Row] = []

    def noisy(category: str) -> Callable[[], Row]:
        def make() -> Row:
            row = build_row(rng, category)
            apply_noise(rng, row, stats)
            return row
        return make

    for category in CATEGORIES:
        rows += unique_rows(rng, noisy(category), ROWS_PER_CATEGORY, seen)
    rows += unique_rows(rng, lambda: unclear_row(rng), UNCLEAR_ROWS, seen)
    rng.shuffle(rows)
    return rows, stats


def write(rows: list[Row], path: Path = OUT_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(row.to_json() + "\n")


def main() -> None:
    rows, _stats = generate()
    write(rows)
    counts = Counter(row.category for row in rows)
    for category in CATEGORIES + ("unclear",):
        print(f"{category:18} {counts[category]}")
    print(f"{'total':18} {len(rows)}  → {OUT_PATH}")


if __name__ == "__main__":
    main()
