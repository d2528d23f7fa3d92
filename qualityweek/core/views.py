
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import files, jobs
from . import health as health_checks
from .audit import Actor
from .metrics import metrics_allowed, metrics_response
from .models import Job
from .permissions import can


def _own_job(request: HttpRequest, pk) -> Job:
    return get_object_or_404(Job.objects.filter(owner_id=request.user.pk), pk=pk)


@login_required
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    return render(request, "core/job_detail.html", {"job": _own_job(request, pk)})


@login_required
def job_progress(request: HttpRequest, pk) -> HttpResponse:
    """The progress fragment htmx polls until the job finishes."""
    return render(request, "core/_job_progress.html", {"job": _own_job(request, pk)})


@login_required
def job_download(request: HttpRequest, pk) -> HttpResponseBase:
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    seconds = settings.PRIVATE_DOWNLOAD_URL_SECONDS
    if seconds and files.exists(job.result_file):
        # The object store hands the file over itself, by a URL that works for a minute or so.
        url = files.signed_url(job.result_file, seconds=seconds, filename=job.result_name)
        if url:
            return redirect(url)
    return files.file_response(job.result_file, as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk) -> HttpResponse:
    job = _own_job(request, pk)
    if can(request.user, "retry", job):
        jobs.retry_job(actor=Actor.from_request(request), job=job)
        messages.success(request, "Задача запущена снова.")
    else:
        messages.error(request, "Эту задачу сейчас нельзя повторить: она не завершилась ошибкой и не прервана.")
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk) -> HttpResponse:
    job = _own_job(request, pk)
    if can(request.user, "cancel", job):
        jobs.cancel_job(actor=Actor.from_request(request), job=job)
        messages.success(request, "Задача отменена.")
    else:
        messages.error(request, "Эту задачу уже нельзя отменить: она завершилась.")
    return redirect("job_detail", pk=job.pk)


def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return HttpResponse("ok", content_type="text/plain")


def readiness(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when the database, Redis (when configured) and the storage work, else 503."""
    checks = health_checks.readiness()
    ready = health_checks.FAILED not in checks.values()
    response = JsonResponse({"status": "ok" if ready else "failed", "checks": checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus figures for a scraper with the token or from an allowed address; for anyone else the
    address does not exist."""
    if not metrics_allowed(request):
        raise Http404
    return metrics_response()
