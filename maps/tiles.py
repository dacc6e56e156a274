"""The optional intranet base layer.

Maps carry no tile layer by default: the base is drawn from pingan's own data (jurisdiction
boundaries, zones). A command centre with a tile server on its own network can set a URL
template (setting ``tile_url``), e.g. a Tianditu-compatible WMTS:

    http://t{s}.tiles.intranet/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0
        &LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles
        &TILEMATRIX={z}&TILEROW={y}&TILECOL={x}

with subdomains "01234567". Tianditu's ``_w`` layers are Web Mercator (EPSG:3857), which is
what Leaflet draws by default, so WGS84 data lines up with them. The server is never assumed
reachable: tiles that fail to load leave the map blank underneath, everything drawn from our
data still shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium

TIANDITU_SUBDOMAINS = "01234567"


@dataclass(frozen=True)
class TileSource:
    url: str
    subdomains: str = "abc"
    attribution: str = "intranet tiles"
    name: str = "base tiles"
    max_zoom: int = 18

    def __post_init__(self) -> None:
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in self.url]
        if missing:
            raise ValueError(f"tile_url: template lacks {', '.join(missing)}: {self.url!r}")


def tile_source(url: str | None, subdomains: str | None = None) -> TileSource | None:
    """A tile source from the setting, or None when it is empty. Tianditu-style hosts get
    subdomains 0–7 unless told otherwise."""
    if not url or not url.strip():
        return None
    url = url.strip()
    if subdomains is None:
        subdomains = TIANDITU_SUBDOMAINS if "tianditu" in url.lower() else "abc"
    return TileSource(url=url, subdomains=subdomains)


def add_tile_layer(m: folium.Map, source: TileSource | None) -> folium.TileLayer | None:
    """Add the intranet base layer when one is configured."""
    if source is None:
        return None
    layer = folium.TileLayer(
        tiles=source.url,
        attr=source.attribution,
        name=source.name,
        subdomains=source.subdomains,
        max_zoom=source.max_zoom,
        overlay=False,
        control=True,
    )
    layer.add_to(m)
    return layer
