"""Rule packs: validation with locations, the rule language, keyword matching, extends."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from triage import Request, RuleError
from triage.pack import default_pack_path, load_pack

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def make_pack(tmp_path: Path, rules: str, *, extends: bool = True, extra: str = "") -> Path:
    """A pack that extends the default one with a rules.yaml of our own."""
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    head = "extends: default\n" if extends else ""
    (tmp_path / "pack.yaml").write_text(f"name: test\nversion: '1'\n{head}include: [rules.yaml]\n{extra}",
                                        encoding="utf-8")
    return tmp_path


def problems(path: Path) -> list[str]:
    with pytest.raises(RuleError) as info:
        load_pack(path)
    return [str(p) for p in info.value.problems]


def test_default_pack_loads() -> None:
    pack = load_pack()
    assert pack.name == "default" and pack.review_queue == "人工复核"
    assert set(pack.categories) >= {"presale", "logistics", "service_complaint", "feedback"}
    assert {r.stage for r in pack.rules} == {"tags", "priority", "routing"}
    assert pack.channel_type("wechat") == "instant" and pack.channel_type("weibo") == "social"
    assert pack.channel_type("carrier-pigeon") == "async"


def test_errors_name_file_line_column_and_rule_all_at_once(tmp_path: Path) -> None:
    path = make_pack(tmp_path, """\
        priority:
          - id: typo_priority
            when: {text: [投诉]}
            then: {raise_to: P5}
          - id: norway
            when: {tier: NO}
            then: {priority: NO}
          - id: unknown_queue
            when: {category: logistics}
            then: {queue: 不存在的组}
          - id: bad_condition
            when: {colour: red}
            then: {raise_to: P2}
          - id: typo_priority
            then: {raise_to: P2}
        """)
    found = problems(path)
    rules_file = str(path / "rules.yaml")
    assert any(p.startswith(f"{rules_file}:4:") and "'typo_priority'" in p and "P5" in p for p in found), found
    assert any(f"{rules_file}:7:" in p and "priority must be one of P1, P2, P3, P4; got 'NO'" in p for p in found)
    assert any(f"{rules_file}:10:" in p and "unknown queue '不存在的组'" in p for p in found)
    assert any(f"{rules_file}:12:" in p and "unknown condition 'colour'" in p for p in found)
    assert any(f"{rules_file}:14:" in p and "duplicate rule id 'typo_priority'" in p for p in found)
    assert len(found) == 5


@pytest.mark.parametrize("rules, message", [
    ("routing:\n  - id: a\n    when: {regex: '(a)\\1'}\n    then: {queue: 售前组}\n", "linear-time engine"),
    ("routing:\n  - id: a\n    when: {text: ['@nosuchset']}\n    then: {queue: 售前组}\n", "unknown keyword set"),
    ("routing:\n  - id: a\n    when: {category: logistic}\n    then: {queue: 售前组}\n", "unknown category 'logistic'"),
    ("routing:\n  - id: a\n    when: {tags: [no_such_tag]}\n    then: {queue: 售前组}\n", "unknown tag 'no_such_tag'"),
    ("routing:\n  - id: a\n    when: {needs_review: yes}\n    then: {queue: 售前组}\n", "must be true or false"),
    ("routing:\n  - id: a\n    when: {amount: {gte: lots}}\n    then: {queue: 售前组}\n", "needs a number"),
    ("routing:\n  - id: a\n    when: {channel: wechat}\n", "no 'then'"),
    ("tags:\n  - &x {id: a, then: {add_tags: [x]}}\n  - *x\n", "anchors and aliases"),
    ("tags:\n  - id: a\n    id: b\n    then: {add_tags: [x]}\n", "duplicate key 'id'"),
    ("tags:\n  - id: a\n    then: {add_tags: [x]\n", "not valid YAML"),
    ("bogus_section: 1\n", "unknown section 'bogus_section'"),
    ("sla_policies:\n  - id: s\n    calendar: business\n    targets: {resolution: 3 weeks}\n", "duration"),
    ("priority:\n  - id: a\n    when: {predicted_priority: P3}\n    then: {raise_to: P2}\n", "covers P1 and P2"),
    ("tags:\n  - id: a\n    when: {text: {none: [a], not_within: [b]}}\n    then: {add_tags: [x]}\n",
     "not_within needs an any or all list"),
    ("tags:\n  - id: a\n    when: {text: {any: [a], except: [b]}}\n    then: {add_tags: [x]}\n",
     "expected any, all, none or not_within"),
    ("priority:\n  - id: a\n    when: {predicted_priority: {at_least: P1, probability: 2}}\n    then: {raise_to: P1}\n",
     "probability in (0, 1]"),
])
def test_each_mistake_is_reported_with_its_line(tmp_path: Path, rules: str, message: str) -> None:
    found = problems(make_pack(tmp_path, rules))
    assert any(message in p for p in found), found
    assert all(":" in p.split(" ")[0] for p in found)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = make_pack(tmp_path, "tags: []\n" + "# padding\n" * 120_000)
    assert any("limit" in p for p in problems(path))


def test_override_and_disable_base_rules(tmp_path: Path) -> None:
    path = make_pack(tmp_path, """\
        priority:
          - id: p2_high_value          # same id as the default rule: replaces it in place
            description: 高价值订单 (≥ ¥1000)
            when: {amount: {gte: 1000}, not: {category: [presale, feedback]}}
            then: {raise_to: P2}
        routing:
          - id: my_vip_desk
            when: {customer_id: [c-42]}
            then: {queue: 资深客服, stop: true}
        """, extra="disable: [vip_green_channel]\n")
    t = triage.load(rules=path)
    d = t.triage(Request(text="耳机左耳没声音，要换货", order=triage.Order(amount=1500), received_at=NOW))
    assert d.priority == "P2"
    assert any(r.source == "p2_high_value" and "1000" in r.message for r in d.reasons)
    vip = t.triage(Request(text="耳机左耳没声音", customer=triage.Customer(id="c-9", tier="vip"), received_at=NOW))
    assert vip.queue != "资深客服"  # the green-channel rule is disabled
    mine = t.triage(Request(text="耳机左耳没声音", customer=triage.Customer(id="c-42"), received_at=NOW))
    assert mine.queue == "资深客服"
    assert [r.id for r in load_pack(path).rules].count("p2_high_value") == 1


def test_keywords_match_traditional_fullwidth_and_report_positions(triager: triage.Triager) -> None:
    text = "你們再不處理我就去１２３１５投訴"
    d = triager.triage(Request(text=text, received_at=NOW))
    assert "threat_regulator" in d.tags
    reason = next(r for r in d.reasons if r.source == "threat_regulator")
    ev = reason.evidence[0]
    assert text[ev.start:ev.end] == "１２３１５"


def test_ascii_keywords_match_whole_words_only(tmp_path: Path) -> None:
    path = make_pack(tmp_path, """\
        tags:
          - id: rude
            when: {text: [sb]}
            then: {add_tags: [rude]}
        """)
    t = triage.load(rules=path)
    assert "rude" in t.triage(Request(text="你们客服是sb吗", received_at=NOW)).tags
    assert "rude" not in t.triage(Request(text="我的usb线坏了", received_at=NOW)).tags


def test_not_within_discounts_only_the_matches_inside_a_phrase(tmp_path: Path) -> None:
    """`none` stands the rule down for the whole message; `not_within` only for the matches it covers."""
    path = make_pack(tmp_path, """\
        tags:
          - id: boom
            when: {text: {any: [爆炸, 冒烟], not_within: [原地爆炸, 嗓子冒烟]}}
            then: {add_tags: [boom]}
          - id: refund_asked
            when: {text: {all: [退款, 到账], not_within: [不是要退款]}}
            then: {add_tags: [refund_asked]}
        """)
    t = triage.load(rules=path)

    def tags(text: str) -> tuple[str, ...]:
        return t.triage(Request(text=text, received_at=NOW)).tags

    assert "boom" not in tags("辣到原地爆炸，嗓子冒烟，好吃")
    d = t.triage(Request(text="笑到原地爆炸，结果充电宝真的爆炸了", received_at=NOW))
    assert "boom" in d.tags
    evidence = [e for r in d.reasons if r.source == "boom" for e in r.evidence]
    assert [(e.text, e.start) for e in evidence] == [("爆炸", 14)]  # the second one only
    assert "refund_asked" not in tags("不是要退款，钱到账了吗")
    assert "refund_asked" in tags("不是要退款的那单，另一单退款还没到账")


def test_a_product_name_does_not_hide_a_threat_beside_it(triager: triage.Triager) -> None:
    d = triager.triage(Request(text="烟雾报警器半夜一直响，客服也不管，我要报警了", received_at=NOW))
    assert "threat_legal" in d.tags, d.explain()
    assert "threat_legal" not in triager.triage(Request(text="这个烟雾报警器怎么关？", received_at=NOW)).tags


def test_negation_keeps_wants_refund_off(triager: triage.Triager) -> None:
    d = triager.triage(Request(text="不是要退款，只是问下发货没", received_at=NOW))
    assert "wants_refund" not in d.tags
    assert "wants_refund" in triager.triage(Request(text="我要退款", received_at=NOW)).tags


@pytest.mark.parametrize("text, channel, priority, queue", [
    ("收到的电水壶烧水的时候底座冒烟了，差点起火", "wechat", "P1", "危机处理组"),
    ("我的账号被盗了，被盗刷了4000多块钱", "phone", "P1", "安全组"),
    ("你们卖假货！我要曝光你们上热搜", "weibo", "P1", "危机处理组"),
    ("退款十天了还没到账，再不处理我就去12315投诉", "app_chat", "P2", "投诉处理组"),
    # described, not named: symptoms, a scam with money gone, changed credentials plus spending, many users
    ("午饭吃完我们俩都拉了，现在烧到38.5度", "app_chat", "P1", "危机处理组"),
    ("有人自称平台客服，让我开屏幕共享，说是解冻备用金，我转了6800过去", "phone", "P1", "安全组"),
    ("早上发现登录密码被人改了，花呗扣了2680，我根本没操作", "app_chat", "P1", "安全组"),
    ("今天上午我们店里的收银系统全都刷不了会员卡，顾客排长队", "ticket", "P1", "危机处理组"),
    ("买的梯子踩上去就歪了，我妈整个人往后摔，现在腰起不来", "wechat", "P1", "危机处理组"),
    ("对方说是官方售后，要先交保证金才能退款，我转过去了两万多", "phone", "P1", "安全组"),
    ("半夜账号被别人登了，扣了我1500多，根本不是我买的", "app_chat", "P1", "安全组"),
    ("小区群里好多人都在说你们的APP打不开，付不了款", "wechat", "P1", "危机处理组"),
    ("三天没人理，今晚开直播念给网友听你们是怎么糊弄人的", "weibo", "P1", "危机处理组"),
    ("新买的充电宝放在床头，半夜嘭的一声炸了", "wechat", "P1", "危机处理组"),
    (("问几件事：一是发票还没开；二是手机壳有没有黑色的；三是你们的遥控器电池盖太松，"
      "我儿子把纽扣电池吞下去了，现在在医院等着做胃镜"), "app_chat", "P1", "危机处理组"),
])
def test_default_priorities_and_queues(triager: triage.Triager, text: str, channel: str, priority: str,
                                       queue: str) -> None:
    d = triager.triage(Request(text=text, channel=channel, received_at=NOW))
    assert (d.priority, d.queue) == (priority, queue), d.explain()
    assert any(r.stage == "priority" and priority in r.message for r in d.reasons)


def test_high_value_from_the_order_or_from_the_text(triager: triage.Triager) -> None:
    said = triager.triage(Request(text="两万八的相机镜头，收到镜片上有划痕", received_at=NOW))
    assert said.priority == "P2", said.explain()
    why = [r for r in said.reasons if r.source == "p2_high_value"]
    assert why and "两万八" in str(why[0])
    # the order's own amount wins over what the text says
    small = triager.triage(Request.from_dict({"text": "两万八的相机镜头，收到镜片上有划痕", "order": {"amount": 280},
                                              "received_at": NOW.isoformat()}))
    assert not any(r.source == "p2_high_value" for r in small.reasons)


def test_a_claimed_vip_is_urgent_but_does_not_skip_the_queue(triager: triage.Triager) -> None:
    claimed = triager.triage(Request(text="本人是贵店SVIP会员，吸尘器下单一个月了还没发货", received_at=NOW))
    assert "claims_vip" in claimed.tags and "vip" not in claimed.tags
    assert claimed.priority == "P2" and claimed.queue != "资深客服", claimed.explain()
    known = triager.triage(Request.from_dict({"text": "吸尘器下单一个月了还没发货", "customer": {"tier": "vip"},
                                              "received_at": NOW.isoformat()}))
    assert known.queue == "资深客服" and "vip" in known.tags


@pytest.mark.parametrize("text, channel, tag", [
    # the rules, not only the urgency model, see these: each tag is a reason a manager can read
    ("买的梯子踩上去就歪了，我妈整个人往后摔，现在腰起不来", "app_chat", "safety"),
    ("换了新的洗衣液以后手上起了一片水疱，晚上呼吸也有点不畅", "app_chat", "safety"),
    ("取暖器倒了没断电，地毯烧了一个碗口大的洞，满屋子烟", "app_chat", "safety"),
    ("对方说是官方售后，要先交保证金才能退款，我转过去了两万多", "phone", "money_lost"),
    ("有人登了我的号，绑定邮箱被改了，余额已被清空", "app_chat", "money_lost"),
    ("半夜账号被别人登了，扣了我1500多，根本不是我买的", "app_chat", "money_lost"),
    ("半夜有人用我的号下了五单，全是我绑的卡付的，一共2360，我根本没点过", "app_chat", "money_lost"),
    ("买家让我点链接确认收款，我填了银行卡和验证码，卡里就被扣了3600", "app_chat", "fraud"),
    ("小区群里好多人都在说你们的APP打不开，付不了款", "wechat", "outage"),
    ("扫码付款一直提示系统繁忙，钱扣了订单没有，微博上也一堆人在说", "web_chat", "outage"),
    ("三天没人理，今晚开直播念给网友听你们是怎么糊弄人的", "weibo", "threat_media"),
    ("送货的因为我退了件，晚上在楼下堵我，说知道我住几楼", "wechat", "safety"),
    ("喂食器一直显示出粮成功，摄像头里狗一直在扒空碗，已经两天没吃东西了", "app_chat", "safety"),
    ("有人登了我的账号，把绑定手机改成了别人的，余额里的800块也换成卡券送人了", "app_chat", "money_lost"),
    ("刚收到短信一笔1999的消费，不是我买的，号被盗了吧", "app_chat", "money_lost"),
    ("储值卡昨天还有520，今天打开是0，消费记录在外地门店，从来没去过", "wechat", "money_lost"),
    ("Since this morning's update the app crashes for every learner in our school, 120+ accounts", "email",
     "outage"),
    ("快递柜的格子里关了只小猫，一直在叫，扫码也打不开", "web_chat", "safety"),
    ("孩子的手表定位一直停在学校门口，打手表电话无法接通，老师说早就放学了", "wechat", "safety"),
    ("手表绑的手机号被改了不是我改的，钱包里刷了三笔，加一起2400", "wechat", "money_lost"),
    # a figure of speech beside a real incident: only the figure is discounted
    ("爆款充电宝用了两天就冒烟了，差点烧到床单", "app_chat", "safety"),
    ("心态崩了，吹风机插上就冒火花", "app_chat", "safety"),
])
def test_described_incidents_are_tagged(triager: triage.Triager, text: str, channel: str, tag: str) -> None:
    d = triager.triage(Request(text=text, channel=channel, received_at=NOW))
    assert tag in d.tags and d.priority == "P1", d.explain()


@pytest.mark.parametrize("text", [
    "这个取暖器会不会漏电？放卧室安全吗",          # asking before buying: not an incident
    "这价格简直要我命，能便宜点吗",
    "这款爆炸盐洗衣服真好用，回购了",                # a product name, not an explosion
    "建议商品页写清楚含不含花生，我对花生过敏",      # a suggestion, not an incident
    "上次吹风机冒烟那件事你们已经赔了，谢谢，想再买个新款",  # settled earlier
    "重装系统花了一下午，我没操作过的设置全乱了",    # 花了一下午 is time, not money spent
    "心态炸了，手机壳发来的颜色又不对",              # a figure of speech
    "烟雾报警器半夜乱响，屋里根本没烟也没起火，能换一个吗",  # the product, not a fire
    "去年孩子吃奶粉起疹子一事你们已承担了医药费，这次想问下会员积分",  # settled, said another way
    "上个月充电宝冒烟那事已经给我换新了，新的挺好用",
    "上周孩子喝牛奶拉肚子那个事已经好了，医生说是着凉，退款帮我查一下",
    "流量又爆了？月中就提示超出了",                   # 爆了: not a device
    "箱子被压爆了，里面的杯子倒是没事",
    "薯片包装漏气了，能换一包吗",                     # 漏气: not gas
    "燃气灶打不着火，是不是电池没电了",
    "冰箱压缩机响得跟要爆炸了一样，能来看看吗",
    "app崩了崩了，一点开就闪退，我人也要崩溃了",       # one person's crash, not an outage
    "血压计量出来高得吓人，吓得我差点去医院，复测才正常，能换一台吗",
    "这款辣条辣到爆炸🔥🔥🔥 吃完感觉自己能喷火 哈哈哈 已经回购第三次了",  # a joke
    "新买的打火机打不着火，只冒一点火星",              # a lighter that will not light
])
def test_harmless_danger_words_stay_low(triager: triage.Triager, text: str) -> None:
    d = triager.triage(Request(text=text, received_at=NOW))
    assert "safety" not in d.tags and d.priority != "P1", d.explain()


@pytest.mark.parametrize("text, channel", [
    ("直播间说全网最低，我下单第二天就降了200，客服不理人？？？", "douyin"),   # a price claim, not exposure
    ("办公室二十几个同事拼单买的月饼，物流三天没动了", "web_chat"),          # a group purchase
    ("找客服还要排队300多人，等了半小时", "app_chat"),                       # a queue position
    ("88会员年卡现在有折扣吗", "app_chat"),                                  # a product name, not 88 members
    ("试了好几次都登不上，密码没错啊", "app_chat"),                          # one person's retries
    ("你们是不是骗子？？？付了钱显示失败，钱却被扣走了", "email"),             # anger at the shop, not a scam
])
def test_loud_or_numeric_but_not_p1(triager: triage.Triager, text: str, channel: str) -> None:
    d = triager.triage(Request(text=text, channel=channel, received_at=NOW))
    assert d.priority != "P1", d.explain()


def test_an_incident_still_open_is_not_settled(triager: triage.Triager) -> None:
    d = triager.triage(Request(text="上次过敏的事还没处理好，这次又过敏了，脸肿得睁不开眼", received_at=NOW))
    assert "settled_incident" not in d.tags and d.priority == "P1", d.explain()


def test_media_threat_off_social_is_p2_not_p1(triager: triage.Triager) -> None:
    d = triager.triage(Request(text="你们卖假货！我要曝光你们", channel="email", received_at=NOW))
    assert d.priority == "P2"


def test_urgency_model_raises_priority_and_says_why(tmp_path: Path) -> None:
    """The model's urgency signal is a rule condition like any other: explained, and the manager decides."""
    text = "孩子用了你们的产品后一直不舒服，脸色发白"
    path = make_pack(tmp_path, """\
        priority:
          - id: any_hint_of_urgency
            when: {predicted_priority: {at_least: P1, probability: 0.0001}}
            then: {raise_to: P1}
        """, extra="disable: [p1_urgency_model, p2_urgency_model]\n")
    d = triage.load(rules=path).triage(Request(text=text, received_at=NOW))
    reason = next(r for r in d.reasons if r.source == "any_hint_of_urgency")
    assert d.priority == "P1"
    assert reason.evidence[0].field == "model" and "urgency model" in str(reason)
    (tmp_path / "strict").mkdir()
    strict = make_pack(tmp_path / "strict", """\
        priority:
          - id: only_when_certain
            when: {predicted_priority: {at_least: P1, probability: 1.0}}
            then: {raise_to: P1}
        """, extra="disable: [p1_urgency_model, p2_urgency_model]\n")
    d2 = triage.load(rules=strict).triage(Request(text=text, received_at=NOW))
    assert not any(r.source == "only_when_certain" for r in d2.reasons)


