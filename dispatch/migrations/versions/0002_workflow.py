"""workflow: ticket holds (paused SLA clocks), follow-up visits and satisfaction surveys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:12:42.798474
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = (
    "'new', 'triaged', 'resolved_remotely', 'scheduled', 'dispatched', 'en_route', "
    "'on_site', 'completed', 'needs_follow_up', 'awaiting_acceptance', 'closed', "
    "'on_hold_customer', 'on_hold_parts', 'cancelled', 'reopened'"
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ticket_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("resume_status", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('customer', 'parts')", name=op.f("ck_ticket_holds_kind_valid")
        ),
        sa.CheckConstraint(
            f"resume_status IN ({_STATUSES})", name=op.f("ck_ticket_holds_resume_status_valid")
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_ticket_holds_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["users.id"],
            name=op.f("fk_ticket_holds_ended_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_ticket_holds_started_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_holds_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_holds")),
    )
    with op.batch_alter_table("ticket_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_holds_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "follow_up_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("visit_number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("parts", JSON_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "visit_number >= 2", name=op.f("ck_follow_up_visits_visit_number_follow_up")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_follow_up_visits_created_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_follow_up_visits_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_visits")),
        sa.UniqueConstraint(
            "ticket_id", "visit_number", name=op.f("uq_follow_up_visits_ticket_id_visit_number")
        ),
    )
    with op.batch_alter_table("follow_up_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_visits_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_surveys_score_range")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_surveys_recorded_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_surveys_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_surveys_ticket_id")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("surveys")
    with op.batch_alter_table("follow_up_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_visits_ticket_id"))
    op.drop_table("follow_up_visits")
    with op.batch_alter_table("ticket_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_holds_ticket_id"))
    op.drop_table("ticket_holds")
