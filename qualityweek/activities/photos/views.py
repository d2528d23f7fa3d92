"""Thin views for photo evidence: upload, delete, and private serving of the re-encoded files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import can
from qualityweek.core.text import count_ru

from ..models import Activity, Photo
from . import services as service

VARIANTS = {"image": "image", "thumb": "thumbnail"}


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(Activity.objects.visible_to(request.user).select_related("campaign"), pk=pk)


def _photo(request: HttpRequest, pk: int) -> Photo:
    visible = Activity.objects.visible_to(request.user)
    return get_object_or_404(Photo.objects.filter(activity__in=visible).select_related("activity"), pk=pk)


def _panel(request: HttpRequest, activity: Activity, errors: list[str] | None = None,
           notice: str = "") -> HttpResponse:
    """The photo panel alone, for htmx to swap in place."""
    return render(request, "activities/_photos.html", {
        "activity": activity, "photos": activity.photos.all(), "may_edit": can(request.user, "edit", activity),
        "photo_errors": errors or [], "photo_notice": notice,
    })


def _back(activity: Activity) -> HttpResponse:
    return redirect(reverse("activity_detail", args=[activity.pk]) + "#photos")


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    uploads = request.FILES.getlist("photos")
    try:
        added = service.add_photos(actor=Actor.from_request(request), activity=activity, uploads=uploads)
    except ValidationError as exc:
        errors = exc.message_dict.get(service.FIELD) or exc.messages
        if request.headers.get("HX-Request"):
            return _panel(request, activity, errors)
        for message in errors:
            messages.error(request, message)
        return _back(activity)
    notice = (f"Загружено: {count_ru(len(added), 'фотография', 'фотографии', 'фотографий')}. "
              "Они обрабатываются и появятся через несколько секунд.")
    if request.headers.get("HX-Request"):
        return _panel(request, activity, notice=notice)
    messages.success(request, notice)
    return _back(activity)


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo(request, pk)
    activity = photo.activity
    try:
        service.delete_photo(actor=Actor.from_request(request), photo=photo)
    except ValidationError as exc:
        errors = exc.message_dict.get(service.FIELD) or exc.messages
        if request.headers.get("HX-Request"):
            return _panel(request, activity, errors)
        for message in errors:
            messages.error(request, message)
        return _back(activity)
    if request.headers.get("HX-Request"):
        return _panel(request, activity, notice="Фотография удалена.")
    messages.success(request, "Фотография удалена.")
    return _back(activity)


@login_required
@require_GET
def photo_file(request: HttpRequest, pk: int, variant: str) -> FileResponse:
    """Stream a re-encoded photo or its thumbnail to someone who may see the activity."""
    field = VARIANTS.get(variant)
    if field is None:
        raise Http404
    photo = _photo(request, pk)
    if photo.status != Photo.Status.READY or not can(request.user, "view", photo):
        raise Http404
    response = files.file_response(getattr(photo, field) or "", content_type="image/jpeg",
                                   filename=f"photo-{photo.pk}-{variant}.jpg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