def test_urgency_model_catches_p1_without_keywords(triager: triage.Triager) -> None:
    """Described indirectly, no word of the P1 keyword lists, still P1, and the reason names the model."""
    d = triager.triage(Request(text="我家孩子喝了你们的奶粉后整个人都软了，叫也没什么反应", received_at=NOW))
    assert d.priority == "P1", d.explain()
    assert [r.source for r in d.reasons if r.stage == "priority" and "P1" in r.message][0] == "p1_urgency_model"


def test_history_marks_repeat_complaints(triager: triage.Triager) -> None:
    earlier = triage.HistoryItem(received_at=NOW - dt.timedelta(days=2), category="logistics", channel="phone")
    d = triager.triage(Request(text="我的快递一周了还没到", channel="wechat", received_at=NOW, history=(earlier,)))
    assert {"repeat_contact", "repeat_complaint"} <= set(d.tags)
    assert d.priority == "P2" and d.queue == "投诉处理组"
    old = triage.HistoryItem(received_at=NOW - dt.timedelta(days=30), category="logistics")
    assert "repeat_complaint" not in triager.triage(Request(text="我的快递一周了还没到", received_at=NOW,
                                                            history=(old,))).tags


def test_shipped_pack_is_package_data() -> None:
    assert (default_pack_path() / "pack.yaml").is_file()


