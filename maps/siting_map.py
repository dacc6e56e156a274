"""The map of a siting answer: the chosen sites, today's posts, the zones coloured by their
weekly risk (the demand) and the jurisdictions, offline like every pingan map.

    m = siting_map(scenario, report, lang="zh")
    write_map(m, "siting.html")

Every user string reaches the page through `MapPoint` (tooltips escaped) or `popup_table`
(the one escaping helper). The words are Chinese first with English complete, kept here with
the `maps.labels` mechanism (a missing key raises KeyError).
"""

from __future__ import annotations

import folium

from maps.build import add_jurisdictions, add_points, add_risk_zones, base_map, finish_map
from maps.colors import risk_breaks
from maps.elements import Legend, LegendItem, MapPoint
from maps.labels import DEFAULT_LANG, Lang, check_lang, label
from maps.popups import popup_table
from maps.scenario_layers import jurisdiction_collection, zone_collection
from maps.tiles import TileSource
from optimizer.scenario import Scenario
from optimizer.siting.city import CitySitingReport, SiteOut

CHOSEN_COLOR = "#2e7d32"
TODAY_COLOR = "#757575"
SITE_ICONS = {"grid": "location-crosshairs", "road": "road", "post": "tower-observation"}

SITING_LABELS: dict[str, tuple[str, str]] = {
    "layer.chosen": ("选址方案", "Chosen sites"),
    "layer.today": ("现有卡点岗亭", "Today's posts"),
    "legend.siting": ("选址", "Siting"),
    "site.grid": ("网格中心", "grid centre"),
    "site.road": ("道路点位", "road point"),
    "site.post": ("现有点位", "existing post"),
    "field.site_kind": ("点位类型", "Site kind"),
    "field.lonlat": ("经纬度", "Lon, lat"),
    "field.model": ("模型", "Model"),
    "field.gap": ("最优性差距", "Optimality gap"),
    "model.pmedian": ("p-中位（平均到达时间最短）", "p-median (least mean travel time)"),
    "model.covering": ("最大覆盖（半径内风险最多）", "maximal covering (most risk in reach)"),
}


def siting_label(key: str, lang: Lang = DEFAULT_LANG) -> str:
    zh, en = SITING_LABELS[key]
    return zh if check_lang(lang) == "zh" else en


def _points(sites: list[SiteOut], color: str, lang: Lang, report: CitySitingReport) -> list:
    model = siting_label(f"model.{report.model}", lang)
    gap = "—" if report.result.gap is None else f"{report.result.gap:.3%}"
    points = []
    for site in sites:
        kind = siting_label(f"site.{site.kind}", lang)
        title = site.name or site.id
        rows = [
            (label("field.id", lang), site.id),
            (siting_label("field.site_kind", lang), kind),
            (siting_label("field.lonlat", lang), f"{site.lon:.5f}, {site.lat:.5f}"),
            (siting_label("field.model", lang), model),
            (siting_label("field.gap", lang), gap),
        ]
        points.append(
            MapPoint(
                lat=site.lat,
                lon=site.lon,
                color=color,
                icon=SITE_ICONS[site.kind],
                tooltip=f"{title} · {kind}",
                popup=popup_table(title, rows),
                key=site.id,
            )
        )
    return points


def siting_map(
    scenario: Scenario,
    report: CitySitingReport,
    lang: Lang = DEFAULT_LANG,
    tiles: TileSource | None = None,
) -> folium.Map:
    """Jurisdictions, zones by weekly risk, today's posts (grey) and the chosen sites (green)."""
    m = base_map(lang=lang, tiles=tiles)
    add_jurisdictions(m, jurisdiction_collection(scenario))
    weekly = {z.id: float(sum(map(sum, z.risk))) for z in scenario.zones}
    add_risk_zones(
        m,
        zone_collection(scenario),
        risk=weekly,
        breaks=risk_breaks(v for v in weekly.values() if v > 0),
    )
    if report.today:
        add_points(
            m,
            _points(report.today, TODAY_COLOR, lang, report),
            name=siting_label("layer.today", lang),
            key="siting-today",
            cluster=False,
        )
    add_points(
        m,
        _points(report.chosen, CHOSEN_COLOR, lang, report),
        name=siting_label("layer.chosen", lang),
        key="siting-chosen",
        cluster=False,
    )
    Legend(
        siting_label("legend.siting", lang),
        [
            LegendItem(CHOSEN_COLOR, siting_label("layer.chosen", lang), shape="dot"),
            LegendItem(TODAY_COLOR, siting_label("layer.today", lang), shape="dot"),
        ],
        position="bottomleft",
    ).add_to(m)
    return finish_map(m)
