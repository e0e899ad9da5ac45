"""Writes of the core app: the job life cycle every task goes through, the leases that make a
job run once at a time, the outbox that queues jobs, and the periodic maintenance.

Jobs (``core.services.jobs``)
    job_running(job, *, message="", task_id="", min_interval=0.0) -> ContextManager[JobRun]
    job_is_done(job) -> bool
    job_start / job_progress / job_succeed / job_fail (the single writes it is made of)

Leases (``core.services.leases``)
    lease_claim(*, job, worker="") -> Lease          # raises JobSkipped
    job_give_up(*, job, now=None) -> bool

Outbox (``core.services.outbox``)
    job_queue(*, job) -> OutboxMessage
    outbox_queue(*, task_name, kwargs, job=None) -> OutboxMessage
    outbox_send(*, message_id) -> bool
    outbox_deliver(*, limit=500, grace_seconds=10.0) -> int

Tokens (``core.services.tokens``)
    api_token_create(*, user, name, now, expires_at=None) -> (ApiToken, token)
    api_token_revoke(*, token) -> None
    api_token_touch(*, token, now) -> None

Maintenance (``core.services.maintenance``)
    job_requeue(*, job) -> bool
    jobs_maintain() -> MaintenanceReport
"""

from core.services.jobs import (
    JobRun,
    job_error_text,
    job_fail,
    job_is_done,
    job_progress,
    job_running,
    job_start,
    job_succeed,
)
from core.services.leases import JobSkipped, Lease, LeaseLost, job_give_up, lease_claim
from core.services.maintenance import MaintenanceReport, job_requeue, jobs_maintain
from core.services.outbox import job_queue, outbox_deliver, outbox_queue, outbox_send
from core.services.tokens import TokenError, api_token_create, api_token_revoke, api_token_touch

__all__ = [
    "JobRun",
    "JobSkipped",
    "Lease",
    "LeaseLost",
    "MaintenanceReport",
    "TokenError",
    "api_token_create",
    "api_token_revoke",
    "api_token_touch",
    "job_error_text",
    "job_fail",
    "job_give_up",
    "job_is_done",
    "job_progress",
    "job_queue",
    "job_requeue",
    "job_running",
    "job_start",
    "job_succeed",
    "jobs_maintain",
    "lease_claim",
    "outbox_deliver",
    "outbox_queue",
    "outbox_send",
]
