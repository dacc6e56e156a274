"""Import and export of the roster's tables (CSV, Excel, GeoJSON) with Chinese or English
headers. See `importer.import_table` and `exporter.export_table`."""

from rosters.tables.columns import TABLES
from rosters.tables.exporter import export_table, table_rows
from rosters.tables.importer import ImportFailed, ImportReport, Mode, RowError, import_table

__all__ = [
    "TABLES",
    "ImportFailed",
    "ImportReport",
    "Mode",
    "RowError",
    "export_table",
    "import_table",
    "table_rows",
]
