"""64-bit file sizes: uploads and result files of 2 GiB or more overflowed a PostgreSQL ``integer``

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_TABLES = ('uploads', 'result_files')


def upgrade() -> None:
    # SQLite integers are already 64-bit; rebuilding its tables (batch mode) would change nothing
    if op.get_context().dialect.name == 'sqlite':
        return
    for table in _TABLES:
        op.alter_column(table, 'size_bytes', existing_type=sa.Integer(), type_=sa.BigInteger(),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_context().dialect.name == 'sqlite':
        return
    for table in _TABLES:
        op.alter_column(table, 'size_bytes', existing_type=sa.BigInteger(), type_=sa.Integer(),
                        existing_nullable=False)
