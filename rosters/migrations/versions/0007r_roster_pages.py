"""roster pages: people can be deactivated (kept, never planned); a user can be linked to
the roster person they are (their badge), for their page "my duties"

Revision ID: 0007r_roster_pages
Revises: 0006_drills
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007r_roster_pages"
down_revision: str | Sequence[str] | None = "0006_drills"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("person_badge", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("person_badge")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("active")
