"""plan edits: pinned assignments of a draft plan (plan_pin) and the plan that superseded an
assignment's county-day (plan_assignment.superseded_by)

Revision ID: 0007p_plan_edits
Revises: 0006_drills
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007p_plan_edits"
down_revision: str | Sequence[str] | None = "0006_drills"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_pin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("shift", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("task", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("keep", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("broken", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.CheckConstraint("task IN ('post', 'zone', 'standby')", name="ck_plan_pin_task"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_pin", schema=None) as batch_op:
        batch_op.create_index("ix_plan_pin_plan", ["plan_id"], unique=False)
    with op.batch_alter_table("plan_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_assignment", schema=None) as batch_op:
        batch_op.drop_column("superseded_by")
    with op.batch_alter_table("plan_pin", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_pin_plan")
    op.drop_table("plan_pin")
