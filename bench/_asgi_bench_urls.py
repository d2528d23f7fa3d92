"""URLconf used only by bench/submit_throughput.py: the project's URLs plus a bare single-insert
view as the baseline. Never part of the product (the product's ROOT_URLCONF is qualityweek.urls)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from qualityweek.core.models import AuditEntry


@login_required
@require_POST
def bench_insert(request: HttpRequest) -> HttpResponse:
    """The least a logged-in, CSRF-checked POST that writes can do: insert one audit-like row."""
    AuditEntry.objects.create(actor=request.user, actor_email=request.user.email, action="bench.insert",
                              object_type="bench", object_id="0", object_repr="bench")
    return HttpResponse(status=204)


urlpatterns = [
    path("bench-insert/", bench_insert, name="bench_insert"),
    path("", include("qualityweek.urls")),
]
