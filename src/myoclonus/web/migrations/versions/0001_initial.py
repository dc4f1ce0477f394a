"""initial schema: cases, uploads, result files

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 11:37:43.180475
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('stage', sa.String(length=80), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('intake_json', sa.Text(), nullable=True),
    sa.Column('montage_yaml', sa.Text(), nullable=True),
    sa.Column('recording_id', sa.Integer(), nullable=True),
    sa.Column('run_dir', sa.String(length=300), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('result_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'name', name='uq_result_case_name')
    )
    with op.batch_alter_table('result_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_files_case_id'), ['case_id'], unique=False)

    op.create_table('uploads',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('stored_path', sa.String(length=300), nullable=False),
    sa.Column('channels_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_sha256'))
        batch_op.drop_index(batch_op.f('ix_uploads_case_id'))

    op.drop_table('uploads')
    with op.batch_alter_table('result_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_files_case_id'))

    op.drop_table('result_files')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))

    op.drop_table('cases')