def test_shipped_cases_pass() -> None:
    from triage.cli import main

    assert main(["rules", "test", str(default_pack_path()), str(default_pack_path() / "cases.yaml")]) == 0


def test_cases_report_failures_and_bad_files(triager: triage.Triager, tmp_path: Path) -> None:
    from triage.packtools import run_cases

    cases = tmp_path / "cases.yaml"
    cases.write_text("cases:\n  - text: 我的快递一周了还没到\n    expect: {priority: P1, tags: [safety]}\n",
                     encoding="utf-8")
    [result] = run_cases(triager, cases)
    assert not result.passed and result.where.endswith("cases.yaml:2")
    assert "priority: expected P1, got P3" in result.failures
    cases.write_text("cases:\n  - text: x\n    expect: {prio: P1}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="cases.yaml:3:.*unknown expectation 'prio'"):
        run_cases(triager, cases)


def test_diff_counts_what_a_rule_change_moves(tmp_path: Path) -> None:
    import pandas as pd

    from triage.packtools import diff_packs

    path = make_pack(tmp_path, """\
        priority:
          - id: everything_logistics_is_urgent
            when: {category: logistics}
            then: {raise_to: P2}
        """)
    old, new = triage.load(), triage.load(rules=path)
    tickets = pd.DataFrame({"text": ["我的快递一周了还没到", "物流三天没更新了", "这件衣服有S码吗", "APP闪退"]})
    moved = sum(1 for t in tickets["text"] if (d := old.triage(t)).category == "logistics" and d.priority == "P3")
    assert moved >= 1
    diff = diff_packs(old, new, tickets)
    assert diff.total == 4 and diff.changed["priority"] == moved and diff.changed["category"] == 0
    assert diff.transitions["priority"][("P3", "P2")] == moved
    assert f"priority  changed for {moved:>6} ({moved / 4:.1%})" in diff.text()


_KW_ALPHABET = "ab 快递😀"   # few characters, so keywords overlap, nest and repeat in most texts


def _find_every(keywords: set[str], text: str) -> dict[str, list[tuple[str, int, int]]]:
    """The oracle: ``str.find`` for each keyword at every start; ASCII keywords as whole words only."""
    hits: dict[str, list[tuple[str, int, int]]] = {}
    for kw in sorted(keywords):
        whole = kw.isascii() and kw.replace(" ", "").isalnum()
        at = text.find(kw)
        while at != -1:
            end = at + len(kw)
            if not (whole and ((at > 0 and text[at - 1].isascii() and text[at - 1].isalnum())
                               or (end < len(text) and text[end].isascii() and text[end].isalnum()))):
                hits.setdefault(kw, []).append(("text", at, end))
            at = text.find(kw, at + 1)
    return hits


@settings(max_examples=300)
@given(keywords=st.sets(st.text(_KW_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=20),
       texts=st.lists(st.text(_KW_ALPHABET + "1x\ud800", max_size=40), min_size=1, max_size=4))
def test_keyword_index_finds_what_a_find_loop_finds(keywords: set[str], texts: list[str]) -> None:
    """Every occurrence of every keyword, overlapping, nested and repeated, at the same character offsets
    (astral characters and lone surrogates included) as a brute-force ``str.find`` loop."""
    from triage.route.engine import KeywordIndex
    from triage.text.normalize import Normalized

    index = KeywordIndex(keywords)
    for text in texts:
        hits: dict[str, list[tuple[str, int, int]]] = {}
        index.find(Normalized(text, text), "text", hits)
        assert hits == _find_every(keywords, text)


def test_keyword_index_hits_on_a_known_text() -> None:
    from triage.route.engine import KeywordIndex
    from triage.text.normalize import Normalized

    index = KeywordIndex(["快递", "快递员", "递", "app", "a"])
    hits: dict[str, list[tuple[str, int, int]]] = {}
    index.find(Normalized("😀快递员快递 app apple", "😀快递员快递 app apple"), "text", hits)
    assert hits == {"快递": [("text", 1, 3), ("text", 4, 6)], "快递员": [("text", 1, 4)],
                    "递": [("text", 2, 3), ("text", 5, 6)], "app": [("text", 7, 10)]}


@pytest.mark.parametrize("text", [
    "a: [x, 'y', 1, no, -2.5, ~, \"true\", TRUE]\nb: |\n  block\nc: 1_000\nd: 0o17\n",
    "a: [1, 2\nb: 3",
    "a:\n\t- x",
    "x: &a 1\ny: *a",
])
def test_libyaml_and_pure_python_parsers_read_the_same(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """The fast (libyaml) parser gives the same values, positions and error positions as PyYAML's own."""
    import yaml

    from triage.route import yamlio

    def read() -> object:
        try:
            data, marks = yamlio.load_yaml_text(text, "f.yaml")
            return data, marks.positions
        except RuleError as exc:
            return [(p.line, p.column) for p in exc.problems]

    fast = read()
    monkeypatch.setattr(yamlio, "_LOADER", yaml.SafeLoader)
    assert read() == fast


def test_libyaml_parser_reads_the_default_pack_like_pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from triage.route import yamlio

    files = sorted(default_pack_path().rglob("*.yaml"))
    fast = [yamlio.load_yaml(f) for f in files]
    monkeypatch.setattr(yamlio, "_LOADER", yaml.SafeLoader)
    slow = [yamlio.load_yaml(f) for f in files]
    assert [(d, m.positions) for d, m in fast] == [(d, m.positions) for d, m in slow]


def test_regex_evidence_gives_the_words_and_their_character_positions(tmp_path: Path) -> None:
    path = make_pack(tmp_path, """\
        tags:
          - id: counted
            when: {regex: ["无此词", "[一二三四五六七八九十两]次"]}
            then: {add_tags: [counted]}
        """)
    t = triage.load(rules=path)
    d = t.triage(Request(text="客服小姐姐🙂，宝宝吐了两次，怎么办", received_at=NOW))
    ev = next(r for r in d.reasons if r.source == "counted").evidence
    assert [(e.text, e.field) for e in ev] == [("两次", "text~")]
    norm = t.normalizer("客服小姐姐🙂，宝宝吐了两次，怎么办").text
    assert norm[ev[0].start:ev[0].end] == "两次"


def _default_pack_patterns() -> list[bytes]:
    import yaml

    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "regex":
                    found.extend(value if isinstance(value, list) else [value])
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in ("tags.yaml", "priority.yaml", "routing.yaml", "sla.yaml"):
        walk(yaml.safe_load((default_pack_path() / name).read_text(encoding="utf-8")))
    return [p.encode() for p in found]


DEFAULT_PATTERNS = _default_pack_patterns()
RISKY_TEXT = st.text(alphabet=st.sampled_from(list("吃了都吐拉我人摔倒地上孩子手机号被改扣了一共2360元块大家都点不了"
                                                    "上次那件事已经处理好烧出洞满屋子烟打不着火 ，。!?0159")),
                     max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(RISKY_TEXT, st.text(max_size=80)))
def test_the_regex_prefilter_finds_exactly_what_each_pattern_finds(text: str) -> None:
    """One FilteredRE2 pass per request must agree with searching every pattern of the default pack."""
    import pickle

    from triage.route.regexes import RegexIndex

    assert len(DEFAULT_PATTERNS) > 20
    index = RegexIndex()
    singles = [index.add(p)[1] for p in DEFAULT_PATTERNS]
    index.freeze()
    data = text.encode("utf-8", "surrogatepass")
    expected = frozenset(i for i, rx in enumerate(singles) if rx.search(data))
    assert index.hits(data) == expected
    assert pickle.loads(pickle.dumps(index)).hits(data) == expected


def test_a_regex_index_must_be_frozen_before_use() -> None:
    from triage.route.regexes import RegexIndex

    index = RegexIndex()
    index.add("吐了".encode())
    with pytest.raises(RuntimeError, match="freeze"):
        index.hits("吐了".encode())
    index.freeze()
    assert index.hits("宝宝吐了".encode()) == {0} and index.hits(b"") == frozenset()
    with pytest.raises(RuntimeError, match="frozen"):
        index.add(b"x")
    empty = RegexIndex()
    empty.freeze()
    assert empty.hits(b"anything") == frozenset()
