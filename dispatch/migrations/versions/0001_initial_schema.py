"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:40:44.157009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("manager_name", sa.String(length=200), nullable=True),
        sa.Column("manager_email", sa.String(length=320), nullable=True),
        sa.Column("calendar", JSON_TYPE, nullable=True),
        sa.CheckConstraint(
            "(kind = 'hq') = (parent_id IS NULL)", name=op.f("ck_regions_hq_is_root")
        ),
        sa.CheckConstraint("kind IN ('hq', 'region')", name=op.f("ck_regions_kind_valid")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["regions.id"],
            name=op.f("fk_regions_parent_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    op.create_table(
        "engineers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("home_lat", sa.Double(), nullable=False),
        sa.Column("home_lon", sa.Double(), nullable=False),
        sa.Column("employment", sa.String(length=16), nullable=False),
        sa.Column("cost_per_job", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("certification_valid_until", sa.Date(), nullable=True),
        sa.Column("max_jobs_per_day", sa.Integer(), nullable=False),
        sa.Column("max_work_minutes_per_day", sa.Integer(), nullable=False),
        sa.Column("parts_capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "employment = 'contractor' OR cost_per_job = 0",
            name=op.f("ck_engineers_only_contractors_cost"),
        ),
        sa.CheckConstraint(
            "employment IN ('employee', 'contractor')", name=op.f("ck_engineers_employment_valid")
        ),
        sa.CheckConstraint(
            "level IN ('junior', 'mid', 'senior')", name=op.f("ck_engineers_level_valid")
        ),
        sa.CheckConstraint("cost_per_job >= 0", name=op.f("ck_engineers_cost_non_negative")),
        sa.CheckConstraint("home_lat BETWEEN -90 AND 90", name=op.f("ck_engineers_home_lat_range")),
        sa.CheckConstraint(
            "home_lon BETWEEN -180 AND 180", name=op.f("ck_engineers_home_lon_range")
        ),
        sa.CheckConstraint("max_jobs_per_day > 0", name=op.f("ck_engineers_max_jobs_positive")),
        sa.CheckConstraint(
            "max_work_minutes_per_day > 0 AND max_work_minutes_per_day <= 1440",
            name=op.f("ck_engineers_max_work_minutes_range"),
        ),
        sa.CheckConstraint(
            "parts_capacity IS NULL OR parts_capacity >= 0",
            name=op.f("ck_engineers_parts_capacity_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_engineers_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineers")),
        sa.UniqueConstraint("code", name=op.f("uq_engineers_code")),
    )
    with op.batch_alter_table("engineers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engineers_region_id"), ["region_id"], unique=False)

    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=64), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("dedicated_engineer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tier IN ('standard', 'vip')", name=op.f("ck_customers_tier_valid")),
        sa.CheckConstraint("code = upper(code)", name=op.f("ck_customers_code_upper")),
        sa.ForeignKeyConstraint(
            ["dedicated_engineer_id"],
            ["engineers.id"],
            name=op.f("fk_customers_dedicated_engineer_id_engineers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_customers_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("code", name=op.f("uq_customers_code")),
    )
    op.create_table(
        "engineer_shifts",
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("break_earliest_minute", sa.Integer(), nullable=True),
        sa.Column("break_latest_minute", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "break_minutes = 0 OR (break_earliest_minute IS NOT NULL AND break_latest_minute IS NOT NULL AND break_latest_minute >= break_earliest_minute)",
            name=op.f("ck_engineer_shifts_break_window"),
        ),
        sa.CheckConstraint(
            "break_minutes >= 0", name=op.f("ck_engineer_shifts_break_non_negative")
        ),
        sa.CheckConstraint(
            "end_minute > start_minute", name=op.f("ck_engineer_shifts_ends_after_start")
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440", name=op.f("ck_engineer_shifts_within_day")
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_engineer_shifts_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_engineer_shifts_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engineer_id", "weekday", name=op.f("pk_engineer_shifts")),
    )
    op.create_table(
        "engineer_skills",
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_engineer_skills_level_range")),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_engineer_skills_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engineer_id", "skill", name=op.f("pk_engineer_skills")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'engineer') = (engineer_id IS NOT NULL)",
            name=op.f("ck_users_engineer_binding"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'dispatcher', 'engineer')", name=op.f("ck_users_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_users_engineer_id_engineers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_users_region_id_regions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("engineer_id", name=op.f("uq_users_engineer_id")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("horizon_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("horizon_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("options", JSON_TYPE, nullable=False),
        sa.Column("time_budget_seconds", sa.Float(), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=True),
        sa.Column("inputs_snapshot", JSON_TYPE, nullable=True),
        sa.Column("objective", sa.BigInteger(), nullable=True),
        sa.Column("kpis", JSON_TYPE, nullable=True),
        sa.Column("solver_status", sa.String(length=32), nullable=True),
        sa.Column("solver_seconds", sa.Float(), nullable=True),
        sa.Column("notes", JSON_TYPE, nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'published', 'superseded')",
            name=op.f("ck_plans_status_valid"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_plans_attempts_non_negative")),
        sa.CheckConstraint("horizon_end > horizon_start", name=op.f("ck_plans_horizon_order")),
        sa.CheckConstraint("progress BETWEEN 0 AND 1", name=op.f("ck_plans_progress_range")),
        sa.CheckConstraint("time_budget_seconds > 0", name=op.f("ck_plans_budget_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_plans_created_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_plans_published_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_plans_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_plan_date"), ["plan_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_status"), ["status"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("access_hours", JSON_TYPE, nullable=True),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_sites_lat_range")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f("ck_sites_lon_range")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sites_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_sites_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_region_id"), ["region_id"], unique=False)

    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("equipment_type", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("serial", sa.String(length=200), nullable=False),
        sa.Column("install_date", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "warranty_end IS NULL OR install_date IS NULL OR warranty_end >= install_date",
            name=op.f("ck_assets_warranty_after_install"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_assets_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("model", "serial", name=op.f("uq_assets_model_serial")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_site_id"), ["site_id"], unique=False)

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("symptoms", sa.Text(), nullable=False),
        sa.Column("fault_codes", JSON_TYPE, nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("required_skill", sa.String(length=64), nullable=False),
        sa.Column("min_level", sa.SmallInteger(), nullable=False),
        sa.Column("estimated_minutes", sa.Integer(), nullable=False),
        sa.Column("parts_demand", sa.Integer(), nullable=False),
        sa.Column("remote_resolvable", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fault_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sla_state", sa.String(length=16), nullable=False),
        sa.Column("escalation_level", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'web', 'app', 'service_point')",
            name=op.f("ck_tickets_channel_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('installation', 'repair', 'preventive_maintenance', 'inspection', 'upgrade', 'complaint', 'decommissioning')",
            name=op.f("ck_tickets_kind_valid"),
        ),
        sa.CheckConstraint(
            "sla_state IN ('ok', 'at_risk', 'breached', 'met')",
            name=op.f("ck_tickets_sla_state_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'triaged', 'resolved_remotely', 'scheduled', 'dispatched', 'en_route', 'on_site', 'completed', 'needs_follow_up', 'awaiting_acceptance', 'closed', 'on_hold_customer', 'on_hold_parts', 'cancelled', 'reopened')",
            name=op.f("ck_tickets_status_valid"),
        ),
        sa.CheckConstraint(
            "escalation_level >= 0", name=op.f("ck_tickets_escalation_non_negative")
        ),
        sa.CheckConstraint(
            "estimated_minutes > 0 AND estimated_minutes <= 1440",
            name=op.f("ck_tickets_duration_range"),
        ),
        sa.CheckConstraint("min_level BETWEEN 1 AND 3", name=op.f("ck_tickets_min_level_range")),
        sa.CheckConstraint("parts_demand >= 0", name=op.f("ck_tickets_parts_demand_non_negative")),
        sa.CheckConstraint("priority BETWEEN 1 AND 4", name=op.f("ck_tickets_priority_range")),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_tickets_asset_id_assets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_tickets_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_tickets_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_tickets_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_tickets_site_id_sites"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_status"), ["status"], unique=False)

    op.create_table(
        "plan_unassigned",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("reasons", JSON_TYPE, nullable=False),
        sa.Column("suggestion", JSON_TYPE, nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_unassigned_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_plan_unassigned_ticket_id_tickets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("plan_id", "ticket_id", name=op.f("pk_plan_unassigned")),
    )
    op.create_table(
        "ticket_engineer_rules",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('preferred', 'required', 'excluded')",
            name=op.f("ck_ticket_engineer_rules_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_ticket_engineer_rules_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_engineer_rules_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", "engineer_id", name=op.f("pk_ticket_engineer_rules")),
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", JSON_TYPE, nullable=True),
        sa.Column("after", JSON_TYPE, nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_ticket_events_actor_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_events_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
        sa.UniqueConstraint("ticket_id", "seq", name=op.f("uq_ticket_events_ticket_id_seq")),
    )
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_events_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "ticket_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_ticket_windows_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_windows_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_windows")),
    )
    with op.batch_alter_table("ticket_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_windows_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("planned_arrival", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("travel_seconds", sa.Integer(), nullable=False),
        sa.Column("travel_metres", sa.Integer(), nullable=False),
        sa.Column("lateness_seconds", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.CheckConstraint("planned_end >= planned_start", name=op.f("ck_visits_end_after_start")),
        sa.CheckConstraint(
            "planned_start >= planned_arrival", name=op.f("ck_visits_start_after_arrival")
        ),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_visits_sequence_non_negative")),
        sa.CheckConstraint("travel_seconds >= 0", name=op.f("ck_visits_travel_non_negative")),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_visits_engineer_id_engineers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_visits_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_visits_ticket_id_tickets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint(
            "plan_id",
            "engineer_id",
            "sequence",
            name=op.f("uq_visits_plan_id_engineer_id_sequence"),
        ),
        sa.UniqueConstraint("plan_id", "ticket_id", name=op.f("uq_visits_plan_id_ticket_id")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_engineer_id"), ["engineer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visits_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visits_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "site_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("visit_number", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_in_device_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_in_lat", sa.Double(), nullable=False),
        sa.Column("check_in_lon", sa.Double(), nullable=False),
        sa.Column("check_in_distance_m", sa.Float(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_out_device_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_out_lat", sa.Double(), nullable=True),
        sa.Column("check_out_lon", sa.Double(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("customer_accepted", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('fixed', 'needs_follow_up', 'no_access')",
            name=op.f("ck_site_visits_outcome_valid"),
        ),
        sa.CheckConstraint(
            "check_in_lat BETWEEN -90 AND 90", name=op.f("ck_site_visits_lat_range")
        ),
        sa.CheckConstraint(
            "check_in_lon BETWEEN -180 AND 180", name=op.f("ck_site_visits_lon_range")
        ),
        sa.CheckConstraint(
            "checked_out_at IS NULL OR checked_out_at >= checked_in_at",
            name=op.f("ck_site_visits_out_after_in"),
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_site_visits_engineer_id_engineers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_site_visits_ticket_id_tickets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_site_visits_visit_id_visits"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_visits")),
    )
    with op.batch_alter_table("site_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_visits_engineer_id"), ["engineer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_site_visits_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("site_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_visits_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_site_visits_engineer_id"))

    op.drop_table("site_visits")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_visits_plan_id"))
        batch_op.drop_index(batch_op.f("ix_visits_engineer_id"))

    op.drop_table("visits")
    with op.batch_alter_table("ticket_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_windows_ticket_id"))

    op.drop_table("ticket_windows")
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_events_ticket_id"))

    op.drop_table("ticket_events")
    op.drop_table("ticket_engineer_rules")
    op.drop_table("plan_unassigned")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_status"))
        batch_op.drop_index(batch_op.f("ix_tickets_site_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_region_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_customer_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_asset_id"))

    op.drop_table("tickets")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_site_id"))

    op.drop_table("assets")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_region_id"))
        batch_op.drop_index(batch_op.f("ix_sites_customer_id"))

    op.drop_table("sites")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_status"))
        batch_op.drop_index(batch_op.f("ix_plans_region_id"))
        batch_op.drop_index(batch_op.f("ix_plans_plan_date"))

    op.drop_table("plans")
    op.drop_table("users")
    op.drop_table("engineer_skills")
    op.drop_table("engineer_shifts")
    op.drop_table("customers")
    with op.batch_alter_table("engineers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engineers_region_id"))

    op.drop_table("engineers")
    op.drop_table("regions")
