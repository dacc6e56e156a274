"""real demand (scenario 1.2): the skills a post requires of everyone on it

Covers (per day/shift armed and skilled counts, standby floors per shift) are per-solve
parts of a scenario and are not kept in the database; the post's required skills are
roster data.

Revision ID: 0007c_covers
Revises: 0006_drills
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007c_covers"
down_revision: str | Sequence[str] | None = "0006_drills"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("required_skills", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("required_skills")
