"""Regenerate the committed JSON Schema files from the models: `python -m optimizer.schema`."""

import json

from optimizer.scenario import SCHEMA_PATH, scenario_json_schema

SCHEMA_PATH.write_text(
    json.dumps(scenario_json_schema(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
)
print(f"wrote {SCHEMA_PATH}")

from optimizer.patrol.plan_io import PLAN_SCHEMA_PATH, plan_json_schema  # noqa: E402

PLAN_SCHEMA_PATH.write_text(
    json.dumps(plan_json_schema(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
)
print(f"wrote {PLAN_SCHEMA_PATH}")

from optimizer.drills.schedule_io import (  # noqa: E402
    SCHEDULE_SCHEMA_PATH,
    schedule_json_schema,
)

SCHEDULE_SCHEMA_PATH.write_text(
    json.dumps(schedule_json_schema(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
)
print(f"wrote {SCHEDULE_SCHEMA_PATH}")
