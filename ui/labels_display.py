"""Labels of the display helpers and the pages' charts, lists and downloads: key -> (zh-CN, English).
Merged with ui.labels by ui.i18n (read through ui.i18n.t)."""

TEXT: dict[str, tuple[str, str]] = {
    # top / bottom N of a chart of units (ui.widgets.ranked)
    "rank.label": ("显示", "Show"),
    "rank.top": ("最高 {n} 个", "Highest {n}"),
    "rank.bottom": ("最低 {n} 个", "Lowest {n}"),
    "rank.all": ("全部", "All"),
    "rank.small": ("样本小", "small sample"),
    "rank.shown": (
        "图中显示 {shown} / {total} 个单位（未分配与样本小的单位不参与排名，本单位始终显示）；完整数据见下表。",
        "The chart shows {shown} of {total} units (unassigned and small-sample units are not ranked; your own unit "
        "is always shown); every unit is in the table below.",
    ),
    # flags as words (ui.tables)
    "flag.small": ("⚠ 样本小", "⚠ small sample"),
    "flag.yes": ("是", "Yes"),
    "flag.no": ("否", "No"),
    "card.金卡及以上": ("金卡及以上", "Gold and above"),
    "card.none": ("无卡", "No card"),
    "status.active": ("正常", "Active"),
    "status.dormant": ("休眠", "Dormant"),
    "status.closed": ("销户", "Closed"),
    # the first sheet of a download (ui.exports)
    "about.sheet": ("查询条件", "Filters"),
    "about.page": ("页面", "Page"),
    "about.table": ("内容", "Table"),
    "about.unit": ("查看范围", "Unit"),
    "about.period": ("期间", "Period"),
    "about.user": ("导出人", "Exported by"),
    "about.made": ("导出时间", "Exported at"),
    # column help of the lists (ui.tables)
    "help.gap": ("距上一层级门槛还差的金额（万元）。", "What is missing to the next tier's bound (10k CNY)."),
    "help.gap_rate": ("差额占上一层级门槛的比例。", "The gap as a share of the next tier's bound."),
    "help.aum_change": ("本期资产 − 所选月数前资产（万元）。", "AUM now − AUM the chosen months earlier (10k CNY)."),
    "help.change_rate": ("资产变动 ÷ 此前资产。", "AUM change ÷ AUM before."),
    "help.outcome": (
        "销户：期末已销户；离行：期末不在册；降至维护范围以下：仍在册但不再符合维护规则。",
        "Closed: closed at the end; left: not on the books at the end; fell below: still there, no maintained "
        "rule holds.",
    ),
    "help.maintained_by": ("客户符合的维护规则。", "The maintained rules the customer meets."),
    "help.churn_small_sample": (
        "期初维护客户少于 30 户：流失率波动大，不宜与其他单位比较。",
        "Fewer than 30 maintained customers at the start: the churn rate is too noisy to compare.",
    ),
    "help.attrition_small_sample": (
        "期初有效客户少于 30 户：离行率不宜比较。",
        "Fewer than 30 active customers at the start: the attrition rate is too noisy to compare.",
    ),
    "help.customer_name": ("已脱敏。", "Masked."),
    "help.id_number": ("已脱敏。", "Masked."),
    "help.phone": ("已脱敏。", "Masked."),
    "help.last_contact": ("最近一次记录的联系日期。", "The last recorded contact."),
    # pages
    "no_quarter": (
        "尚未加载可比较的季度（需要上一季度末的数据）。",
        "No quarter can be compared yet (the previous quarter's end is not loaded).",
    ),
    "months_not_loaded": ("所选月数之前的月末数据尚未加载。", "The month end that many months earlier is not loaded."),
    "ov.aum_card": ("金融资产", "AUM"),
    "ov.tiers_aum_scaled": ("各层级金融资产（每期）", "AUM by tier, every period"),
    "axis.amount": ("金融资产（{unit}）", "AUM ({unit})"),
    "axis.customers": ("客户数（户）", "Customers"),
    "axis.share": ("占比", "Share"),
    "axis.band": ("资产段（月末余额）", "AUM band (month-end balance)"),
    "axis.card": ("卡等级", "Card level"),
    "ti.lorenz_x": ("客户累计占比（按资产由低到高）", "Cumulative share of customers (by AUM, low to high)"),
    "ti.lorenz_y": ("资产累计占比", "Cumulative share of AUM"),
    "ti.lorenz_curve": ("洛伦兹曲线", "Lorenz curve"),
    "ti.crosstab_colour": ("行内占比", "Share of row"),
    "mi.hide_mass": ("隐藏层级未变的客户", "Hide customers who kept their tier"),
    "mi.colour": ("行占比（不含对角线）", "Row share (off the diagonal)"),
    "mi.diagonal": (
        "灰色对角线为层级未变的客户；颜色按行占比显示其余单元格，便于看出升降级。点选下表一行或在“单元格”中选择，查看其客户。",
        "The grey diagonal holds the customers who kept their tier; the colour shows the row share of the other "
        "cells, so that moves stand out. Pick a row of the table below, or a cell, to list its customers.",
    ),
    "mi.cell": ("单元格", "Cell"),
    "mi.cell_pick": ("选择单元格", "Choose a cell"),
    "mi.sankey_periods": (
        "每个季末一列，节点自上而下为层级由高到低；新增客户自该期下方流入，流失离行客户流向该期下方。"
        "绿色为升级，红色为降级，灰色为层级未变或流失离行，棕色为新增。",
        "One column per quarter end, tiers from the highest at the top; new customers enter from below the quarter "
        "they joined in, those who left go below the quarter they left in. Green: moved up, red: moved down, grey: "
        "kept their tier or left, brown: new.",
    ),
    "mi.axis_period": ("期末", "Period end"),
    "ch.axis_rate": ("比率（95% 区间）", "Rate (95% interval)"),
    "ch.axis_quarters": ("进入后季度数", "Quarters after joining"),
    "ch.axis_survival": ("留存率", "Survival"),
    "ch.months_label": ("{n} 个月", "{n} months"),
    "ex.any_months": ("不限", "Any"),
    "da.aum_scaled": ("金融资产合计（{unit}）", "AUM total ({unit})"),
    "basis.aum": ("月末资产余额（AUM）", "month-end AUM"),
    "basis.aum_month_avg": ("月日均资产", "average daily AUM of the month"),
    "basis.aum_year_avg": ("年日均资产", "average daily AUM of the year"),
    "policy_fingerprint": ("模拟政策指纹", "Simulated policy SHA-256"),
    "sim.axis_tier": ("层级", "Tier"),
}
