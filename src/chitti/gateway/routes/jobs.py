"""Long jobs: their state and result, the user's list, and cancelling one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from chitti.errors import RateLimited
from chitti.gateway import store
from chitti.gateway.access import Trader, Viewer
from chitti.gateway.auth import Principal
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, JobInfo, JobList

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: ERROR_RESPONSES[400] | {"description": "No such job of yours"}}


def public(job: dict[str, Any]) -> dict[str, Any]:
    """A job row as the API shows it (without the owner's internal id)."""
    return {key: value for key, value in job.items() if key != "user_id"}


async def enqueue(request: Request, principal: Principal, kind: str,
                  payload: dict[str, Any]) -> OrjsonResponse:
    """Queue a job of ``kind`` for ``principal`` and answer 202 with it (429 when the user
    already has ``CHITTI_MAX_LONG_JOBS_PER_USER`` queued or running)."""
    settings = request.app.state.auth.settings
    async with request.app.state.db_pool.connection() as conn:
        job = await store.add_job(conn, principal.user_id, kind, payload,
                                  settings.max_long_jobs_per_user)
    if job is None:
        raise RateLimited(f"you have {settings.max_long_jobs_per_user} jobs queued or "
                          "running (CHITTI_MAX_LONG_JOBS_PER_USER): wait for one, or cancel "
                          "one with DELETE /api/jobs/{id}", retry_after_s=5)
    return OrjsonResponse(public(job), status_code=202,
                          headers={"Location": f"/api/jobs/{job['id']}"})



@router.get("", response_model=JobList, responses=ERROR_RESPONSES)
async def list_jobs(request: Request, principal: Viewer,
                    limit: Annotated[int, Query(ge=1, le=500)] = 50) -> OrjsonResponse:
    """Your jobs, newest first (without their results)."""
    async with request.app.state.db_pool.connection() as conn:
        rows = await store.list_jobs(conn, principal.user_id, limit)
    return OrjsonResponse({"jobs": [public(row) for row in rows]})


@router.get("/{job_id}", response_model=JobInfo, responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_job(request: Request, job_id: uuid.UUID, principal: Viewer) -> OrjsonResponse:
    """A job's state, and its result once done (poll, or watch ``job`` messages on
    ``/api/ws``)."""
    async with request.app.state.db_pool.connection() as conn:
        return OrjsonResponse(public(await store.get_job(conn, str(job_id), principal.user_scope,
                                                         with_result=True)))


@router.delete("/{job_id}", response_model=JobInfo,
               responses={**ERROR_RESPONSES, **NOT_FOUND})
async def cancel_job(request: Request, job_id: uuid.UUID, principal: Trader) -> OrjsonResponse:
    """Cancel a queued or running job (a finished job is left as it is)."""
    async with request.app.state.db_pool.connection() as conn:
        return OrjsonResponse(public(await store.cancel_job(conn, str(job_id),
                                                           principal.user_scope)))
