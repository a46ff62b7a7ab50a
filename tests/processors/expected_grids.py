"""The table rows the replica prints for two seed reports, shared by the readers' tests.

The replica draws these reports from seeds.yaml, so the expected values are known by
construction: they are the reports' own figures, not whatever a reader happened to
return. Word (.docx and .doc) gives each table as one grid with merged cells repeated;
the rows here are in that form, keyed by their index in the whole table. A format that
cuts a table differently (PDF over page breaks) maps the indices in its own test.

- 威海高区管委会 2021 (``whctp-gw/2021``, seed 003): ``WHCTP_*``.
- 北沟镇 2022 (``penglai-beigou/2022``), printed on the 2019 template: ``BEIGOU_*``.
"""

from __future__ import annotations

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS = "三、本年度办理结果"
PARTLY = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

# 威海高区 2021 ------------------------------------------------------------------

# 二、主动公开政府信息情况: the whole table.
WHCTP_ACTIVE = (
    ("第二十条第（一）项",) * 4,
    ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
    ("规章", "0", "0", "0"),
    ("行政规范性文件", "5", "3", "15"),
    ("第二十条第（五）项",) * 4,
    ("信息内容", *["本年处理决定数量"] * 3),
    ("行政许可", "27960", "27960", "27960"),
    ("第二十条第（六）项",) * 4,
    ("信息内容", *["本年处理决定数量"] * 3),
    ("行政处罚", "795", "795", "795"),
    ("行政强制", "0", "0", "0"),
    ("第二十条第（八）项",) * 4,
    ("信息内容", *["本年收费金额（单位：万元）"] * 3),
    ("行政事业性收费", "13914.44", "13914.44", "13914.44"),
)

# 三、收到和处理政府信息公开申请情况: 28 rows of 10 cells; these are checked.
WHCTP_APPLICATIONS = {
    0: (NOTE,) * 3 + ("申请人情况",) * 7,
    1: (NOTE,) * 3 + ("自然人", *["法人或其他组织"] * 5, "总计"),
    2: (NOTE,) * 3
    + (
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ),
    3: ("一、本年新收政府信息公开申请数量",) * 3 + ("10", *"00000", "10"),
    4: ("二、上年结转政府信息公开申请数量",) * 3 + tuple("0000000"),
    5: (RESULTS, "（一）予以公开", "（一）予以公开", "1", *"00000", "1"),
    6: (RESULTS, PARTLY, PARTLY, "1", *"00000", "1"),
    12: (RESULTS, "（三）不予公开", "6.属于四类过程性信息", "2", *"00000", "2"),
    15: (RESULTS, "（四）无法提供", "1.本机关不掌握相关政府信息", "5", *"00000", "5"),
    17: (RESULTS, "（四）无法提供", "3.补正后申请内容仍不明确", *"0000000"),
    23: (
        RESULTS,
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "1",
        *"00000",
        "1",
    ),
    26: (RESULTS, "（七）总计", "（七）总计", "10", *"00000", "10"),
    27: ("四、结转下年度继续办理",) * 3 + tuple("0000000"),
}

# 四、政府信息公开行政复议、行政诉讼情况: the whole table, three header rows and the figures.
WHCTP_APPEALS = (
    ("行政复议",) * 5 + ("行政诉讼",) * 10,
    OUTCOMES + ("未经复议直接起诉",) * 5 + ("复议后起诉",) * 5,
    OUTCOMES * 3,
    ("1", "1", "0", "0", "2", *"0000000000"),
)

# 北沟镇 2022 (2019 template) ----------------------------------------------------

# 二、主动公开政府信息情况: 18 rows; these are checked.
BEIGOU_ACTIVE = {
    6: ("行政许可", "3", "+2", "43"),
    7: ("其他对外管理服务事项", "1", "-1", "12"),
    10: ("行政处罚", "12", "+4", "7"),
    11: ("行政强制", "0", "+1", "0"),
    14: ("行政事业性收费", "0", "+1", "+1"),
    17: ("政府集中采购", "1", "0.00", "0.00"),
}

# 三、收到和处理政府信息公开申请情况: 26 rows of 10 cells; these are checked.
BEIGOU_APPLICATIONS = {
    3: ("一、本年新收政府信息公开申请数量",) * 3 + ("2", "2", *"0000", "4"),
    17: (RESULTS, "（四）无法提供", "3.补正后申请内容仍不明确", "1", *"00000", "1"),
    21: (RESULTS, "（五）不予处理", "4.无正当理由大量反复申请", "0", "1", *"0000", "1"),
    23: (RESULTS, "（六）其他处理", "（六）其他处理", *"0000000"),
    24: (RESULTS, "（七）总计", "（七）总计", "2", "2", *"0000", "4"),
    25: ("四、结转下年度继续办理",) * 3 + tuple("0000000"),
}
