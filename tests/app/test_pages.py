"""AppTest smoke tests of every page: widgets, metrics, tables and no exception."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import Settings
from geo.planning import default_request

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DEMO_PASSWORD = "hexpatrol-demo"


def login(name: str, password: str = DEMO_PASSWORD) -> AppTest:
    """A fresh app session logged in as ``name`` (a demo account)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    at.text_input[0].set_value(name)
    at.text_input[1].set_value(password)
    next(b for b in at.button if b.label in ("登录", "Log in")).click().run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app() -> AppTest:
    return login("commander")


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_map_page_in_chinese_by_default(app: AppTest, demo) -> None:
    assert app.title[0].value == "非法营运热点巡防图"
    values = metric_values(app)
    assert values["事件数"] == f"{len(demo.events):,}"
    assert values["查处案件"] == f"{(demo.events['kind'] == 'case').sum():,}"
    assert "合成演示数据" in app.caption[0].value
    risk = app.dataframe[0].value
    assert len(risk) == len(demo.key_areas)
    assert list(risk.columns) == ["名称", "类别", "风险等级", "依据"]
    assert set(risk["风险等级"]) <= {"高", "中", "低"} and risk["依据"].str.len().gt(0).all()
    high = set(risk.loc[risk["风险等级"] == "高", "名称"])
    assert {"云阳站(高铁)", "云阳汽车客运中心"} <= high
    assert int(values["显著热点格"].replace(",", "")) > 0


def multiselect(app: AppTest, label: str):
    return next(w for w in app.multiselect if w.label.startswith(label))


def test_filters_change_the_numbers(app: AppTest, demo) -> None:
    multiselect(app, "记录类型").set_value(["case"]).run()
    assert not app.exception
    values = metric_values(app)
    assert values["举报线索"] == "0"
    assert values["事件数"] == values["查处案件"]
    code = demo.townships.set_index("name").loc["江口镇", "code"]
    multiselect(app, "乡镇").set_value([code]).run()
    n = int(metric_values(app)["事件数"].replace(",", ""))
    expected = ((demo.events["kind"] == "case") & (demo.events["township_code"] == code)).sum()
    assert n == expected > 0


def test_resolution_changes_cell_count(app: AppTest) -> None:
    coarse = int(
        metric_values(app.select_slider[0].set_value(7).run())["有事件的六边形"].replace(",", "")
    )
    fine = int(
        metric_values(app.select_slider[0].set_value(10).run())["有事件的六边形"].replace(",", "")
    )
    assert fine > coarse > 0


def test_market_day_mornings_make_market_towns_high_risk(app: AppTest, demo) -> None:
    multiselect(app, "时段").set_value(["market_day", "morning"]).run()
    assert not app.exception
    risk = app.dataframe[0].value.set_index("名称")
    markets = demo.key_areas.loc[demo.key_areas["category"] == "rural_market", "name"]
    assert (risk.loc[list(markets), "风险等级"] == "高").mean() >= 0.75
    n = int(metric_values(app)["事件数"].replace(",", ""))
    assert n == (demo.labels["market_day"] & demo.labels["morning"]).sum()


def test_weights_and_counts_mode(app: AppTest) -> None:
    next(r for r in app.radio if r.label == "六边形显示").set_value("score").run()
    app.number_input[1].set_value(0.0).run()  # tips weigh nothing
    assert not app.exception
    assert metric_values(app)["举报线索"] != "0"  # still shown, only not weighted


def test_english_switch(app: AppTest) -> None:
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Illegal-transport hotspot patrol map"
    assert "Events" in metric_values(app)


def test_import_pages_render(app: AppTest) -> None:
    app.switch_page("app_pages/imports.py").run()
    assert not app.exception
    assert app.title[0].value == "数据导入"
    assert [s.label for s in app.selectbox][:1] == ["坐标系(无“坐标系”列时)"]
    app.switch_page("app_pages/batches.py").run()
    assert not app.exception
    batches = app.dataframe[0].value
    assert batches["状态"].tolist()[-1] == "已导入"  # the demo's initial load: a word, not a code
    assert any(b.label == "撤销该批次" for b in app.button)


