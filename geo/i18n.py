"""User-facing words in Chinese (default) and English. Code and logs stay English."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import pandas as pd

from geo.schema import TZ

LANGS: Final = ("zh", "en")

STRINGS: Final[dict[str, tuple[str, str]]] = {
    # app frame
    "app_title": ("非法营运热点巡防图", "Illegal-transport hotspot patrol map"),
    "language": ("语言", "Language"),
    "page_map": ("态势地图", "Situation map"),
    "page_check": ("台账检查", "Ledger check"),
    "synthetic_banner": (
        "当前为合成演示数据(非真实案件);乡镇范围为示意,非法定界线。",
        "Synthetic demo data (not real cases); township areas are approximate, not legal "
        "boundaries.",
    ),
    # filters
    "filters": ("筛选", "Filters"),
    "choose": ("请选择", "Choose"),
    "date_range": ("日期范围", "Date range"),
    "kinds": ("记录类型", "Record types"),
    "kind_case": ("查处案件", "Cases"),
    "kind_tip": ("举报线索", "Tips"),
    "townships": ("乡镇/街道(空=全县)", "Townships (empty = whole county)"),
    "resolution": ("六边形大小(H3 分辨率)", "Hexagon size (H3 resolution)"),
    "res_help": (
        "7≈5 km²,8≈0.7 km²,9≈0.1 km²,10≈0.015 km²",
        "7≈5 km², 8≈0.7 km², 9≈0.1 km², 10≈0.015 km²",
    ),
    "show_incidents": ("显示事件点(聚合)", "Show incidents (clustered)"),
    "periods": ("时段(需同时满足)", "Periods (all must hold)"),
    "periods_help": (
        "可组合:如“夜间+法定节假日”、“逢场日+上午”。调休上班的周六日不算双休日;"
        "逢场日按事件所在乡镇的集市周期判断。",
        "Combine freely, e.g. night + holiday, market day + morning. A Saturday or Sunday "
        "made a working day (make-up day) is not a weekend; market days follow the event "
        "township's cycle.",
    ),
    "period_night": ("夜间", "Night"),
    "period_morning": ("上午", "Morning"),
    "period_weekend": ("双休日", "Weekend"),
    "period_workday": ("工作日", "Workday"),
    "period_holiday": ("法定节假日", "Statutory holiday"),
    "period_makeup_workday": ("调休上班日", "Make-up workday"),
    "period_pre_holiday": ("节前一天", "Day before a holiday"),
    "period_chunyun": ("春运", "Spring Festival travel"),
    "period_sensitive": ("敏感时间节点", "Sensitive dates"),
    "period_market_day": ("逢场日", "Market day"),
    "period_school_commute": ("上下学时段", "School commute"),
    "period_custom": ("自定义时段", "Custom hours"),
    # patrol page
    "page_patrol": ("巡逻建议", "Patrol plan"),
    "plan_intro": (
        "按时段的历史风险(加权事件数)选择固定岗与机动巡逻岗位,使覆盖的风险最大;"
        "多日时段生成难以预测的逐日轮换。",
        "Posts for fixed and mobile teams that cover the most risk of the period (weighted "
        "past events); for several days, a rotation that is hard to predict.",
    ),
    "plan_period": ("巡逻时段", "Period"),
    "plan_hours": ("自定义时间", "Custom hours"),
    "plan_teams": ("机动巡逻队数", "Mobile teams"),
    "plan_team_size": ("每队人数", "People per team"),
    "plan_shifts": ("每日班次", "Shifts per day"),
    "plan_radius": ("单队覆盖半径(米)", "Team reach (m)"),
    "plan_fixed": ("固定岗(每日值守)", "Fixed posts (staffed daily)"),
    "plan_rotation": ("生成逐日轮换", "Day-by-day rotation"),
    "plan_days": ("轮换日期", "Rotation days"),
    "plan_holiday_factor": (
        "节假日/春运警力倍数",
        "Team multiplier on holidays / Spring Festival travel",
    ),
    "plan_exact": ("精确求解(整数规划)", "Exact solve (integer programming, HiGHS)"),
    "plan_exact_help": (
        "精确求解保证覆盖最优;关闭则用快速贪心解(通常达最优的95%以上)。",
        "Exact is optimal; off uses the fast greedy plan (usually ≥ 95% of the optimum).",
    ),
    "plan_seed": ("轮换随机种子", "Rotation seed"),
    "plan_travel": ("出发点与行程限制(可选)", "Bases and travel limit (optional)"),
    "plan_bases": ("巡逻队出发点(重点区域)", "Team bases (key areas)"),
    "plan_max_travel": ("机动岗位距出发点不超过(米)", "Mobile posts at most this far (m)"),
    "plan_go": ("生成巡逻方案", "Make the plan"),
    "plan_running": ("正在计算方案…", "Computing the plan…"),
    "plan_step_risk": ("计算时段风险与热点", "Risk and hotspots of the period"),
    "plan_step_problem": ("构建覆盖模型", "Building the coverage model"),
    "plan_step_solve": ("求解最优岗位", "Solving for the best posts"),
    "plan_step_rotation": ("生成逐日轮换", "Sampling the rotation"),
    "plan_step_done": ("完成", "Done"),
    "plan_coverage": ("风险覆盖率", "Risk covered"),
    "plan_hot": ("覆盖热点格", "Hot cells covered"),
    "plan_hot_help": (
        "热点格:本方案时段({period})近 {days} 天内 Gi* 显著的热点格。态势地图按侧栏所选日期和"
        "时段统计,两处的热点格数可能不同。",
        "Hot cells: cells with a significant Gi* hotspot in this plan's period ({period}) over "
        "the last {days} days. The situation map counts over the dates and periods chosen in "
        "its sidebar, so the two numbers can differ.",
    ),
    "plan_posts": ("岗位", "Posts"),
    "plan_person_shifts": ("所需人次", "Person-shifts"),
    "plan_expected": ("轮换期望覆盖率(不低于)", "Rotation coverage, at least"),
    "plan_post_table": ("岗位安排", "Posts"),
    "plan_schedule": ("逐日轮换排班", "Rotation schedule"),
    "plan_probabilities": ("机动岗位的出勤概率", "Visit probability of mobile posts"),
    "plan_download_xlsx": ("下载 Excel", "Download Excel"),
    "plan_download_html": ("下载打印版(网页)", "Download printable page"),
    "plan_none": ("设置条件后点击“生成巡逻方案”。", "Set the options and press “Make the plan”."),
    "layer_posts": ("巡逻岗位", "Patrol posts"),
    # briefing page
    "page_brief": ("月度通报", "Monthly briefing"),
    "brief_month": ("月份", "Month"),
    "brief_scope": ("范围", "Scope"),
    "brief_county": ("全县", "Whole county"),
    "brief_make": ("生成通报", "Make the briefing"),
    "brief_docx": ("下载 Word 文档", "Download Word (DOCX)"),
    "brief_pdf": ("下载 PDF", "Download PDF"),
    "brief_png": ("下载热点图(图片)", "Download map (PNG)"),
    "brief_no_pdf": (
        "本机未安装 LibreOffice,无法生成 PDF;可下载 Word 版。",
        "LibreOffice is not installed here, so no PDF; the Word file is ready.",
    ),
    "brief_screening": (
        "正在筛查本月和上月的卡口过车数据(每月一次)……",
        "Screening this month's and last month's checkpoint passes (once a month)…",
    ),
    "brief_no_screening": (
        "卡口过车数据无法筛查,本通报不含疑似车辆一节:{msg}",
        "The checkpoint passes could not be screened; the briefing has no section on suspect "
        "vehicles: {msg}",
    ),
    "brief_preview": ("预览", "Preview"),
    "brief_chinese": (
        "",
        "The briefing is an official document in Chinese: the preview shows it as it prints.",
    ),
    # evaluation page
    "page_eval": ("效果评估", "Evaluation"),
    "eval_intro": (
        "滚动回测:每个测试月只用此前的数据预测,标出面积占比 1%、2%、5%、10% 的最高风险格,"
        "再用该月实际事件检验。命中率=落入标出格的事件占比;PAI=命中率/面积占比;"
        "PEI=命中数/同样格数理论上最多能命中的事件数。",
        "Rolling backtest: each test month is forecast from earlier months only; the riskiest "
        "cells covering 1, 2, 5 and 10% of the area are flagged and scored on that month's "
        "events. Hit rate = share of events in flagged cells; PAI = hit rate / area share; "
        "PEI = hits / the most hits that many cells could have had.",
    ),
    "eval_uses": (
        "态势地图按所选时段的历史加权事件数与 Gi* 显示热点;巡逻建议的风险面相当于 window12 方法"
        "(近12个月)。default 方法按此前3个月的回测表现自动选择,在当前数据上选择了:{chosen}。",
        "The situation map shows weighted past events and Gi* for the chosen periods; patrol "
        "plans use the window12 risk (last 12 months). The default method picks, at each month, "
        "the method that did best over the three months before; on these data it chose: "
        "{chosen}.",
    ),
    "eval_res": ("评估分辨率", "Resolution evaluated"),
    "eval_pai5_default": ("PAI@5%(default)", "PAI@5% (default)"),
    "eval_pai5_last": ("PAI@5%(上月计数)", "PAI@5% (last month)"),
    "eval_hit5_default": ("命中率@5%(default)", "Hit rate@5% (default)"),
    "eval_months": ("测试月数", "Test months"),
    "eval_table": ("各方法平均指标", "Mean metrics by method"),
    "eval_chart": ("PAI 与面积占比", "PAI by area share"),
    "eval_none": ("数据不足3个月以上,无法回测。", "Fewer than four months of data: no backtest."),
    "kind_fixed": ("固定岗", "Fixed post"),
    "kind_mobile": ("机动巡逻", "Mobile patrol"),
    "layer_mode": ("六边形显示", "Hexagons show"),
    "mode_gi": ("Gi* 热点分级", "Gi* hot spots"),
    "mode_score": ("加权计数", "Weighted counts"),
    "show_trends": ("显示月度趋势", "Show monthly trends"),
    "weights": ("案件与线索的权重", "Weights of cases and tips"),
    "case_weight": ("每起查处案件", "Per case"),
    "tip_weight": ("每条举报线索", "Per tip"),
    "weights_help": (
        "查处案件多发生在巡查已经覆盖的地方(执法偏差);举报线索来自群众,能反映巡查未到之处。"
        "可分别查看(记录类型),或调整两者在得分中的权重。",
        "Cases are found where patrols already go (enforcement bias); tips come from the "
        "public and can point to places patrols miss. View them separately (record types) or "
        "weigh them here.",
    ),
    "risk_table": ("重点区域风险等级", "Key-area risk levels"),
    "risk_help": (
        "高:含99%热点格,或2个及以上95%热点格,或95%热点格且趋势上升;中:含90-95%热点格或趋势上升;"
        "低:无显著热点。随所选时段与筛选条件变化。",
        "High: a 99% hot cell, two or more 95% hot cells, or a 95% hot cell that is rising; "
        "medium: a 90-95% hot cell or a rising trend; low: no significant hot cell. Follows "
        "the chosen periods and filters.",
    ),
    "cell_series": ("{place}:逐月事件与热点强度", "{place}: events and hot-spot strength by month"),
    "click_hint": (
        "点击地图上的六边形,查看其逐月事件数与 Gi* z 值。",
        "Click a hexagon on the map to see its monthly events and Gi* z.",
    ),
    "m_hot": ("显著热点格", "Significant hot cells"),
    "deck_note": (
        "六边形较多({n}个),使用 deck.gl 快速视图;缩小范围或调大六边形可回到交互地图。",
        "Many hexagons ({n}): shown in the fast deck.gl view; narrow the area or use larger "
        "hexagons for the interactive map.",
    ),
    "series_n": ("事件数", "Events"),
    "series_z": ("Gi* z 值", "Gi* z"),
    # metrics
    "m_events": ("事件数", "Events"),
    "m_cases": ("查处案件", "Cases"),
    "m_tips": ("举报线索", "Tips"),
    "m_cells": ("有事件的六边形", "Hexagons with events"),
    "no_events": ("所选条件下没有事件。", "No events match the filters."),
    "top_cells": ("事件最多的六边形", "Busiest hexagons"),
    # layers and tooltips
    "layer_hex": ("六边形热度", "Hexagon score"),
    "layer_key_areas": ("重点区域", "Key areas"),
    "layer_townships": ("乡镇边界(示意)", "Township boundaries (approx.)"),
    "layer_routes": ("重点线路", "Key routes"),
    "layer_incidents": ("事件点", "Incidents"),
    "layer_trend": ("趋势(按月)", "Monthly trend"),
    "legend_gi": ("Gi* 热点分级(已做多重检验校正)", "Gi* hot/cold spots (FDR-corrected)"),
    "col_gi_label": ("热点分级", "Hotspot class"),
    "col_gi_z": ("Gi* z 值", "Gi* z-score"),
    "col_trend_label": ("趋势", "Trend"),
    "col_level_label": ("风险等级", "Risk level"),
    "col_reasons": ("依据", "Reasons"),
    "col_risk_covered": ("覆盖风险", "Risk covered"),
    "legend_title": (
        "加权得分(案件×{case_w:g} + 线索×{tip_w:g})",
        "Score (cases×{case_w:g} + tips×{tip_w:g})",
    ),
    "col_h3_cell": ("六边形编号", "H3 cell"),
    "col_n": ("事件数", "Events"),
    "col_n_case": ("查处案件", "Cases"),
    "col_n_tip": ("举报线索", "Tips"),
    "col_score": ("加权得分", "Score"),
    "col_township": ("乡镇", "Township"),
    "col_nearest_key_area": ("最近重点区域", "Nearest key area"),
    "col_key_area_m": ("距离(米)", "Distance (m)"),
    "col_category": ("类别", "Category"),
    "col_name": ("名称", "Name"),
    "col_market_days": ("逢场日", "Market days"),
    # key-area categories
    "cat_hsr_station": ("高铁站", "HSR station"),
    "cat_bus_terminal": ("汽车客运站", "Bus terminal"),
    "cat_shopping": ("商圈", "Shopping district"),
    "cat_residential": ("大型小区", "Residential estate"),
    "cat_hospital": ("医院", "Hospital"),
    "cat_school": ("学校", "School"),
    "cat_rural_market": ("农村场镇集市", "Rural market"),
    "cat_expressway_exit": ("高速出口", "Expressway exit"),
    "cat_service_area": ("服务区", "Service area"),
    "cat_scenic": ("景区", "Scenic spot"),
    # ledger check page
    "check_intro": (
        "上传台账(CSV/XLSX/GeoJSON),检查哪些行可以导入、哪些行有问题及原因。文件不会被保存。",
        "Upload a ledger (CSV/XLSX/GeoJSON) to see which rows are accepted and why others are "
        "rejected. The file is not stored.",
    ),
    "upload": ("选择台账文件", "Choose a ledger file"),
    "crs": ("坐标系(无“坐标系”列时)", "Coordinate system (rows without a crs column)"),
    "default_kind": ("记录类型(无“类型”列时)", "Record type (rows without a kind column)"),
    "kind_none": ("按文件中的类型列", "From the file's kind column"),
    "rows_read": ("读取行数", "Rows read"),
    "rows_accepted": ("可导入", "Accepted"),
    "rows_rejected": ("有问题", "Rejected"),
    "header_map": ("表头识别结果", "Recognised headers"),
    "rejects": ("问题行及原因", "Rejected rows and reasons"),
    "download_rejects": ("下载问题行(CSV)", "Download rejected rows (CSV)"),
    "accepted_preview": ("可导入记录预览", "Accepted records (preview)"),
    "read_error": ("无法读取文件:{msg}", "Cannot read the file: {msg}"),
    "load_rejects_note": (
        "启动数据中有 {n} 行未通过检查,已排除:",
        "{n} rows of the start-up data failed the checks and are left out:",
    ),
    # blacklist (黑名单): repeat vehicles and key areas under watch
    "layer_bl_vehicles": ("黑名单车辆(最近位置)", "Blacklisted vehicles (last seen)"),
    "layer_bl_areas": ("重点监控区域", "Key areas under watch"),
    "bl_counts": (
        "事件 {n} 起(查处 {cases},举报 {tips})",
        "{n} events (cases {cases}, tips {tips})",
    ),
    "bl_seen": ("首次 {first},最近 {last}", "First seen {first}, last {last}"),
    "bl_area_counts": ("本期 {n} 起,上期 {prev} 起", "{n} events this window, {prev} before"),
    "bl_growth": ("为上期的 {x:.1f} 倍", "{x:.1f}× the window before"),
    "bl_reason_count": ("事件数达到阈值", "Event count at the threshold"),
    "bl_reason_growth": ("事件数明显上升", "Events rising sharply"),
    # blacklist page
    "page_blacklist": ("黑名单", "Blacklist"),
    "bl_intro": (
        "多次被查处或举报的车辆和当事人,以及事件数达到阈值或明显上升的重点区域;阈值由指挥员设定。"
        "指挥员在车辆筛查页加入的车辆也列在车辆表中(来源:过车筛查)。"
        "非指挥员角色看到的车牌已脱敏,括号内编号用于区分车辆。",
        "Vehicles and persons with repeated cases or tips, and key areas whose events reach "
        "the threshold or rise sharply; the commander sets the thresholds. Vehicles a "
        "commander adds on the vehicle screening page are in the vehicle table too (source: "
        "checkpoint screening). Other roles see masked plates; the id in brackets tells "
        "vehicles apart.",
    ),
    "bl_rules": ("阈值设置", "Thresholds"),
    "bl_save": ("保存阈值", "Save thresholds"),
    "bl_saved": ("阈值已保存。", "Thresholds saved."),
    "bl_rules_commander": ("仅指挥员可修改阈值。", "Only a commander can change thresholds."),
    "bl_window_days": ("车辆/人员统计天数", "Vehicle/person window (days)"),
    "bl_vehicle_min_events": ("车辆最少事件数", "Vehicle: min. events"),
    "bl_vehicle_min_cases": ("车辆最少查处数", "Vehicle: min. cases"),
    "bl_person_min_events": ("人员最少事件数", "Person: min. events"),
    "bl_area_window_days": ("区域统计天数", "Area window (days)"),
    "bl_area_min_events": ("区域最少事件数", "Area: min. events"),
    "bl_area_growth": ("区域上升倍数", "Area: growth factor"),
    "bl_n_vehicles": ("黑名单车辆", "Blacklisted vehicles"),
    "bl_n_persons": ("黑名单人员", "Blacklisted persons"),
    "bl_n_areas": ("重点监控区域", "Key areas under watch"),
    "bl_tab_vehicles": ("车辆", "Vehicles"),
    "bl_tab_persons": ("人员", "Persons"),
    "bl_tab_areas": ("重点区域", "Key areas"),
    "bl_download": ("下载表格(CSV)", "Download table (CSV)"),
    # login and roles
    "login_title": ("登录", "Log in"),
    "login_user": ("用户名", "User name"),
    "login_password": ("密码", "Password"),
    "login_submit": ("登录", "Log in"),
    "login_failed": ("登录失败:{msg}", "Login failed: {msg}"),
    "session_expired": (
        "超过 {minutes} 分钟未操作,已自动退出,请重新登录。",
        "You were logged out after {minutes} minutes without activity; please log in again.",
    ),
    "session_logout": (
        "您已在本浏览器的其他页面退出登录,请重新登录。",
        "You logged out in another tab of this browser; please log in again.",
    ),
    "session_removed": (
        "该账号已被删除或停用,会话已结束。如有疑问请联系管理员。",
        "This account was removed or deactivated; the session ended. Ask the administrator.",
    ),
    "session_changed": (
        "该账号的角色或所属乡镇已变更,请重新登录。",
        "This account's role or township changed; please log in again.",
    ),
    "session_password": (
        "该账号的密码已修改,请用新密码重新登录。",
        "This account's password was changed; please log in with the new one.",
    ),
    "login_no_users": (
        "尚未创建任何用户。请在服务器上运行:hexpatrol users add 用户名 --role commander",
        "No users yet. On the server run: hexpatrol users add NAME --role commander",
    ),
    "login_demo": (
        "演示账号(仅限合成演示数据):commander(指挥员)、analyst(分析员)、"
        "t+乡镇代码(乡镇,如 t500235001);密码均为 {password}",
        "Demo accounts (synthetic demo only): commander, analyst, t + township code "
        "(township, e.g. t500235001); password {password} for all",
    ),
    "signed_in_as": ("{name}({role})", "{name} ({role})"),
    "logout": ("退出登录", "Log out"),
    "role_commander": ("指挥员", "commander"),
    "role_analyst": ("分析员", "analyst"),
    "role_township": ("乡镇", "township"),
    "not_allowed": ("当前角色无权访问此页面。", "Your role may not open this page."),
    # import page
    "page_import": ("数据导入", "Import"),
    "import_intro": (
        "上传查处或举报台账(CSV/Excel/GeoJSON),先预览:可导入、问题行及原因、与库中重复的记录、"
        "疑似重复(同一车牌短时间近距离,或同一车辆的多条举报);确认后作为一个批次入库,"
        "可整体撤销。",
        "Upload a case or tip ledger (CSV/Excel/GeoJSON) and preview it first: rows to "
        "import, rejected rows with reasons, records already stored, and likely duplicates "
        "(same plate close in time and place, or several tips about one vehicle). Committing "
        "stores it as one batch, which can be undone as a whole.",
    ),
    "import_scope": (
        "乡镇账号只能导入本乡镇({code})范围内的记录,其他行将被退回。",
        "A township account imports rows of its own township ({code}) only; others are rejected.",
    ),
    "import_reading": ("正在读取并核对 {name} …", "Reading and checking {name}…"),
    "import_n_rows": ("读取行数", "Rows read"),
    "import_n_new": ("新增", "New"),
    "import_n_changed": ("更新", "Changed"),
    "import_n_unchanged": ("已在库中", "Already stored"),
    "import_n_rejected": ("问题行", "Rejected"),
    "import_n_flagged": ("疑似重复", "Likely duplicates"),
    "import_help_rows": ("文件中的数据行", "Data rows in the file"),
    "import_help_new": ("编号在库中不存在的记录", "Records whose id is not stored yet"),
    "import_help_changed": (
        "编号已存在但内容有变化(如核实结果),将更新,撤销批次可恢复原值",
        "Same id, different content (e.g. a tip now verified): updated; undoing the batch "
        "restores the old values",
    ),
    "import_help_unchanged": (
        "编号和内容都与库中相同,跳过",
        "Same id and content as stored: skipped",
    ),
    "import_help_rejected": ("未通过检查的行,见“问题行”", "Rows failing the checks"),
    "import_help_flagged": (
        "与已有记录疑似同一事件,仍会入库,供复核",
        "Probably the same incident as another record; stored anyway, for review",
    ),
    "import_flags": ("疑似重复", "Likely duplicates"),
    "import_flags_help": (
        "同一车牌、时间地点相近(在设定的分钟数和米数内),或同一车辆的多条举报。"
        "疑似重复不会被自动合并,请逐条复核。",
        "The same plate near in time and place (within the set minutes and metres), or "
        "several tips about one vehicle. Nothing is merged automatically; review each one.",
    ),
    "import_no_rejects": ("没有问题行。", "No rejected rows."),
    "import_nothing": (
        "该文件的记录均已在库中,无需导入。",
        "Every record of this file is already stored; nothing to import.",
    ),
    "import_commit": ("确认导入", "Commit import"),
    "import_writing": ("正在写入 …", "Writing…"),
    "import_progress": ("已写入 {done}/{total}", "Written {done}/{total}"),
    "import_done": (
        "已导入,批次号 {batch}。地图等页面已使用新数据。",
        "Imported as batch {batch}; the map and other pages use the new data.",
    ),
    "download_rejects_xlsx": ("下载问题行(Excel,含原始行和原因)", "Download rejected rows (Excel)"),
    # batches page
    "page_batches": ("导入批次", "Batches"),
    "batches_none": ("还没有导入批次。", "No import batches yet."),
    "batch_batch_id": ("批次号", "Batch"),
    "batch_created_at": ("导入时间", "Imported at"),
    "batch_status": ("状态", "Status"),
    "batch_username": ("导入人", "By"),
    "account_system": ("系统(初始数据)", "system (initial data)"),
    "batch_file_name": ("文件", "File"),
    "batch_n_new": ("新增", "New"),
    "batch_n_changed": ("更新", "Changed"),
    "batch_n_unchanged": ("已在库中", "Already stored"),
    "batch_n_rejected": ("问题行", "Rejected"),
    "batch_n_flagged": ("疑似重复", "Flagged"),
    "batch_scope": ("范围", "Scope"),
    "batch_pick": ("选择批次", "Batch"),
    "batch_changes": ("本批次新增和更新的记录", "Records this batch added or changed"),
    "col_change": ("变化", "Change"),
    "col_event_id": ("编号", "Id"),
    "col_kind": ("类型", "Type"),
    "col_occurred_at": ("发生时间", "Time"),
    "col_township_code": ("乡镇代码", "Township"),
    "col_fields": ("变更内容(原值 → 新值)", "Changed fields (old → new)"),
    "col_batch_id": ("批次号", "Batch"),
    "col_other_id": ("疑似重复于", "Probably the same as"),
    "col_rule": ("规则", "Rule"),
    "col_minutes": ("相隔分钟", "Minutes apart"),
    "col_metres": ("相距米数", "Metres apart"),
    "change_added": ("新增", "added"),
    "change_changed": ("更新", "changed"),
    "batch_undo": ("撤销该批次", "Undo this batch"),
    "batch_undone": (
        "批次 {batch} 已撤销:删除 {removed} 条,恢复 {restored} 条原记录。",
        "Batch {batch} undone: {removed} removed, {restored} previous versions restored.",
    ),
    "review_title": ("疑似重复复核", "Review likely duplicates"),
    "review_none": ("没有待复核的疑似重复。", "No likely duplicates to review."),
    "review_pick": ("选择一条", "Flag"),
    "review_duplicate": ("确认为重复(不再计入分析)", "Duplicate (leave out of analyses)"),
    "review_distinct": ("不是重复", "Not a duplicate"),
    # audit page
    "page_audit": ("审计日志", "Audit log"),
    "audit_actions": ("操作类型(空=全部)", "Actions (empty = all)"),
    "audit_at": ("时间", "Time"),
    "audit_username": ("用户", "User"),
    "audit_action": ("操作", "Action"),
    "audit_scope": ("范围", "Scope"),
    "audit_detail": ("详情", "Detail"),
    # key-area editor
    "page_key_areas": ("重点区域", "Key areas"),
    "ka_intro": (
        "在地图上点击位置后可在此处新增重点区域或把已有区域移到该处;在表格中可修改名称、类别、"
        "半径和赶集日(如 1,4,7 或 农历2,5,8),或删除行,然后点“保存”。每次保存都记入审计日志。",
        "Click the map to add a key area there or move an existing one; edit names, "
        "categories, radii and market days (e.g. 1,4,7 or lunar:2,5,8) or delete rows in the "
        "table, then save. Every save is written to the audit log.",
    ),
    "ka_saved": ("已保存:{summary}", "Saved: {summary}"),
    "ka_click": ("在地图上点击一个位置。", "Click a place on the map."),
    "ka_point": ("选中位置:纬度 {lat:.5f},经度 {lon:.5f}", "Chosen: lat {lat:.5f}, lon {lon:.5f}"),
    "ka_name": ("名称", "Name"),
    "ka_category": ("类别", "Category"),
    "ka_radius": ("半径(米)", "Radius (m)"),
    "ka_market_days": ("赶集日", "Market days"),
    "ka_add": ("在此处新增", "Add here"),
    "ka_move_pick": ("要移动的区域", "Area to move"),
    "ka_move": ("移到此处", "Move here"),
    "ka_table": ("重点区域表", "Key-area table"),
    "ka_save": ("保存", "Save"),
    "ka_lat": ("纬度", "Latitude"),
    "ka_lon": ("经度", "Longitude"),
    "ka_market_hours": ("赶集时段", "Market hours"),
    "ka_name_en": ("英文名", "English name"),
    "ka_note": ("备注", "Note"),
    # blacklist table headers
    "bl_col_plate": ("车牌", "Plate"),
    "bl_col_party": ("当事人", "Person"),
    "bl_col_n_events": ("事件数", "Events"),
    "bl_col_n_cases": ("查处", "Cases"),
    "bl_col_n_tips": ("举报", "Tips"),
    "bl_col_first_seen": ("首次", "First seen"),
    "bl_col_last_seen": ("最近", "Last seen"),
    "bl_col_townships": ("涉及乡镇", "Townships"),
    "bl_col_last_lat": ("最近纬度", "Last latitude"),
    "bl_col_last_lon": ("最近经度", "Last longitude"),
    "bl_col_event_ids": ("事件编号", "Event ids"),
    "bl_col_name": ("名称", "Name"),
    "bl_col_category": ("类别", "Category"),
    "bl_col_township_code": ("乡镇代码", "Township code"),
    "bl_col_radius_m": ("半径(米)", "Radius (m)"),
    "bl_col_n_window": ("本期事件", "Events (window)"),
    "bl_col_n_previous": ("上期事件", "Events (before)"),
    "bl_col_growth": ("倍数", "Growth"),
    "bl_col_flagged": ("重点监控", "Under watch"),
    "bl_col_reason": ("原因", "Reason"),
    # ---- words for codes (issue 14: no raw codes on any page)
    "scope_county": ("全县", "whole county"),
    "status_committed": ("已导入", "imported"),
    "status_undone": ("已撤销", "undone"),
    "rule_same_plate_near": ("同一车牌,时间地点相近", "same plate, near in time and place"),
    "rule_tip_same_vehicle": ("同一车辆的多条举报", "several tips about one vehicle"),
    "decision_duplicate": ("确认为重复", "duplicate"),
    "decision_distinct": ("不是重复", "not a duplicate"),
    "crs_wgs84": ("WGS-84(GPS、天地图)", "WGS-84 (GPS, Tianditu)"),
    "crs_gcj02": ("GCJ-02(高德、腾讯)", "GCJ-02 (Amap, Tencent)"),
    "crs_bd09": ("BD-09(百度)", "BD-09 (Baidu)"),
    "kind_guess": ("从表头判断(表头中有“类型”列时按该列)", "From the headers (or the kind column)"),
    "kind_guessed": (
        "表中没有“类型”列,按表头判断为:{kind}。",
        "No kind column: read from the headers as {kind}.",
    ),
    "bool_true": ("是", "yes"),
    "bool_false": ("否", "no"),
    "reason_count": ("事件数达到阈值", "events at the threshold"),
    "reason_growth": ("事件数快速上升", "events rising sharply"),
    "field_event_id": ("编号", "Id"),
    "field_kind": ("记录类型", "Record type"),
    "field_occurred_at": ("发生时间", "Time"),
    "field_date": ("日期", "Date"),
    "field_clock": ("时刻", "Clock time"),
    "field_lon": ("经度", "Longitude"),
    "field_lat": ("纬度", "Latitude"),
    "field_lonlat": ("经纬度", "Position"),
    "field_crs": ("坐标系", "Coordinate system"),
    "field_township": ("乡镇", "Township"),
    "field_plate": ("车牌", "Plate"),
    "field_vehicle_type": ("车辆类型", "Vehicle type"),
    "field_seats": ("核定座位", "Seats"),
    "field_offence": ("违法行为", "Offence"),
    "field_address": ("地点", "Address"),
    "field_status": ("核实情况", "Status"),
    "field_source": ("线索来源", "Source"),
    "field_unit": ("办案单位", "Unit"),
    "field_party": ("当事人", "Person"),
    "field_time_precision": ("时间精度", "Time precision"),
    "field_crs_in": ("原坐标系", "Source coordinate system"),
    "field_township_code": ("乡镇", "Township"),
    "field_tipster_name": ("举报人(保密,单独保存)", "Tipster (confidential, kept apart)"),
    "field_tipster_phone": ("举报人电话(保密,单独保存)", "Tipster phone (confidential)"),
    "hm_header": ("文件中的列", "Column in the file"),
    "hm_field": ("识别为", "Read as"),
    "rj_row": ("行号", "Row"),
    "rj_file": ("文件/工作表", "File / sheet"),
    "rj_column": ("列", "Column"),
    "rj_value": ("原值", "Value"),
    "rj_reason": ("原因及改法", "Reason and fix"),
    "import_committed_already": (
        "该文件已导入(批次号 {batch})。如需再次导入,请重新选择文件。",
        "This file was imported (batch {batch}). Choose the file again to import it again.",
    ),
    "import_again": ("导入另一个文件", "Import another file"),
    "import_rows_none": (
        "台账中没有数据行,无需导入。",
        "The ledger has no data rows: nothing to import.",
    ),
    "import_scope_name": (
        "乡镇账号只能导入本乡镇({name})范围内的记录;坐标不在本乡镇的行将被退回。",
        "A township account imports rows inside its own township ({name}) only; rows whose "
        "position lies elsewhere are rejected.",
    ),
    "batch_option": (
        "{batch} · {file} · {when} · {status}",
        "{batch} · {file} · {when} · {status}",
    ),
    "undo_title": ("撤销导入批次", "Undo an import batch"),
    "undo_what": (
        "将撤销批次 **{batch}**(文件 {file},{when} 由 {user} 导入):删除该批次新增的 {new} 条"
        "记录,被该批次更新的 {changed} 条记录恢复为更新前的内容,其问题行和疑似重复标记一并移除。"
        "此操作会记入审计日志。",
        "Undo batch **{batch}** (file {file}, imported {when} by {user}): the {new} records it "
        "added are deleted, the {changed} records it changed get their previous content back, "
        "and its rejects and duplicate flags go. The undo is written to the audit log.",
    ),
    "undo_type": (
        "该批次涉及 {n} 条记录。请输入批次号以确认:",
        "This batch touches {n} records. Type the batch id to confirm:",
    ),
    "undo_confirm": ("确认撤销", "Undo"),
    "undo_cancel": ("取消", "Cancel"),
    "undo_mismatch": ("输入的批次号不一致。", "The batch id does not match."),
    "undo_initial": (
        "这是系统首次载入数据的批次,撤销后库中将没有这些记录。",
        "This is the initial load; after undoing it none of these records remain.",
    ),
    "ka_saved_nothing": ("没有改动,无需保存。", "Nothing changed; nothing saved."),
    "ka_changes": ("已保存。{parts}", "Saved. {parts}"),
    "ka_added": ("新增:{names}", "added: {names}"),
    "ka_removed": ("删除:{names}", "removed: {names}"),
    "ka_changed": ("修改:{names}", "changed: {names}"),
    "ka_col_township": ("所属乡镇", "Township"),
    "loading_data": ("正在加载数据 …", "Loading data…"),
    "forecasting": ("正在预测下月风险 …", "Forecasting next month…"),
    "m_events_help": (
        "所选时段和条件下的查处案件与举报线索总数",
        "Cases and tips under the filters",
    ),
    "m_cases_help": ("其中查处案件", "Of which cases"),
    "m_tips_help": ("其中举报线索", "Of which tips"),
    "m_cells_help": ("至少有一起事件的六边形个数", "Hexagons with at least one event"),
    "m_hot_help": (
        "Gi* 统计显著的热点六边形(90%及以上置信,已做多重检验校正),即地图上的红色格",
        "Hexagons that are significant Gi* hot spots (90% or more, FDR-corrected): the red "
        "cells on the map",
    ),
    "m_hot_lonely": (
        "显著热点格中有 {n} 个本身没有事件:它们紧邻事件密集的格子,因此统计上显著"
        "(地图提示中注明)。",
        "{n} hot cells have no event of their own: they border busy cells and are significant "
        "because of them (their tooltip says so).",
    ),
    "cell_empty": (
        "所选条件下这个六边形没有事件,也不是显著热点。",
        "This hexagon has no events under the filters and is not a significant hot spot.",
    ),
    "cell_details": ("技术细节", "Technical details"),
    "cell_id": ("H3 编号:{cell}", "H3 id: {cell}"),
    "axis_month": ("月份", "Month"),
    "risk_none": ("所选范围内没有重点区域。", "No key area in the chosen area."),
    "hot_by_neighbours": (
        "(本格无事件,因周边事件密集而显著)",
        " (no event here: significant because of its neighbours)",
    ),
    "risk_high": ("高", "High"),
    "risk_medium": ("中", "Medium"),
    "risk_low": ("低", "Low"),
    "rr_hot": ("{n}个{conf}%热点格", "{n} hot cell(s) at {conf}%"),
    "rr_rising": ("趋势上升", "rising"),
    "rr_falling": ("趋势减弱", "easing"),
    "rr_none": ("无显著热点", "no significant hot cell"),
    "rr_events": ("事件{n}起", "{n} events"),
    "rr_neighbours": (
        "热点来自周边,本区域无事件",
        "hot through its neighbours, no event of its own",
    ),
    "computing": ("正在计算热点和趋势 …", "Computing hotspots and trends…"),
    "backtesting": ("正在回测各预测方法 …", "Backtesting the forecasts…"),
    "ka_id": ("编号", "Id"),
    "ka_market_days_help": (
        "农村集市的逢场日:1,4,7 表示每月逢 1、4、7 结尾的日期;lunar:1,4,7 表示农历",
        "Market days of a rural market: 1,4,7 = dates ending 1, 4, 7; lunar:1,4,7 for lunar dates",
    ),
    # ---- the audit log, worded for its reader
    "action_login": ("登录", "log in"),
    "action_login_failed": ("登录失败", "failed login"),
    "action_login_locked": ("登录被锁定", "login locked"),
    "action_login_refused": ("账号配置有误,拒绝登录", "login refused (account misconfigured)"),
    "action_logout": ("退出登录", "log out"),
    "action_import": ("导入", "import"),
    "action_undo": ("撤销导入", "undo import"),
    "action_review": ("复核疑似重复", "review duplicate"),
    "action_export": ("下载", "download"),
    "action_plan": ("生成巡逻方案", "patrol plan"),
    "action_briefing": ("生成通报", "briefing"),
    "action_option": ("修改设置", "setting changed"),
    "action_key_areas": ("修改重点区域", "key areas edited"),
    "action_user_add": ("新增用户", "user added"),
    "action_user_remove": ("删除用户", "user removed"),
    "action_user_passwd": ("修改密码", "password changed"),
    "audit_fmt_import": (
        "批次 {batch}(文件 {file}):新增 {new},更新 {changed},已在库中 {unchanged},"
        "问题行 {rejected},疑似重复 {flagged}",
        "batch {batch} ({file}): {new} new, {changed} changed, {unchanged} already stored, "
        "{rejected} rejected, {flagged} flagged",
    ),
    "audit_fmt_undo": (
        "撤销批次 {batch}:删除 {removed} 条,恢复 {restored} 条原记录",
        "batch {batch} undone: {removed} removed, {restored} restored",
    ),
    "audit_fmt_review": ("{event} 与 {other}:{decision}", "{event} and {other}: {decision}"),
    "audit_fmt_option": ("{name} = {value}", "{name} = {value}"),
    "audit_fmt_user_add": ("{user}({role})", "{user} ({role})"),
    "audit_fmt_user_remove": ("{user}", "{user}"),
    "audit_fmt_user_passwd": ("{user}", "{user}"),
    "audit_fmt_export": ("{file}", "{file}"),
    "audit_fmt_plan": ("{period} {window}:{posts} 个岗位", "{period} {window}: {posts} posts"),
    "audit_fmt_briefing": ("{month} {scope}", "{month} {scope}"),
    "audit_fmt_logout": ("{reason}", "{reason}"),
    "audit_fmt_key_areas": ("{parts}", "{parts}"),
    "audit_fmt_login_refused": ("账号配置有误", "account misconfigured"),
    "end_expired": ("超时自动退出", "idle timeout"),
    "end_logout": ("主动退出", "logged out"),
    "end_removed": ("账号已删除", "account removed"),
    "end_changed": ("账号权限变更", "account changed"),
    "end_password": ("密码已修改", "password changed"),
    "option_blacklist_rules": ("黑名单阈值", "blacklist thresholds"),
    # printmap (issue 16): base map, legend, hotspot list, plans, briefings
    "layer_roads": ("道路", "Roads"),
    "layer_rivers": ("河流水系", "Rivers"),
    "layer_villages": ("村庄", "Villages"),
    "legend_lines": ("线路与底图", "Lines and base map"),
    "legend_road_expressway": ("高速公路", "Expressway"),
    "legend_road_major": ("国道、省道、县道", "Major road"),
    "legend_road_minor": ("乡村道路", "Minor road"),
    "legend_watch_radius": ("重点区域范围", "Key-area radius"),
    "legend_post_reach": ("巡逻覆盖范围", "Patrol reach"),
    "legend_no_events_blank": ("无事件(不着色)", "No events (not filled)"),
    "legend_cluster": ("聚合点(数字为事件数)", "Cluster (number of events)"),
    "synthetic_basemap": (
        "底图、道路、村庄与河流均为合成示意数据,非真实地图。",
        "The base map, roads, villages and rivers are synthetic illustrations, not real map "
        "data.",
    ),
    "place_m": ("约{m}米", "about {m} m"),
    "place_km": ("约{km}公里", "about {km} km"),
    "place_unknown": ("(位置不详)", "(unknown place)"),
    "hot_list": ("热点排行", "Top hotspots"),
    "hot_list_help": (
        "按热点置信度和Gi* z值排序的前10个六边形(仅含有事件的);点击一项,地图缩放到该处。",
        "The top 10 hexagons with events, by hotspot confidence and Gi* z; choose one to "
        "zoom the map there.",
    ),
    "hot_list_empty": ("当前筛选下没有事件。", "No events for these filters."),
    "hot_list_caption": ("{n}起 · {cls} · {trend}", "{n} events · {cls} · {trend}"),
    "hot_list_reset": ("显示全图", "Show the whole map"),
    "assets_missing": (
        "地图组件缺失({n}个文件,如 {first}):地图无法显示。请在安装目录运行 make assets"
        "(或 .venv/bin/python -m layers.assets fetch)后刷新页面。",
        "Map scripts are missing ({n} files, e.g. {first}): the map cannot be drawn. Run "
        "make assets (or .venv/bin/python -m layers.assets fetch) and reload the page.",
    ),
    "tiles_missing": (
        "底图“{name}”尚未导入,地图只显示乡镇边界。请运行 hexpatrol basemap import 底图.mbtiles "
        "--name {name}(演示底图:make assets)。",
        "The base map '{name}' has not been imported; the map shows township outlines only. "
        "Run hexpatrol basemap import FILE.mbtiles --name {name} (the demo's: make assets).",
    ),
    "plan_teams_table": ("分组安排", "Teams"),
    "plan_window_label": ("巡逻时间(随时段)", "Hours (of the period)"),
    "plan_team_no": ("组号", "Team"),
    "plan_duty_fixed": ("{name}(固定岗)", "{name} (fixed post)"),
    "plan_duty_mobile": ("{name} 周边{radius}米巡逻", "patrol within {radius} m of {name}"),
    "plan_roster_post": ("{n}号岗", "Post {n}"),
    "plan_roster_rest": ("休整", "Rest"),
    "plan_roster_note": (
        "固定岗各组每天守同一岗位;机动组每天按风险轮换岗位(组号与岗位号不对应),使巡逻规律难以被摸清。",
        "Fixed-post teams keep their posts every day; mobile teams change posts day by day with "
        "the risk (team numbers do not match post numbers), so no pattern can be learned.",
    ),
    "plan_busy_days": (
        "节假日、春运期间机动组按 {factor} 倍安排:{days} 各 {teams} 个机动组(平日 {normal} 个),"
        "轮换排班中组号 {first} 及以后的组不在分组安排内,需另行调派警力。",
        "On holidays and in the Chunyun travel season mobile teams are multiplied by {factor}: "
        "{days} have {teams} mobile teams (other days {normal}); teams {first} and above in the "
        "rotation are not in the team table and need officers called in.",
    ),
    "plan_preset_label": ("节假日(按节假日日历)", "Holiday (from the holiday calendar)"),
    "plan_preset_own": ("自选日期", "Dates of my own"),
    "plan_preset": (
        "{year}年{names} {first:%m月%d日}–{last:%m月%d日}({n}天)",
        "{year} {names}, {first:%b %d} – {last:%b %d} ({n} days)",
    ),
    "holiday_new_years_day": ("元旦", "New Year's Day"),
    "holiday_spring_festival": ("春节", "Spring Festival"),
    "holiday_tomb_sweeping_day": ("清明节", "Qingming Festival"),
    "holiday_labour_day": ("劳动节", "Labour Day"),
    "holiday_dragon_boat_festival": ("端午节", "Dragon Boat Festival"),
    "holiday_mid_autumn_festival": ("中秋节", "Mid-Autumn Festival"),
    "holiday_national_day": ("国庆节", "National Day"),
    "holiday_holiday": ("法定节假日", "Statutory holiday"),
    "brief_missing": (
        "本机缺少:{what}。{fix}",
        "Missing on this machine: {what}. {fix}",
    ),
    "missing_cjk_font": (
        "中文字体(通报地图上的汉字会显示为方框)",
        "a CJK font (Chinese on the briefing's map would show as boxes)",
    ),
    "missing_libreoffice": (
        "LibreOffice(无法生成PDF,Word版仍可下载)",
        "LibreOffice (no PDF; the Word file is still there)",
    ),
    "missing_fix": (
        "请管理员运行 make run(会自动安装),"
        "或 apt-get install fonts-noto-cjk libreoffice-writer-nogui。",
        "Ask the administrator to run make run (it installs them) or apt-get install "
        "fonts-noto-cjk libreoffice-writer-nogui.",
    ),
    # forecasts (issue 20): method names, the combined forecast, plans' track record,
    # the patrol backtest and the map's next-month risk
    "method_default": ("综合预测(默认)", "Combined forecast (default)"),
    "method_last": ("上月计数", "Last month's counts"),
    "method_window12": ("近12个月计数", "Last 12 months' counts"),
    "method_ewma": ("指数加权历史", "Exponentially weighted history"),
    "method_kde": ("核密度平滑", "Kernel-smoothed history"),
    "method_gistar": ("Gi*热点(近3个月)", "Gi* hot spots (last 3 months)"),
    "method_near_repeat": ("近期重复(近28天)", "Near repeat (last 28 days)"),
    "metric_hit_rate": ("命中率", "Hit rate"),
    "metric_pai": ("PAI", "PAI"),
    "metric_pei": ("PEI", "PEI"),
    "eval_method": ("方法", "Method"),
    "eval_area_share": ("面积占比", "Area share"),
    "eval_pai5_blend": ("PAI@5%(综合预测)", "PAI@5% (combined forecast)"),
    "eval_pai5_best": ("PAI@5%(最佳单一方法)", "PAI@5% (best single method)"),
    "eval_hit5_blend": ("命中率@5%(综合预测)", "Hit rate@5% (combined forecast)"),
    "eval_blend": (
        "综合预测(默认方法)把各方法的风险面按权重相加。权重只用此前各月的回测表现学习:"
        "对过去各月自助重抽样,统计各方法命中率最高的比例,再向等权收缩(月份越少收缩越多)。"
        "巡逻建议、月度通报的下月方案和态势地图的“下月风险”都用它。最近一个月的权重:{weights}。",
        "The combined forecast (the default) adds the methods' risk surfaces with weights "
        "learned from earlier months only: how often each method is best when the past "
        "months are resampled, shrunk toward equal weights (more so with fewer months). "
        "Patrol plans, the briefing's next-month plan and the map's next-month risk use it. "
        "Weights of the latest month: {weights}.",
    ),
    "eval_patrol": ("巡逻方案回测", "Patrol plans, backtested"),
    "eval_patrol_intro": (
        "对过去每个月,只用该月以前的数据制定两套方案(岗位数、覆盖半径相同):一套按综合预测,"
        "一套按上月事件数;再看该月事件有多少落在方案覆盖范围内。岗位由快速贪心算法选定。",
        "For each past month, two plans with the same teams and reach are made from the data "
        "before that month only: one on the combined forecast, one on last month's counts; "
        "each is scored by the share of that month's events within its reach. Posts are "
        "chosen by the fast greedy solver.",
    ),
    "eval_patrol_go": ("运行巡逻方案回测", "Run the patrol backtest"),
    "eval_patrol_default": ("按综合预测:平均命中", "Forecast plan: events caught"),
    "eval_patrol_last": ("按上月计数:平均命中", "Last-month plan: events caught"),
    "eval_patrol_area": ("方案覆盖面积占比", "Share of the area within reach"),
    "eval_patrol_none": (
        "该时段的数据不足4个月,无法回测巡逻方案。",
        "Fewer than four months of this period's events: no patrol backtest.",
    ),
    "eval_patrol_running": ("正在逐月回测巡逻方案…", "Backtesting the plans month by month…"),
    "col_month": ("月份", "Month"),
    "col_events": ("事件数", "Events"),
    "col_default_hit": ("综合预测方案命中率", "Forecast plan: caught"),
    "col_last_hit": ("上月计数方案命中率", "Last-month plan: caught"),
    "col_default_area": ("综合预测方案覆盖面积", "Forecast plan: area"),
    "col_last_area": ("上月计数方案覆盖面积", "Last-month plan: area"),
    "plan_intro_forecast": (
        "按所选时段的下月综合预测风险选择固定岗与机动巡逻岗位,使覆盖的预测风险最大;"
        "多日时段生成难以预测的逐日轮换。",
        "Posts for fixed and mobile teams that cover the most of next month's forecast "
        "risk of the period; for several days, a rotation that is hard to predict.",
    ),
    "plan_backtest": (
        "按该方法,过去{months}个月覆盖区域(占全域面积{area})平均命中{hit}事件,PAI {pai}。",
        "With this method, over the past {months} months the area covered ({area} of the "
        "whole) caught on average {hit} of events, PAI {pai}.",
    ),
    "plan_forecast_note": (
        "风险为{month}的综合预测,只用所选时段的事件;“覆盖风险”为预计事件数(案件与线索加权)。",
        "The risk is the combined forecast for {month} from the chosen period's events only; "
        "“risk covered” is expected (weighted) events.",
    ),
    "mode_forecast": ("下月风险", "Next month's risk"),
    "legend_forecast": ("下月预计事件数(每格)", "Expected events next month (per cell)"),
    "col_forecast": ("下月预计事件数", "Expected events next month"),
    "forecast_caption": (
        "下月({month})风险:综合预测,只用所选时段与类型的事件。按该方法,过去{months}个月"
        "风险最高的5%面积平均命中{hit}事件。",
        "Next month's ({month}) risk: the combined forecast from the chosen periods and "
        "kinds only. With this method the riskiest 5% of the area caught on average {hit} of "
        "events over the past {months} months.",
    ),
    "forecast_none": (
        "所选条件下没有事件,无法预测下月风险。",
        "No events under these filters: no forecast.",
    ),
    # suspect-vehicle screening (过车数据筛查)
    "screen_grade_high": ("高度疑似", "Highly suspected"),
    "screen_grade_medium": ("疑似", "Suspected"),
    "screen_grade_low": ("一般关注", "Watch"),
    "screen_grade_none": ("未见明显异常", "No clear pattern"),
    "screen_reason_route": (
        "近{window}天有{days}天往返{a}—{b},日均{per_day}趟",
        "on {days} of the last {window} days ran {a}—{b} and back, {per_day} runs a day",
    ),
    "screen_reason_hub": (
        "近{window}天有{days}天在车站反复进出,日均{per_day}次,{wave_pct}%在到站高峰时",
        "on {days} of the last {window} days in and out of a station again and again "
        "({per_day} visits a day, {wave_pct}% at arrival peaks)",
    ),
    "screen_reason_offday": (
        "周末和节假日出车明显增多(为工作日的{lift}倍)",
        "much busier on weekends and holidays ({lift}× workdays)",
    ),
    "screen_reason_market": (
        "赶集日往来增多({lift}倍,{days}个集日)",
        "busier on market days ({lift}×, {days} market days)",
    ),
    "screen_reason_early": (
        "常在{hour}点前出车({pct}%的出车日)",
        "often on the road before {hour}:00 ({pct}% of its days)",
    ),
    "screen_reason_span": ("日均运营时长约{hours}小时", "on the road about {hours} hours a day"),
    "screen_reason_mileage": ("日均行驶约{km}公里", "about {km} km a day"),
    "screen_reason_towns": ("近{window}天到过{n}个乡镇", "seen in {n} towns in {window} days"),
    "screen_reason_known": ("已有{n}起查处记录", "{n} earlier case(s) on record"),
    "screen_reason_similar": (
        "通行规律与已查处车辆相似",
        "moves like vehicles caught before",
    ),
    "screen_reason_special_plate": ("{kind}号牌", "{kind} plate"),
    "screen_reason_nonlocal": ("外地号牌({province})", "plate from elsewhere ({province})"),
    "screen_plate_coach": ("教练车", "driving-school"),
    "screen_plate_trailer": ("挂车", "trailer"),
    "screen_plate_police": ("警用", "police"),
    "screen_reject_missing_plate": ("没有号牌号码", "no plate"),
    "screen_reject_not_plate": (
        "不是有效的号牌(如“未识别”、残缺号牌)",
        "not a Chinese plate (e.g. 未识别 or a fragment)",
    ),
    "screen_reject_bad_time": (
        "过车时间缺失或无法识别;请写成 2025-10-01 08:30:00",
        "time missing or not understood; write it as 2025-10-01 08:30:00",
    ),
    "screen_reject_future_time": (
        "过车时间晚于当前时间;请核对年份和时区",
        "time lies in the future; check the year and the time zone",
    ),
    "screen_reject_unknown_checkpoint": (
        "卡口编号不在卡口表中;请在卡口表中补充该卡口",
        "checkpoint not in the checkpoint list; add it there",
    ),
    "screen_reject_duplicate_read": (
        "同一卡口数秒内重复识别同一号牌(保留第一条)",
        "same plate read again at the same checkpoint within seconds (first read kept)",
    ),
    "screen_reject_unreadable_row": (
        "CSV行无法解析(引号或分隔符有误)",
        "CSV line could not be parsed (quotes or delimiters)",
    ),
    # pass imports (过车数据导入, geo.pass_imports)
    "screen_reject_past_retention": (
        "早于保留期限,不再导入(见 passes_retention_days)",
        "older than the retention period, not imported (see passes_retention_days)",
    ),
    "pimp_kind": ("导入内容", "What to import"),
    "pimp_kind_ledger": ("案件/线索台账", "Case and tip ledgers"),
    "pimp_kind_passes": ("过车数据", "Checkpoint passes"),
    "pimp_intro": (
        "上传卡口过车文件(CSV、XLSX 或 Parquet;列:号牌号码、过车时间、卡口编号)。"
        "先预览核对,确认后作为一个批次追加到过车数据;原始过车记录只用于车辆筛查,不在页面显示。",
        "Upload a checkpoint pass file (CSV, XLSX or Parquet; columns 号牌号码 / plate, "
        "过车时间 / pass_time, 卡口编号 / checkpoint_id). Check the preview, then commit it as "
        "one batch; raw passes are used by the screening only and never shown.",
    ),
    "pimp_cp_none": (
        "过车数据文件夹 {folder} 中还没有卡口清单。请先上传卡口清单(卡口编号、卡口名称、"
        "经度、纬度、卡口类型、所属乡镇),或把 checkpoints.csv 放入该文件夹。",
        "The pass folder {folder} has no checkpoint list yet. Upload one first (卡口编号, "
        "卡口名称, 经度, 纬度, 卡口类型, 所属乡镇) or put checkpoints.csv into that folder.",
    ),
    "pimp_cp_have": ("卡口清单:{n} 个卡口。", "Checkpoint list: {n} checkpoints."),
    "pimp_cp_upload": ("上传卡口清单", "Upload a checkpoint list"),
    "pimp_cp_replace": ("更换卡口清单", "Replace the checkpoint list"),
    "pimp_cp_save": ("确认使用该卡口清单", "Use this checkpoint list"),
    "pimp_cp_saved_first": (
        "已保存卡口清单:{n} 个卡口。",
        "Checkpoint list saved: {n} checkpoints.",
    ),
    "pimp_cp_saved": (
        "已保存卡口清单:{n} 个卡口(原清单另存为 checkpoints.previous.csv)。",
        "Checkpoint list saved: {n} checkpoints (the previous one kept as "
        "checkpoints.previous.csv).",
    ),
    "pimp_upload": ("上传过车文件", "Upload a pass file"),
    "pimp_n_rows": ("读取行数", "Rows read"),
    "pimp_n_new": ("新增过车", "New passes"),
    "pimp_n_duplicates": ("已在库中", "Already stored"),
    "pimp_n_repeated": ("文件内重复", "Repeated in the file"),
    "pimp_n_rejected": ("问题行", "Rejected"),
    "pimp_n_unknown_cp": ("卡口不在清单", "At unlisted checkpoints"),
    "pimp_days": ("新增过车日期:{first} 至 {last}", "New passes from {first} to {last}"),
    "pimp_unknown_cp": (
        "{n} 条过车的卡口不在卡口清单中({ids}):照常保存,在清单中补充这些卡口后即参与筛查。",
        "{n} passes are at checkpoints missing from the list ({ids}): stored as usual; they "
        "count in the screening once the checkpoints are added.",
    ),
    "pimp_same_file": (
        "同一文件已作为批次 {batch} 导入。",
        "The same file was imported as batch {batch}.",
    ),
    "pimp_retention": (
        "保留期限:{days} 天;导入后删除 {cutoff} 之前的原始过车记录。",
        "Retention: {days} days; after the import, raw passes before {cutoff} are deleted.",
    ),
    "pimp_retention_off": ("原始过车记录永久保留。", "Raw passes are kept for ever."),
    "pimp_reject_more": (
        "仅列出前 {shown} 条问题行(共 {n} 条)。",
        "The first {shown} of {n} rejected rows are listed.",
    ),
    "pimp_nothing": ("没有可导入的新过车记录。", "No new passes to import."),
    "pimp_commit": ("确认导入过车数据", "Commit the passes"),
    "pimp_done": ("已导入批次 {batch}:{n} 条过车。", "Batch {batch} committed: {n} passes."),
    "pimp_pruned": (
        "按保留期限删除了 {n} 条原始过车记录({days} 天,早于 {cutoff})。",
        "Retention deleted {n} raw passes ({days} days, before {cutoff}).",
    ),
    "pimp_pruned_none": (
        "保留期限检查:没有早于 {cutoff} 的过车记录。",
        "Retention check: no pass before {cutoff}.",
    ),
    "pimp_batches": ("过车数据批次", "Pass batches"),
    "pimp_batch_undo": ("撤销该过车批次", "Undo this pass batch"),
    "pimp_undo_what": (
        "将删除批次 **{batch}**(文件 {file},{first} 至 {last})的 **{n}** 条过车记录。"
        "此操作不可恢复。",
        "This deletes the **{n}** passes of batch **{batch}** ({file}, {first} to {last}). "
        "It cannot be reversed.",
    ),
    "pimp_undone": (
        "已撤销过车批次 {batch}:删除 {n} 条。",
        "Pass batch {batch} undone: {n} deleted.",
    ),
    "pimp_col_reason": ("原因", "Reason"),
    "pimp_col_column": ("问题列", "Column"),
    "pimp_col_value": ("内容(号牌已遮挡)", "Value (plates masked)"),
    "pimp_col_plate": ("号牌号码", "plate"),
    "pimp_col_time": ("过车时间", "time"),
    "pimp_col_checkpoint": ("卡口", "checkpoint"),
    "pbatch_batch_id": ("批次", "Batch"),
    "pbatch_created_at": ("导入时间", "Imported"),
    "pbatch_status": ("状态", "Status"),
    "pbatch_username": ("导入人", "By"),
    "pbatch_file_name": ("文件", "File"),
    "pbatch_n_stored": ("过车数", "Passes"),
    "pbatch_first_day": ("起始日", "First day"),
    "pbatch_last_day": ("截止日", "Last day"),
    "pbatch_n_pruned": ("已过期删除", "Deleted by retention"),
    "status_expired": ("已过保留期", "expired"),
    "action_passes_import": ("导入过车数据", "pass import"),
    "action_passes_undo": ("撤销过车批次", "pass batch undone"),
    "action_passes_prune": ("删除过期过车记录", "old passes deleted"),
    "action_checkpoints_import": ("更新卡口清单", "checkpoint list loaded"),
    "audit_fmt_passes_import": (
        "批次 {batch}(文件 {file}):{stored} 条过车({first} 至 {last}),问题行 {rejected},"
        "重复 {duplicates}",
        "batch {batch} ({file}): {stored} passes ({first} to {last}), {rejected} rejected, "
        "{duplicates} repeats",
    ),
    "audit_fmt_passes_undo": (
        "撤销批次 {batch}(文件 {file}):删除 {removed} 条过车",
        "batch {batch} ({file}) undone: {removed} passes deleted",
    ),
    "audit_fmt_passes_prune": (
        "保留期限:删除 {before} 之前 {days} 天的 {passes} 条过车({files} 个文件)",
        "retention: {passes} passes of {days} days before {before} deleted ({files} files)",
    ),
    "audit_fmt_checkpoints_import": (
        "卡口清单 {file}:{checkpoints} 个卡口",
        "checkpoint list {file}: {checkpoints}",
    ),
    "screen_scorer_rules": ("规则", "rules"),
    "screen_known_yes": ("是", "yes"),
    "screen_about_window": ("筛查时段", "Days screened"),
    "screen_about_engine": ("计算引擎", "Engine"),
    "screen_about_scorer": ("排序方法", "Ranked by"),
    "screen_about_rows_in": ("过车记录", "Pass rows in"),
    "screen_about_used": ("采用", "Used"),
    "screen_about_rejected": ("退回", "Rejected"),
    "screen_about_outside_window": ("时段外", "Outside the days"),
    "screen_about_misreads_merged": ("误识别号牌已归并", "Misreads merged"),
    "screen_about_note": ("说明", "Note"),
    "screen_about_synthetic": ("合成演示数据(非真实)", "synthetic demo data"),
    "screen_about_item": ("项目", "Item"),
    "screen_about_value": ("数值", "Value"),
    "screen_engine_duckdb": ("DuckDB(单机)", "DuckDB (one machine)"),
    "screen_engine_spark": ("Spark(集群)", "Spark (cluster)"),
    "screen_eval_scorer": ("排序方法", "Ranked by"),
    "screen_eval_rounds": ("回测轮数", "Rounds"),
    "screen_eval_hidden": ("每轮隐藏的已知车辆", "Known vehicles hidden per round"),
    "screen_eval_precision": ("前{k}名中已知车辆占比", "Share known in the top {k}"),
    "screen_eval_recall": ("已知车辆进入前{k}名的比例", "Known vehicles found in the top {k}"),
    "screen_eval_r_precision": ("R 精确率", "R-precision"),
    "screen_sheet_suspects": ("筛查结果", "suspects"),
    "screen_sheet_backtest": ("方法评估", "backtest"),
    "screen_sheet_about": ("数据说明", "about"),
    "screen_scorer_model": ("模型(正例-未标注学习)", "model (positive-unlabelled)"),
    "screen_col_rank": ("序号", "Rank"),
    "screen_col_plate": ("车牌", "Plate"),
    "screen_col_score": ("得分", "Score"),
    "screen_col_grade": ("等级", "Grade"),
    "screen_col_reasons": ("主要依据", "Reasons"),
    "screen_col_known": ("有查处记录", "Known"),
    "screen_col_score_rules": ("规则得分", "Rules score"),
    "screen_col_score_model": ("模型得分", "Model score"),
    "screen_col_route": ("常跑线路", "Main route"),
    "screen_col_active_days": ("出车天数", "Active days"),
    "screen_col_passes_per_day": ("日均过车", "Passes a day"),
    "screen_col_route_days": ("往返天数", "Route days"),
    "screen_col_route_trips_per_day": ("日均趟数", "Runs a day"),
    "screen_col_hub_days": ("车站往返天数", "Station days"),
    "screen_col_offday_lift": ("节假日倍数", "Off-day lift"),
    "screen_col_market_lift": ("集日倍数", "Market-day lift"),
    "screen_col_span_hours": ("日均时长(小时)", "Hours a day"),
    "screen_col_early_share": ("早出车比例", "Early share"),
    "screen_col_km_per_day": ("日均里程(公里)", "km a day"),
    "screen_col_distinct_towns": ("到过乡镇数", "Towns"),
    "screen_col_first_seen": ("首次过车", "First seen"),
    "screen_col_last_seen": ("最近过车", "Last seen"),
    # vehicle screening page (issue 18): the graded list, one vehicle, blacklist
    "page_vehicles": ("车辆筛查", "Vehicle screening"),
    "vh_intro": (
        "根据卡口过车数据筛查疑似非法营运车辆,按高度疑似、疑似、一般关注分级并列出依据。"
        "仅显示列入名单的车辆,其他车辆的过车记录不显示。",
        "Vehicles that behave like illegal passenger transport, found in the checkpoint "
        "passes and graded highly suspected, suspected or watch, with the reasons. Only listed "
        "vehicles are shown; no other vehicle's passes are.",
    ),
    "vh_no_passes": (
        "未找到过车数据。请在 {dir} 下建立文件夹 screening/,放入卡口表 checkpoints.csv、"
        "过车记录文件夹 passes/(.parquet、.csv 或 .xlsx 文件)和可选的白名单 whitelist.csv;"
        "演示数据可用 data/make_passes.py 生成。",
        "No checkpoint passes found. Put a folder screening/ into {dir} holding the checkpoint "
        "list checkpoints.csv, a folder passes/ with the pass files (.parquet, .csv or .xlsx) "
        "and optionally a whitelist whitelist.csv; for the demo, run make passes.",
    ),
    "vh_screening": ("正在筛查过车数据 …", "Screening the checkpoint passes…"),
    "vh_failed": ("过车数据无法筛查:{msg}", "The passes could not be screened: {msg}"),
    "vh_window": (
        "筛查时段 {first} 至 {last}(最近 {days} 天;月度通报按自然月筛查,数字可能不同);"
        "读取过车记录 {rows} 条,其中筛查时段内 {used} 条;排序方法:{scorer}。",
        "Days screened {first} to {last} (the last {days} days; the monthly briefing screens "
        "the calendar month, so its figures can differ); {rows} pass rows read, {used} of them "
        "in these days; ranked by {scorer}.",
    ),
    "vh_synthetic": ("过车数据为合成演示数据(非真实)。", "The passes are synthetic demo data."),
    "vh_grades": ("等级", "Grades"),
    "vh_listed": ("列入名单车辆", "Vehicles listed"),
    "vh_none": ("所选等级中没有车辆。", "No vehicle of the chosen grades."),
    "vh_none_township": (
        "本乡镇的卡口未发现列入名单的车辆。",
        "No listed vehicle passed this township's checkpoints.",
    ),
    "vh_township_note": (
        "乡镇账号只看到经过本乡镇卡口的车辆,以及这些车辆在本乡镇卡口的过车记录。",
        "A township account sees the vehicles that passed its own checkpoints, and their "
        "passes at those checkpoints only.",
    ),
    "vh_vehicle": ("查看车辆", "Vehicle"),
    "vh_vehicle_option": ("{plate} · {grade} · {score} 分", "{plate} · {grade} · score {score}"),
    "vh_passes_n": ("过车次数", "Passes"),
    "vh_checkpoints_n": ("经过卡口", "Checkpoints passed"),
    "vh_days_n": ("出车天数", "Active days"),
    "vh_map_caption": (
        "灰点为全部卡口;红圈为该车经过的卡口,圈越大次数越多。",
        "Grey dots: every checkpoint; red circles: the checkpoints this vehicle passed, larger "
        "for more passes.",
    ),
    "vh_timeline": ("每日分时段过车次数", "Passes per day and hour"),
    "vh_day": ("日期", "Day"),
    "vh_hour": ("{h}时", "{h}h"),
    "vh_weekday": ("周一 周二 周三 周四 周五 周六 周日", "Mon Tue Wed Thu Fri Sat Sun"),
    "vh_checkpoint_table": ("经过的卡口", "Checkpoints passed"),
    "vh_events": ("该车的查处案件与举报线索", "This vehicle's cases and tips"),
    "vh_no_events": ("没有与该车牌匹配的案件或线索。", "No case or tip with this plate."),
    "vh_download": ("下载筛查结果(Excel)", "Download the list (Excel)"),
    "vh_blacklist": ("加入黑名单", "Add to the blacklist"),
    "vh_note": ("备注(原因)", "Note (why)"),
    "vh_added": ("已加入黑名单(来源:过车筛查)。", "Added to the blacklist (source: screening)."),
    "vh_already": ("该车已在黑名单中。", "This vehicle is already on the blacklist."),
    "vh_bl_commander": (
        "仅指挥员可将车辆加入黑名单。",
        "Only a commander can add vehicles to the blacklist.",
    ),
    "vh_col_cp_name": ("卡口", "Checkpoint"),
    "vh_col_kind": ("卡口类型", "Kind"),
    "vh_col_township_code": ("所在乡镇", "Township"),
    "vh_col_n": ("次数", "Passes"),
    "vh_col_first": ("首次", "First"),
    "vh_col_last": ("最近", "Last"),
    "vh_col_townships": ("经过乡镇", "Townships passed"),
    "vh_col_event_id": ("编号", "Id"),
    "vh_col_event_kind": ("类型", "Type"),
    "vh_col_occurred_at": ("时间", "Time"),
    "layer_checkpoints": ("卡口", "Checkpoints"),
    "layer_vehicle_passes": ("该车经过的卡口", "Checkpoints this vehicle passed"),
    "vh_tip_passes": ("{n} 次,{first} 至 {last}", "{n} passes, {first} to {last}"),
    # suspect activity at checkpoints (the map's layer, the planner's weight)
    "layer_suspects": ("嫌疑车辆活动", "Suspect vehicle activity"),
    "sa_legend": (
        "嫌疑车辆活动(按等级加权的过车次数)",
        "Suspect vehicle activity (passes weighted by grade)",
    ),
    "sa_col_township": ("乡镇", "Township"),
    "sa_col_checkpoints": ("卡口数", "Checkpoints"),
    "sa_col_passes": ("嫌疑车辆过车次数", "Passes of suspect vehicles"),
    "sa_col_vehicles": ("嫌疑车辆数", "Suspect vehicles"),
    "sa_col_vehicles_high": ("其中高度疑似(辆)", "Of which highly suspected"),
    "sa_col_activity": ("活动指数(按等级加权)", "Activity (weighted by grade)"),
    "sa_col_passes_night": ("其中夜间过车", "Passes at night"),
    "sa_col_passes_weekend": ("其中双休日过车", "Passes on weekends"),
    "sa_col_passes_holiday": ("其中法定节假日过车", "Passes on statutory holidays"),
    "sa_col_passes_market_day": ("其中逢场日过车", "Passes on market days"),
    "sa_caption": (
        "嫌疑车辆活动图层(地图右上角图层按钮可关闭):{first} 至 {last} "
        "过车筛查列入名单的车辆在卡口的过车,时段:{period};"
        "按卡口所在六边形统计,共 {n} 个六边形。不含其他车辆的过车。",
        "Suspect vehicle activity layer (switch it off in the map's layer button, top "
        "right): passes of the vehicles on the screening list at checkpoints, {first} to "
        "{last}, periods: {period}; counted in the hexagon of each checkpoint, {n} "
        "hexagons. No other vehicle's passes are used.",
    ),
    "sa_all_periods": ("全部时段", "all"),
    "sa_none": (
        "{first} 至 {last} 所选时段和范围内,没有嫌疑车辆在卡口的过车。",
        "No suspect vehicle passed a checkpoint in the chosen periods and area, {first} "
        "to {last}.",
    ),
    "sa_failed": (
        "嫌疑车辆活动暂不可用(过车数据无法筛查):{msg}",
        "Suspect vehicle activity is not available (the passes could not be screened): {msg}",
    ),
    "sa_deck": (
        "六边形很多时地图以简化方式显示,不含嫌疑车辆活动图层;请选择较大的六边形或少选乡镇。",
        "With this many hexagons the map is drawn in a simpler view without the suspect "
        "vehicle activity layer; choose larger hexagons or fewer townships.",
    ),
    "sa_computing": ("正在统计嫌疑车辆活动 …", "Counting suspect vehicle activity…"),
    "plan_suspect_weight": ("嫌疑车辆活动权重", "Weight of suspect vehicle activity"),
    "plan_suspect_help": (
        "0 = 不考虑(默认,与原方案相同)。大于 0 时,把本时段内过车筛查列入名单车辆在卡口的活动"
        "(按等级加权)按此比例混入各六边形的预测风险,再选岗位;1 = 只按嫌疑车辆活动。",
        "0 = not used (default: the plan as before). Above 0, the activity of the vehicles "
        "on the screening list at checkpoints in this period (weighted by grade) is blended "
        "into each hexagon's forecast risk by this share before the posts are chosen; 1 = "
        "suspect activity alone.",
    ),
    "plan_suspect_note": (
        "风险中混入嫌疑车辆活动,权重 {w}({n} 个六边形有嫌疑车辆过车)。",
        "Suspect vehicle activity blended into the risk with weight {w} ({n} hexagons with "
        "suspect passes).",
    ),
    "plan_suspect_none": (
        "未混入嫌疑车辆活动(权重 {w}):本时段在方案范围内没有嫌疑车辆过车,或没有过车数据。",
        "Suspect vehicle activity was not blended in (weight {w}): no suspect vehicle "
        "passed a checkpoint in this period and area, or there are no pass data.",
    ),
    # checkpoint kinds of the screening beyond the key-area categories above
    "cat_toll_station": ("高速收费站", "Toll station"),
    "cat_township_entrance": ("乡镇出入口", "Township entrance"),
    "cat_urban_road": ("城区道路", "Urban road"),
    "cat_other": ("其他", "Other"),
    # blacklist entries added by hand
    "bl_source_events": ("案件线索", "Cases and tips"),
    "bl_source_screening": ("过车筛查", "Checkpoint screening"),
    "bl_col_source": ("来源", "Source"),
    "bl_col_note": ("备注", "Note"),
    "bl_col_added_by": ("添加人", "Added by"),
    "action_screen": ("车辆筛查", "vehicle screening"),
    "action_vehicle_view": ("查看筛查车辆", "screened vehicle viewed"),
    "action_blacklist_add": ("加入黑名单", "added to the blacklist"),
    "audit_fmt_screen": (
        "{first} 至 {last}:列出 {listed} 辆",
        "{first} to {last}: {listed} vehicles listed",
    ),
    "audit_fmt_vehicle_view": ("{plate}", "{plate}"),
    "audit_fmt_blacklist_add": ("{plate}({source}){note}", "{plate} ({source}) {note}"),
}


#: Streamlit's own English words (file uploader, multiselect, status …) and their Chinese, as
#: exact texts and as patterns ($1 … are the groups); a script on the page swaps them.
STREAMLIT_WORDS: Final[dict[str, str]] = {
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "Drag and drop a file here": "将文件拖放到此处",
    "Browse files": "选择文件",
    "Upload": "选择文件",
    "Add files": "添加文件",
    "Select all": "全选",
    "Clear all": "全部清除",
    "No results": "无匹配项",
    "No options to select": "没有可选项",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Running...": "正在计算…",
    "Stop": "停止",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Delete": "删除",
    "Close": "关闭",
    "Remove file": "移除文件",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Search": "搜索",
    "Add row": "添加一行",
    "Delete rows": "删除所选行",
    "Skip to main content": "跳到主要内容",
    "Page not found": "页面不存在",
    "Sidebar": "侧栏",
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "Link to heading": "链接到此标题",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "add icon": "添加文件",
}
STREAMLIT_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (r"^(?:Limit )?(\d+)\s*MB per file(?: • )?(.*)$", "单个文件不超过 $1MB;格式:$2"),
    (
        r"^You have requested page (\S+), but no corresponding file was found.*$",
        "当前账号没有页面 $1(或页面不存在),已打开首页。",
    ),
    (
        r"^The page that you have requested does not seem to exist.*$",
        "页面不存在,已打开首页。",
    ),
    (r"^(\d+(?:\.\d+)?)\s*(KB|MB|GB|B)$", "$1 $2"),
)


def pick(pair: tuple[str, str] | None, lang: str = "zh") -> str:
    """The ``lang`` member of a (Chinese, English) pair (a value of ``GI_CLASSES``); "" for None."""
    if lang not in LANGS:
        raise ValueError(f"lang was {lang!r} but is expected to be in {LANGS}")
    return "" if pair is None else pair[LANGS.index(lang)]


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The text of ``key`` in ``lang`` (``zh`` or ``en``), with ``{name}`` fields filled in."""
    if lang not in LANGS:
        raise ValueError(f"lang was {lang!r} but is expected to be in {LANGS}")
    text = STRINGS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def label(prefix: str, code: object, lang: str = "zh") -> str:
    """The word for a code (``label("status_", "committed")`` → 已导入); the code if unknown."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return ""
    if isinstance(code, bool | np.bool_):
        code = str(bool(code)).lower()
    key = f"{prefix}{code}"
    return t(key, lang) if key in STRINGS else str(code)


def when(value: object) -> str:
    """A time as people read it: ``2025-10-01 20:30`` in local time, no offset, no seconds."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TZ)
    return stamp.strftime("%Y-%m-%d %H:%M")


