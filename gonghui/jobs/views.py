from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.core.pages import staff_page
from gonghui.jobs import selectors


@staff_page()
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    job = selectors.job_get(actor=request.user, public_id=public_id)
    return render(request, "jobs/detail.html", {"job": job})


@staff_page()
def progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The progress bar partial; it keeps polling itself until the job has finished."""
    job = selectors.job_get(actor=request.user, public_id=public_id)
    return render(request, "jobs/partials/progress.html", {"job": job})


@staff_page()
def result(request: HttpRequest, public_id: str) -> FileResponse:
    job = selectors.job_get(actor=request.user, public_id=public_id)
    if not job.result_file:
        raise Http404
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=(job.result_file.name or "result").rsplit("/", 1)[-1],
    )


@staff_page()
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.job_list(actor=request.user)[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})
