"""What an import accepts, checked before a file is parsed: its size, its width (columns)
and the length of a line; and how many bad rows a refused import reports (the first
`MAX_REPORTED_ERRORS`, with the total count)."""

from __future__ import annotations

#: the largest table file an import reads (CSV, xlsx or GeoJSON)
MAX_FILE_BYTES = 50 * 1024 * 1024
#: the most columns a table file may have (the widest table has about 20)
MAX_COLUMNS = 200
#: the longest line of a CSV file (characters; a zone's GeoJSON shape is the widest cell)
MAX_LINE_CHARS = 2 * 1024 * 1024
#: the most rows an import reads
MAX_ROWS = 500_000
#: a refused import lists this many bad rows, then says how many there were in all
MAX_REPORTED_ERRORS = 200