def test_undo_asks_first_and_wants_the_id_of_a_large_batch(app: AppTest) -> None:
    app.switch_page("app_pages/batches.py").run()
    initial = app.selectbox[0].value  # the demo's initial load: 13,661 records
    next(b for b in app.button if b.label == "撤销该批次").click().run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert initial in text and "删除该批次新增的" in text  # the dialog names what happens
    typed = next(i for i in app.text_input if "请输入批次号" in i.label)
    typed.set_value("wrong").run()
    next(b for b in app.button if b.label == "确认撤销").click().run()
    assert any("批次号不一致" in e.value for e in app.error)
    assert app.dataframe[0].value["状态"].tolist()[-1] == "已导入"  # nothing was undone
    next(b for b in app.button if b.label == "取消").click().run()
    assert not any(b.label == "确认撤销" for b in app.button)  # the dialog is gone


def test_blacklist_page(app: AppTest, demo) -> None:
    app.switch_page("app_pages/blacklist.py").run()
    assert not app.exception
    values = metric_values(app)
    assert int(values["黑名单车辆"]) > 0
    vehicles = app.dataframe[0].value
    plates = set(demo.events["plate"].dropna())
    assert set(vehicles["车牌"]) <= plates  # a commander sees full plates
    assert (vehicles["事件数"] >= 3).all()


def test_patrol_page_makes_a_plan(app: AppTest, demo) -> None:
    app.switch_page("app_pages/patrol.py").run()
    assert not app.exception
    assert app.title[0].value == "巡逻建议"
    assert "生成巡逻方案" in app.info[0].value
    submit = next(b for b in app.button if b.label == "生成巡逻方案")
    submit.click().run()
    assert not app.exception
    values = metric_values(app)
    assert values["风险覆盖率"].endswith("%") and float(values["风险覆盖率"][:-1]) > 50
    assert int(values["岗位"]) == 9  # 3 fixed (HSR, hospital, shopping) + 6 mobile
    teams, roster, posts = (d.value for d in app.dataframe[:3])
    assert set(posts["类型"]) == {"固定岗", "机动巡逻"} and len(posts) >= 9
    assert list(teams.columns) == ["组号", "岗位号", "类型", "岗位/巡逻范围", "时段", "人数"]
    assert teams["组号"].tolist() == list(range(1, 10))
    assert list(posts.columns[:3]) == ["岗位号", "类型", "岗位位置"]
    assert "六边形编号" not in posts.columns  # place names, never hexagon ids
    assert len(roster.columns) == 1 + 3  # the default preset: New Year 2026, three days
    assert len(roster) == 3 + 12  # holidays: 2 × 6 mobile teams, and the page says so
    assert any("组号 10 及以后的组不在分组安排内" in i.value for i in app.info)
    assert any("组号与岗位号不对应" in c.value for c in app.caption)  # the rotation explained
    # the period decides the hours: no custom slider for 夜间
    assert not [s for s in app.slider if s.label == "自定义时间"]
    assert next(t for t in app.text_input if t.label == "巡逻时间(随时段)").value == "20:00-06:00"
    assert [b.label for b in app.get("download_button")] == ["下载 Excel", "下载打印版(网页)"]
    assert app.info[0].value.startswith("按该方法,过去12个月覆盖区域")
    assert "2026-01的综合预测" in app.caption[-1].value or any(
        "2026-01的综合预测" in c.value for c in app.caption
    )
    assert last_audit("plan") == "夜间 20:00-06:00:9 个岗位"  # in words, in the reader's language
    conf = Settings()  # the form's starting values: one definition with the warm-up's plan
    made = app.session_state["patrol_plan"].request
    assert made == default_request(demo, (conf.case_weight, conf.tip_weight), conf.periods)


def last_audit(action: str, lang: str = "zh") -> str:
    """The newest audit line of ``action`` as the audit page words it."""
    from app_pages.common import store
    from geo.i18n import audit_text

    log = store().audit_log()
    row = log[log["action"] == action].iloc[0]
    return audit_text(action, row["detail"], lang)


