"""The 口径 of the pages' figures as a banker reads them, in both languages: (function name, term) -> (zh, en).
The analytics docstrings stay the precise reference (docs/metrics.md); these say the same in words, not code."""

from __future__ import annotations

MEANINGS: dict[tuple[str, str | None], tuple[str, str]] = {
    ("quarter_overview", "stocks"): (
        "季末时点数：季末月末快照上在册（未销户）的客户；金融资产为季末余额。",
        "Stocks at the quarter's last month end: customers on the books (not closed); AUM is the period-end balance.",
    ),
    ("quarter_overview", "churn_rate"): (
        "保 · 流失率 = 期初维护客户中期末不再是维护客户的户数 ÷ 期初维护客户数（离行、销户或降至维护范围以下均算流失）。",
        "Keep · churn rate = customers maintained at the start who are no longer maintained at the end (left, "
        "closed or fell below the range), divided by the customers maintained at the start.",
    ),
    ("quarter_overview", "upgrade_rate"): (
        "争 · 提升率 = 期初维护客户中期末层级上升的户数 ÷ 期初维护客户数。",
        "Win up · upgrade rate = customers maintained at the start who are in a higher tier at the end, divided by "
        "the customers maintained at the start.",
    ),
    ("quarter_overview", "coverage_rate"): (
        "挖 · 产品覆盖率 = 期末维护客户中持有产品数达到政策要求的户数 ÷ 期末维护客户数。",
        "Dig · coverage = customers maintained at the end who hold at least the policy's number of products, "
        "divided by the customers maintained at the end.",
    ),
    ("quarter_overview", "growth"): (
        "抢 · 维护客户增长 =（期末维护客户数 − 期初维护客户数）÷ 期初维护客户数。",
        "Grab · growth = (maintained customers at the end − at the start) ÷ maintained customers at the start.",
    ),
    ("quarter_overview", "aum_growth"): (
        "培 · 资产规模增长 =（期末维护客户资产 − 期初维护客户资产）÷ 期初维护客户资产。",
        "Grow · AUM growth = (AUM of maintained customers at the end − at the start) ÷ their AUM at the start.",
    ),
    ("tier_distribution", None): (
        "月末在册客户按现行分层政策归入层级；金融资产为月末余额。占比为占本期（本单位）合计的比例；维护客户为其中符合任一维护规则的客户。",
        "Customers on the books at the month end, placed in a tier by the policy in force; AUM is the month-end "
        "balance. Shares are of the period's (and unit's) total; maintained = those any maintained rule holds for.",
    ),
    ("band_concentration", None): (
        "月末在册客户按月末资产分段（0、100元、1千、1万、5万、10万……1000万）。勾选剔除后，低于离行下限的无效户不计入。"
        "“本段及以上”为本段及更高各段合计的户数、资产占比。",
        "Customers on the books at the month end by month-end AUM band (0, CNY 100, 1k, 10k, 50k, 100k … 10M). "
        'With the exclusion on, accounts under the attrition floor are left out. "At or above" adds this band '
        "and every higher one.",
    ),
    ("gini", None): (
        "基尼系数：0 表示每户资产相同，越接近 1 资产越集中于少数客户（负余额按 0 计）。",
        "Gini coefficient: 0 when every customer holds the same AUM, close to 1 when a few hold nearly all "
        "(negative balances count as 0).",
    ),
    ("vip_growth", None): (
        "各卡等级的月末客户数（期初、期末），增减 = 期末 − 期初；变动率 = 增减 ÷ 期初。“金卡及以上”合计金卡、白金卡、钻石卡。",
        "Customers holding each card level at the start and the end; change = end − start; change rate = change ÷ "
        'start. "Gold and above" adds gold, platinum and diamond cards.',
    ),
    ("card_tier_crosstab", None): (
        "月末在册客户按卡等级（含无卡）与现行层级交叉计数；颜色为各卡等级（行）内的占比。",
        "Customers on the books at the month end by card level (no card included) and tier; the colour is the share "
        "within each card level (row).",
    ),
    ("relationship_types", None): (
        "关系类型：存量贵宾 = 维护客户且持贵宾卡；待争取 = 维护客户未持贵宾卡；潜力 = 非维护客户但资产接近维护门槛或增长较快；其余为一般。"
        "产品偏好：存款为主、中间业务为主、均衡，无余额为未知；阈值见政策。",
        "Relationship: VIP = maintained and holding a VIP card; to win = maintained without one; potential = not "
        "maintained but near the maintained bound or growing fast; general = the rest. Preference: deposit-heavy, "
        "fee-heavy, balanced, or unknown without balances; thresholds from the policy.",
    ),
    ("upgrade_candidates", None): (
        "未到最高层级、定级金额已达上一层级门槛的（1 − 范围）以上的客户；差额 = 上一层级门槛 − 定级金额。",
        "Customers below the top tier whose tiering amount is within the chosen share of the next tier's bound; "
        "gap = next bound − amount.",
    ),
    ("migration_matrix", None): (
        "行为期初层级（新增 = 期初不在册），列为期末层级（流失离行 = 期末不在册或已销户）。客户归属期初所在单位（新增客户归期末单位）。"
        "行占比 = 单元格户数 ÷ 该行户数；对角线为层级未变的客户。",
        "Rows are the tier at the start (new = not on the books at the start), columns the tier at the end "
        "(exited = gone or closed at the end). A customer counts for the unit of the start (new ones: of the end). "
        "Row share = the cell's customers ÷ the row's; the diagonal holds those who kept their tier.",
    ),
    ("migration_customers", None): (
        "所选单元格或变动类型的客户：升级 / 降级 = 两期均在册且期末层级更高 / 更低；流失离行 = 期初在册、期末不在；新增反之。",
        "The customers of the chosen cell or move: up / down = on the books at both ends, in a higher / lower tier "
        "at the end; exited = on the books at the start only; new = at the end only.",
    ),
    ("project_distribution", None): (
        "以最近一期的层级分布乘以历史平均的单期迁移矩阵逐期推算（离行客户退出），每期按历史平均加入新增客户；为趋势参考，不是预测承诺。",
        "The latest tier distribution carried forward with the average one-period migration matrix (exits leave), "
        "new customers added at their historical average each period: a trend, not a promise.",
    ),
    ("churn_by_unit", None): (
        "流失率 = 期初维护客户中期末不再维护的户数 ÷ 期初维护客户数；离行率 = 期初有效客户（资产不低于离行下限）中期末离行、销户或低于下限的户数 ÷ "
        "期初有效客户数。误差线为 95% 区间；不足 30 户的单位标为样本小，不宜比较。",
        "Churn rate = customers maintained at the start and not at the end ÷ maintained at the start; attrition "
        "rate = active customers at the start (AUM at or above the floor) who left, closed or fell under it ÷ "
        "active at the start. Error bars: 95% interval; units under 30 customers are marked small sample.",
    ),
    ("churn_by_unit", "churn_rate"): (
        "期初维护客户中期末不再维护的比例（离行、销户或降至维护范围以下）。",
        "Share of customers maintained at the start who are not maintained at the end (left, closed or fell below).",
    ),
    ("churn_by_unit", "attrition_rate"): (
        "期初有效客户中期末离行、销户或资产低于离行下限的比例。",
        "Share of active customers at the start who left, closed or fell under the attrition floor by the end.",
    ),
    ("retention_triangle", None): (
        "进入季度 = 客户在该季末首次成为维护客户；k 季后留存 = 第 k 个季末仍是维护客户的比例（时点口径，中途掉出又回来仍算留存）。",
        "Cohort = customers who became maintained at that quarter's end; retained after k quarters = share still "
        "maintained at the k-th quarter end (point in time: one who dipped and came back counts as retained).",
    ),
    ("survival_by_tier", None): (
        "起始季末的维护客户按起始层级分组，逐季跟踪：首次流失或降级即结束跟踪；留存率 = 尚未发生任一事件的比例。",
        "Customers maintained at the first quarter end, by their tier then, followed quarter by quarter until they "
        "first churn or move down; survival = the share with neither yet.",
    ),
    ("at_risk_customers", None): (
        "本期仍是维护客户、所选月数前资产为正、且资产较当时下降达到所选幅度的客户：仍在册，可在流失前联系。",
        "Customers still maintained now whose AUM fell by at least the chosen share since the chosen number of "
        "months ago: still on the books, to contact before they churn.",
    ),
    ("churned_high_value", None): (
        "期初为最高两个层级（或持白金卡、钻石卡）的维护客户，期末不再维护；网点与客户经理为期初的维护人。去向：销户、离行或降至维护范围以下。",
        "Customers maintained at the start in the two highest tiers (or with a platinum or diamond card) who are "
        "not maintained at the end; branch and manager are those at the start. Outcome: closed, left, or fell below.",
    ),
    ("find_customers", None): (
        "本期在册客户；层级按现行政策，资产为月末余额。选择变动月数后：此前资产为 k 个月前余额，资产变动 = 现值 − 此前，变动率 = 资产变动 ÷ 此前资产。"
        "姓名、证件号、手机号均已脱敏。",
        "Customers on the books this period; tier by the policy in force, AUM the month-end balance. With a change "
        "period of k months: AUM before = k months earlier, change = now − before, change rate = change ÷ before. "
        "Names, ID numbers and phones are masked.",
    ),
    ("customer_history", None): (
        "该客户每个已加载月末的资产与层级（销户月无层级）。",
        "The customer's AUM and tier at every loaded month end (a closed month has no tier).",
    ),
    # the scorecard (scorecard / quarter_scorecard share these)
    ("scorecard", "score"): (
        "综合得分（0-100 分）：每项指标按其在参与比较的单位中的百分位（不差于本单位的单位占比，含本单位；流失率越低越好）"
        "乘以政策权重后相加；单位缺少的指标不计，其余权重按比例放大。期初与期末均无维护客户的单位不参与。",
        "Score (0-100 points): each indicator as a percentile among the units compared (the share doing no better, "
        "the unit itself included; for churn lower is better), weighted by the policy's weights and added up; an "
        "indicator a unit lacks is left out and the other weights scaled up. Units with no maintained customer at "
        "either end are left out.",
    ),
    ("scorecard", "rank"): (
        "排名：按综合得分由高到低，1 为最好；客户经理层级各网点未分配客户单列一行，不参与排名。",
        "Rank by score, 1 the best; at manager level each branch's unassigned customers are a row of their own, "
        "not ranked.",
    ),
    ("scorecard", "churn_rate"): (
        "保 · 流失率 = 期初维护客户中期末不再是维护客户的户数 ÷ 期初维护客户数；越低越好。客户归属期初所在单位。",
        "Keep · churn rate = customers maintained at the start who are not maintained at the end ÷ maintained at the "
        "start; lower is better. Customers count for their unit at the start.",
    ),
    ("scorecard", "upgrade_rate"): (
        "争 · 提升率 = 期初维护客户中期末层级上升的户数 ÷ 期初维护客户数。",
        "Win up · upgrade rate = customers maintained at the start who are in a higher tier at the end ÷ maintained "
        "at the start.",
    ),
    ("scorecard", "coverage_rate"): (
        "挖 · 产品覆盖率 = 期末维护客户中持有产品数达到政策要求的户数 ÷ 期末维护客户数（缺少产品数据的客户算未覆盖）。",
        "Dig · coverage = customers maintained at the end holding at least the policy's number of products ÷ "
        "maintained at the end (a customer without product data counts as not covered).",
    ),
    ("scorecard", "growth"): (
        "抢 · 维护客户增长 =（期末维护客户数 − 期初维护客户数）÷ 期初维护客户数。",
        "Grab · growth = (maintained customers at the end − at the start) ÷ maintained at the start.",
    ),
    ("scorecard", "aum_growth"): (
        "培 · 资产规模增长 =（期末维护客户资产 − 期初维护客户资产）÷ 期初维护客户资产。",
        "Grow · AUM growth = (AUM of the maintained customers at the end − at the start) ÷ their AUM at the start.",
    ),
    ("role_mismatches", None): (
        "月末维护客户中，其客户经理岗位不在政策为该层级指定的岗位之列的客户，按客户经理 × 层级计数；无岗位的客户经理算不匹配，"
        "无客户经理的客户不在此列（见待分配客户）。不匹配占比 = 不匹配户数 ÷ 该客户经理的维护客户数。",
        "Maintained customers at the month end whose manager's role is not one the policy assigns to their tier, "
        "per manager and tier; a manager without a role does not match, customers without a manager are not listed "
        "(see Unassigned). Mismatch share = mismatched ÷ the manager's maintained customers.",
    ),
    ("accountability", None): (
        "按期初维护人（客户经理或网点）汇总流失的高价值客户：户数与期初资产只计非正常原因的流失，正常原因（政策所列）另计户数。",
        "The lost high-value customers per unit at the start (the manager or the branch): customers and AUM at the "
        "start count the losses for other than a normal reason; those for a normal reason (the policy's) are counted "
        "apart.",
    ),
    ("lost_high_value", None): (
        "期初为高价值层级或持高价值卡、期末不再是维护客户的客户（中途离开又回来且仍维护的不算）。单位与维护人为期初的。"
        "去向：销户、离行或降至维护范围以下；销户原因为政策所列正常原因的，单列不问责。",
        "Customers in a high-value tier or holding a high-value card at the start and not maintained at the end (one "
        "who came back maintained is not lost); unit and maintainer as at the start. Outcome: closed, left or fell "
        "below; a close for one of the policy's normal reasons is listed, not held against anyone.",
    ),
    # the workbench
    ("call_list", None): (
        "本月末在册客户（及上月末维护、本月销户或离行的客户）中至少有一个联系原因的客户，每户一行、列出全部原因；本周（周一起）"
        "已跟进的客户不再列出。原因：临近降级、临近升级、大额流出、流失、下月生日、超期未联系、待分配。"
        "涉及金额 = 本月末与上月末资产中较大者。",
        "Customers on the books at the month end (and those maintained last month who closed or left) with at least "
        "one reason to call, one row each with every reason; those followed up since this week's Monday are left "
        "out. Reasons: near a downgrade, near an upgrade, large outflow, churned, birthday next month, contact "
        "overdue, unassigned. At stake = the larger of this and last month-end's AUM.",
    ),
    ("unit_contact_coverage", None): (
        "联系覆盖率 = 有联系标准的层级中，在标准天数内联系过的维护客户数 ÷ 维护客户数（按最近一次跟进记录）。",
        "Contact coverage = maintained customers, in the tiers with a contact standard, contacted within its number "
        "of days (by the latest follow-up logged) ÷ those maintained customers.",
    ),
    ("contact_coverage", None): (
        "按单位 × 层级：有联系标准的层级中，在标准天数内联系过的维护客户数 ÷ 维护客户数。未设标准的层级不列出。",
        "Per unit and tier: maintained customers in a tier with a contact standard contacted within its number of "
        "days ÷ maintained customers. Tiers without a standard are not listed.",
    ),
    ("red_list", None): (
        "红名单（失联）：月末维护客户中没有手机号记录的客户；单位与维护人为月末的。",
        "Red list (unreachable): customers maintained at the month end with no phone number on record; unit and "
        "maintainer as at the month end.",
    ),
    ("unassigned_with_suggestion", None): (
        "月末维护客户中没有客户经理的客户，并给出建议维护人：本网点中其岗位在全行维护该层级客户占比最高的客户经理，"
        "同等时取管户数最少者。",
        "Customers maintained at the month end without a manager, each with a suggested one: the branch's manager "
        "whose role holds the largest share of the customer's tier bank-wide, then the one with the smallest book.",
    ),
    ("manager_load", None): (
        "管户负荷：月末每位客户经理维护的在册客户数（全部层级）及其中维护客户数，对照管户标准（500-800 户）分为不足、"
        "达标、超出；各网点无客户经理的客户单列为待分配。",
        "Manager load: customers on the books at the month end per manager (every tier) and how many are "
        "maintained, against the norm (500-800): under, within, over; each branch's customers without a manager "
        "are a row, unassigned.",
    ),
    ("handover_list", None): (
        "交接客户：上月末为维护客户、本月末在册且客户经理已更换（或无人维护）的客户，列在接手单位下。结果：仍维护或已流失。",
        "Handovers: customers maintained last month end, on the books now with another manager (or none), listed "
        "under the unit that took them over. Outcome: kept (still maintained) or churned.",
    ),
    ("handover_churn", None): (
        "期初维护客户按期初单位：交接客户（期末换了客户经理或无人维护）与其余客户各自的流失率"
        "（流失 = 期末不再是维护客户）。",
        "Customers maintained at the start by their unit then: the churn rate of the reassigned ones (another "
        "manager, or none, at the end) beside that of the rest (churned = not maintained at the end).",
    ),
    ("outflow_watch", None): (
        "大额资金变动：上月末资产达到流出下限、且较上月末下降达到政策金额的在册客户；变动率 = 资产变动 ÷ 此前资产。",
        "Large outflows: customers on the books whose AUM last month end was at least the policy's minimum and has "
        "fallen by at least the policy's amount since; change rate = AUM change ÷ AUM before.",
    ),
    ("birthday_list", None): (
        "下月生日且资产达到政策下限的在册客户；生日只显示月日，不显示年份。",
        "Customers on the books with at least the policy's AUM whose birthday is next month; the birthday shows "
        "month and day, never the year.",
    ),
    ("completeness", None): (
        "关键信息完整率：月末维护客户中手机号、地址、工作单位各有记录的比例；完整 = 三项均有。",
        "Data completeness: the shares of customers maintained at the month end with a phone, an address and an "
        "employer on record; complete = all three.",
    ),
    ("product_penetration", None): (
        "产品渗透率：月末维护客户按单位 × 层级，持有各产品的户数 ÷ 客户数；渗透率最低的产品排在前面（下一个可营销的产品）。",
        "Product penetration: customers maintained at the month end per unit and tier, holders of each product ÷ "
        "customers; the least held product first (what to sell next).",
    ),
    # the data page
    ("load_history", None): (
        "最近的加载记录：文件、SHA-256 指纹、期间、行数、资产合计、所用政策、结果、问题数与时间。",
        "The latest loads: file, SHA-256 fingerprint, periods, rows, AUM total, policy, outcome, problems and time.",
    ),
    ("period_quality", None): (
        "每个已加载月末：加载的行数与资产合计（全部网点）、来源文件，以及其前缺失的月数。",
        "Every loaded month end: the rows and AUM total loaded (every branch), the files they came from and the "
        "months missing before it.",
    ),
}
