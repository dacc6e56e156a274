"""Regenerate the committed JSON Schema files from the models: `python -m optimizer.schema`."""

import json

from optimizer.scenario import SCHEMA_PATH, scenario_json_schema

SCHEMA_PATH.write_text(
    json.dumps(scenario_json_schema(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
)
print(f"wrote {SCHEMA_PATH}")