def test_evaluation_page(app: AppTest) -> None:
    app.switch_page("app_pages/evaluate.py").run()
    assert not app.exception
    assert app.title[0].value == "效果评估"
    values = metric_values(app)
    blend, best = float(values["PAI@5%(综合预测)"]), float(values["PAI@5%(最佳单一方法)"])
    assert blend > best - 0.05 and best > 1  # cases and tips at res 9: within noise (0.3%)
    assert int(values["测试月数"]) == 21
    assert "综合预测(默认方法)" in app.info[0].value and "核密度平滑" in app.info[0].value
    table = app.dataframe[0].value
    assert {"综合预测(默认)", "上月计数", "指数加权历史"} <= set(table.index)
    assert "命中率 @5%" in table.columns and not any("hit_rate" in c for c in table.columns)
    next(b for b in app.button if b.label == "运行巡逻方案回测").click().run()
    assert not app.exception
    values = metric_values(app)
    caught = float(values["按综合预测:平均命中"][:-1])
    assert caught >= float(values["按上月计数:平均命中"][:-1]) and caught > 30
    months = app.dataframe[1].value
    assert len(months) == 12 and "综合预测方案命中率" in months.columns


def test_briefing_page(app: AppTest) -> None:
    app.switch_page("app_pages/brief.py").run()
    assert not app.exception
    app.selectbox[0].set_value("2025-10").run()
    next(b for b in app.button if b.label == "生成通报").click().run()
    assert not app.exception
    texts = " ".join(m.value for m in app.markdown)
    # 四 without checkpoint passes, 五 after the section on suspect vehicles (var/demo_passes)
    assert "一、总体情况" in texts and re.search("[四五]、下月工作建议", texts)
    assert any("2025年10月,云阳县共查处非法营运案件" in str(m.value) for m in app.markdown)
    labels = [b.label for b in app.get("download_button")]
    assert labels[0] == "下载 Word 文档" and "下载热点图(图片)" in labels
    assert last_audit("briefing") == "2025-10 全县"
    assert last_audit("briefing", "en") == "2025-10 whole county"


def test_next_month_risk_view(app: AppTest) -> None:
    next(r for r in app.radio if r.label == "六边形显示").set_value("forecast").run()
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "下月(2026-01)风险:综合预测" in captions and "过去12个月" in captions


def test_many_hexagons_switch_to_deck(app: AppTest) -> None:
    app.select_slider[0].set_value(10).run()
    assert not app.exception
    assert any("deck.gl" in c.value for c in app.caption)
    assert app.get("deck_gl_json_chart")


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    """The app on the demo region with a store that holds no event (a new deployment)."""
    import streamlit as st

    config = tmp_path / "hexpatrol.toml"
    config.write_text("events = []\n", encoding="utf-8")
    monkeypatch.setenv("HEXPATROL_CONFIG", str(config))
    monkeypatch.setenv("HEXPATROL_DB_URL", f"sqlite:///{tmp_path}/empty.sqlite")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("name", ["commander", "t500235105"])
def test_every_page_works_without_any_event(empty_store, name: str) -> None:
    """Found in review: the map page crashed on an empty scope (date picker of NaT)."""
    at = login(name)
    for page in ["map", "patrol", "brief", "blacklist", "vehicles", "evaluate"]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, at.exception)


def test_patrol_custom_hours_and_holiday_preset(app: AppTest) -> None:
    app.switch_page("app_pages/patrol.py").run()
    presets = next(s for s in app.selectbox if s.label == "节假日(按节假日日历)")
    labels = list(presets.options)  # as shown
    assert "2025年国庆节、中秋节 10月01日–10月08日(8天)" in labels
    next(s for s in app.selectbox if s.label == "巡逻时段").set_value("custom").run()
    assert not app.exception
    assert [s.label for s in app.slider if s.label == "自定义时间"] == ["自定义时间"]
