"""site codes: the key imports upsert sites by (issue 15)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_sites_code"), ["code"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_sites_code"), type_="unique")
        batch_op.drop_column("code")
