"""Current grades announce their changes (NOTIFY current_grades) for the read cache.

Statement-level triggers, so that a yearly run's hundred thousand rows send one notice ('*'),
while an event-driven re-grade names its parcel. Notices are delivered when the writing
transaction commits, and never for one that rolls back.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Above this many rows in one statement, "anything may have changed" is cheaper than naming each.
MANY = 200


def upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION announce_current_grades() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT count(*) FROM changed) > {MANY} THEN
                PERFORM pg_notify('current_grades', '*');
            ELSE
                PERFORM pg_notify('current_grades', parcel_id) FROM (SELECT DISTINCT parcel_id FROM changed) c;
            END IF;
            RETURN NULL;
        END $$
    """)
    for event, table in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        op.execute(f"""
            CREATE TRIGGER current_grades_{event.lower()}_announced AFTER {event} ON current_grades
            REFERENCING {table} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION announce_current_grades()
        """)


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER current_grades_{event}_announced ON current_grades")
    op.execute("DROP FUNCTION announce_current_grades()")