def present(
    frame: pd.DataFrame,
    lang: str,
    columns: Mapping[str, str],
    *,
    codes: Mapping[str, str] | None = None,
    names: Mapping[str, Mapping[str, str]] | None = None,
    times: Iterable[str] = (),
    percent: Iterable[str] = (),
) -> pd.DataFrame:
    """A table for people: chosen columns under their labels, codes as words.

    Parameters
    ----------
    frame : DataFrame
        Codes and numbers, as :mod:`geo` returns them.
    lang : {"zh", "en"}
        The user's language.
    columns : mapping
        Column -> i18n key of its header, in the order shown; other columns are left out.
    codes : mapping, optional
        Column -> i18n key prefix of its values (``{"status": "status_"}``).
    names : mapping, optional
        Column -> code-to-name mapping (township codes to names); comma-separated cells
        are mapped item by item.
    times, percent : iterable of str
        Columns shown as local times (``2025-10-01 20:30``) or as percentages (``97%``).

    Returns
    -------
    DataFrame
        Text and numbers only, ready for ``st.dataframe``.
    """
    out = frame[[c for c in columns if c in frame.columns]].copy()
    for col, prefix in (codes or {}).items():
        if col in out:
            out[col] = out[col].map(lambda v, p=prefix: label(p, v, lang))
    for col, mapping in (names or {}).items():
        if col in out:
            out[col] = out[col].map(lambda v, m=mapping: _names(v, m, lang))
    for col in times:
        if col in out:
            out[col] = out[col].map(when)
    for col in percent:
        if col in out:
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{float(v):.0%}")
    for col in out.columns:  # a missing text is empty, not "None" (tables show None so)
        if not pd.api.types.is_numeric_dtype(out[col]) and out[col].isna().any():
            out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out.rename(columns={c: t(columns[c], lang) for c in out.columns})


