"""Helpers shared by the table models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column


def json_column(nullable: bool = True) -> Any:
    """A JSON column (JSON on SQLite, JSON on PostgreSQL)."""
    return Column(JSON, nullable=nullable)


def one_of(column: str, values: type[StrEnum], name: str) -> CheckConstraint:
    """CHECK that a text column holds one of an enum's values."""
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


def lon_lat_checks(prefix: str, table: str) -> list[CheckConstraint]:
    """CHECK that a (lon, lat) pair is either both NULL or a valid WGS84 position."""
    lon, lat = f"{prefix}lon", f"{prefix}lat"
    return [
        CheckConstraint(f"({lon} IS NULL) = ({lat} IS NULL)", name=f"ck_{table}_{prefix}ll_pair"),
        CheckConstraint(
            f"{lon} IS NULL OR ({lon} BETWEEN -180 AND 180)", name=f"ck_{table}_{prefix}lon"
        ),
        CheckConstraint(
            f"{lat} IS NULL OR ({lat} BETWEEN -90 AND 90)", name=f"ck_{table}_{prefix}lat"
        ),
    ]