def _names(value: object, mapping: Mapping[str, str], lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    parts = [p.strip() for p in str(value).split(",")]
    sep = "、" if lang == "zh" else ", "
    return sep.join(mapping.get(p, p) for p in parts if p)


def change_summary(changes: Mapping[str, Iterable[str]], lang: str) -> str:
    """``{"added": [...], "removed": [...], "changed": [...]}`` as one sentence."""
    sep = "、" if lang == "zh" else ", "
    parts = [
        t(f"ka_{kind}", lang, names=sep.join(names))
        for kind in ("added", "removed", "changed")
        if (names := list(changes.get(kind, [])))
    ]
    return (";" if lang == "zh" else "; ").join(parts)


def audit_text(
    action: str, detail: str, lang: str, names: Mapping[str, str] | None = None
) -> str:
    """An audit line's detail in the reader's language (JSON details are worded by action)."""
    import json

    try:
        values = json.loads(detail) if detail.startswith("{") else None
    except ValueError:
        values = None
    key = f"audit_fmt_{action}"
    if not isinstance(values, dict):
        return label("end_", detail, lang) if action == "logout" and detail else detail
    values = dict(values)
    if action == "review":
        values["decision"] = label("decision_", values.get("decision"), lang)
    if action == "option":
        values["name"] = label("option_", values.get("name"), lang)
    if action == "user_add":
        values["role"] = label("role_", values.get("role"), lang)
    if action == "plan":
        values["period"] = label("period_", values.get("period"), lang)
    if action == "briefing":
        scope = values.get("scope") or ""
        values["scope"] = (names or {}).get(scope, scope) or t("scope_county", lang)
    if action == "logout":
        values["reason"] = label("end_", values.get("reason"), lang)
    if action == "key_areas":
        values["parts"] = change_summary(values, lang)
    if action == "blacklist_add":
        values["source"] = label("bl_source_", values.get("source"), lang)
    try:
        return t(key, lang, **values) if key in STRINGS else detail
    except (KeyError, IndexError, ValueError):
        return detail


def diff_text(diffs: Iterable[tuple[str, str, str]], lang: str) -> str:
    """``[(column, old, new), …]`` as ``核实情况:核实中 → 属实;…``."""
    sep, colon = (";", ":") if lang == "zh" else ("; ", ": ")
    return sep.join(f"{label('field_', c, lang)}{colon}{a} → {b}" for c, a, b in diffs)


def risk_reasons(row: Mapping[str, object], lang: str) -> str:
    """The evidence of a key area's risk level as a phrase (``1个99%热点格,趋势上升,事件12起``)."""
    parts = [
        t("rr_hot", lang, n=row[f"n_hot_{conf}"], conf=conf)
        for conf in (99, 95, 90)
        if row.get(f"n_hot_{conf}")
    ]
    if row.get("rising"):
        parts.append(t("rr_rising", lang))
    elif row.get("falling"):
        parts.append(t("rr_falling", lang))
    if not parts:
        parts.append(t("rr_none", lang))
    if parts[0] != t("rr_none", lang) and not row.get("events"):
        parts.append(t("rr_neighbours", lang))
    else:
        parts.append(t("rr_events", lang, n=row.get("events", 0)))
    return ("," if lang == "zh" else ", ").join(parts)
