"""Thin views: parse the request, call a selector or a service, render."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from qualityweek.campaigns.selectors import visible_campaigns
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.ratelimit import limited_response, over_limit
from qualityweek.core.text import plural_ru
from qualityweek.directory.models import Organisation

from . import render as renderer
from . import selectors, services, tasks
from .content import content_for
from .forms import (
    DispatchForm,
    LetterForm,
    MaterialForm,
    RegisterForm,
    RegisterLetterForm,
    RenderForm,
    ReplyForm,
    RequestForm,
    SenderForm,
    TemplateForm,
)
from .models import Audience, Delivery, Dispatch, Letter, LetterTemplate, Material, Register, Request, Sender
from .rules import REQUEST_MOVES
from .sending import letter_filename


def _posted(request: HttpRequest):
    """The POST data for a bound form — bound even when empty, so an empty submission shows errors."""
    return request.POST if request.method == "POST" else None


# --- Letters --------------------------------------------------------------------------------------


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    may_create = can(request.user, "create", Letter)
    written = selectors.with_delivery_counts(selectors.written_by(request.user)) if may_create \
        else Letter.objects.none()
    received = selectors.received_by(request.user)
    return render(request, "outreach/letter_list.html", {
        "written": Paginator(written, 50).get_page(request.GET.get("page")),
        "received": received[:100],
        "may_create": may_create,
    })


def _letter(request: HttpRequest, pk: int) -> Letter:
    return get_object_or_404(selectors.letters_for(request.user), pk=pk)


def _letter_form_fields(form: LetterForm) -> dict:
    return {name: form.cleaned_data[name] for name in LetterForm.Meta.fields}


@login_required
def letter_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create", Letter):
        raise PermissionDenied
    senders = selectors.senders_for(request.user)
    if not senders.exists():
        messages.info(request, "Сначала заполните бланк: от его имени будут уходить письма.")
        return redirect("outreach_letterhead")
    form = LetterForm(_posted(request), senders=senders, templates=selectors.templates_for(request.user),
                      campaigns=visible_campaigns(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: v for k, v in _letter_form_fields(form).items() if v not in ("", None) or k == "with_qr"}
        try:
            letter = services.create_letter(actor=Actor.from_request(request), sender=data["sender"],
                                            campaign=data["campaign"], template=data.get("template"), **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("sender", "Писать от имени этого отправителя вы не можете.")
        else:
            messages.success(request, "Черновик сохранён. Проверьте письмо и зарегистрируйте его.")
            return redirect("outreach_letter_detail", pk=letter.pk)
    return render(request, "outreach/letter_form.html", {"form": form, "letter": None})


@login_required
def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    if not can(request.user, "change", letter):
        raise PermissionDenied
    form = LetterForm(_posted(request), instance=Letter.objects.get(pk=letter.pk),
                      senders=selectors.senders_for(request.user), creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_letter(actor=Actor.from_request(request), letter=letter, **_letter_form_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Изменения сохранены.")
            return redirect("outreach_letter_detail", pk=letter.pk)
    return render(request, "outreach/letter_form.html", {"form": form, "letter": letter})


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    problems = []
    try:
        services.check_placeholders(letter)
        content = content_for(letter)
    except ValidationError as exc:
        problems = exc.messages
        content = None
    user = request.user
    return render(request, "outreach/letter_detail.html", {
        "letter": letter, "content": content, "problems": problems,
        "actions": actions_for(user, letter),
        "register_form": RegisterLetterForm(initial={"date": timezone.localdate()}),
        "cascades": selectors.letters_for(user).filter(parent=letter),
    })


@login_required
@require_POST
def letter_register(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    if not can(request.user, "register", letter):
        raise PermissionDenied
    form = RegisterLetterForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("outreach_letter_detail", pk=letter.pk)
    try:
        letter = services.register_letter(actor=Actor.from_request(request), letter=letter,
                                          date=form.cleaned_data["date"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Письмо зарегистрировано: № {letter.reg_number}.")
    return redirect("outreach_letter_detail", pk=letter.pk)


@login_required
@require_POST
def letter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    if not can(request.user, "delete", letter):
        raise PermissionDenied
    services.delete_letter(actor=Actor.from_request(request), letter=letter)
    messages.success(request, "Черновик удалён.")
    return redirect("outreach_letters")


def _file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    letter = _letter(request, pk)
    try:
        services.check_placeholders(letter)
    except ValidationError as exc:
        messages.error(request, "Письмо нельзя сформировать: " + " ".join(exc.messages))
        return redirect("outreach_letter_detail", pk=letter.pk)
    content = content_for(letter)
    if fmt == "pdf":
        data, mime = renderer.render_pdf(content), "application/pdf"
    else:
        data, mime = renderer.render_docx(content), renderer.DOCX_MIME
    response = HttpResponse(data, content_type=mime)
    # RFC 6266: an ASCII fallback plus filename*=utf-8'' for the Cyrillic register number.
    response["Content-Disposition"] = content_disposition_header(fmt != "pdf", letter_filename(letter, fmt)) or ""
    return response


@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, pk, "pdf")


@login_required
def letter_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, pk, "docx")


def _audiences(request: HttpRequest, letter: Letter) -> list[str]:
    options = [Dispatch.Audience.ORGANISATIONS]
    if can(request.user, "national", Dispatch) and letter.sender.is_operator:
        options = [Dispatch.Audience.EDUCATION_AUTHORITIES, Dispatch.Audience.INDUSTRY_AUTHORITIES, *options]
    if letter.deliveries.exists():
        options.append(Dispatch.Audience.RESEND)
    return [str(a) for a in options]


@login_required
def letter_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: the form, then a confirmation naming how many addressees the letter goes to and who
    has no e-mail; only «Да, отправить» (``confirm``) starts the dispatch."""
    letter = _letter(request, pk)
    if not can(request.user, "dispatch", letter):
        raise PermissionDenied
    form = DispatchForm(_posted(request), audiences=_audiences(request, letter))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choice = {"audience": data["audience"], "kind": data.get("kind") or "",
                  "municipality": data.get("municipality") or ""}
        actor = Actor.from_request(request)
        try:
            if request.POST.get("confirm") != "1":
                preview = services.dispatch_preview(actor=actor, letter=letter, **choice)
                return render(request, "outreach/letter_dispatch_confirm.html", {
                    "letter": letter, "preview": preview, "choice": choice,
                    "kind_label": Organisation.Kind(choice["kind"]).label if choice["kind"] else "",
                    "audience_label": Dispatch.Audience(choice["audience"]).label})
            dispatch = tasks.start_dispatch(actor=actor, letter=letter, **choice)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(f"{reverse('outreach_letter_tracking', args=[letter.pk])}?started={dispatch.pk}")
    listed = selectors.cascade_audience(request.user).count()
    return render(request, "outreach/letter_dispatch.html", {"letter": letter, "form": form,
                                                             "organisations": listed})


def _tracking_context(request: HttpRequest, letter: Letter) -> dict:
    status = request.GET.get("status", "")
    if status not in Delivery.Status.values:
        status = ""
    counts = selectors.delivery_counts(letter)
    dispatch = selectors.latest_dispatch(letter)
    rows = selectors.deliveries_of(letter, status)
    return {
        "letter": letter, "counts": counts, "status": status, "statuses": Delivery.Status.choices,
        "page": Paginator(rows, 100).get_page(request.GET.get("page")),
        "dispatch": dispatch,
        "own_job": dispatch.job if dispatch and dispatch.job and dispatch.job.owner_id == request.user.pk else None,
        "no_email": selectors.deliveries_of(letter, Delivery.Status.NO_EMAIL)[:200],
        "dispatch_state": selectors.dispatch_state(dispatch),
        "polling": counts.queued + counts.sending > 0,
    }


@login_required
def letter_tracking(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    if not can(request.user, "track", letter):
        raise PermissionDenied
    context = _tracking_context(request, letter)
    context |= _started(request, letter, context["dispatch"])
    context |= {
        "may_dispatch": can(request.user, "dispatch", letter),
        "funnel": selectors.funnel(letter) if can(request.user, "national", Dispatch) else None,
        "render_form": RenderForm(),
    }
    return render(request, "outreach/letter_tracking.html", context)


def _dispatch(request: HttpRequest, pk: int, dispatch_pk: int) -> Dispatch:
    letter = _letter(request, pk)
    dispatch = get_object_or_404(Dispatch.objects.filter(letter=letter).select_related("letter", "job"),
                                 pk=dispatch_pk)
    if not can(request.user, "dispatch", letter):
        raise PermissionDenied
    return dispatch


@login_required
@require_POST
def dispatch_resume(request: HttpRequest, pk: int, dispatch_pk: int) -> HttpResponse:
    """«Продолжить рассылку»: send to the addressees a broken dispatch never reached."""
    dispatch = _dispatch(request, pk, dispatch_pk)
    try:
        tasks.resume_dispatch(actor=Actor.from_request(request), dispatch=dispatch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Рассылка продолжена: письмо уйдёт только тем, кому ещё не отправлялось.")
    return redirect("outreach_letter_tracking", pk=pk)


@login_required
@require_POST
def dispatch_unknown(request: HttpRequest, pk: int, dispatch_pk: int) -> HttpResponse:
    """The decision on addressees whose delivery is unknown."""
    dispatch = _dispatch(request, pk, dispatch_pk)
    try:
        count = tasks.resolve_unknown(actor=Actor.from_request(request), dispatch=dispatch,
                                      decision=request.POST.get("decision", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        who = f"{count} {plural_ru(count, 'адресату', 'адресатам', 'адресатам')}"
        if request.POST.get("decision") == "resend":
            messages.success(request, f"Письмо будет отправлено ещё раз: {who}.")
        else:
            messages.success(request, f"Письмо считается доставленным: {who}.")
    return redirect("outreach_letter_tracking", pk=pk)


def _started(request: HttpRequest, letter: Letter, dispatch: Dispatch | None) -> dict:
    """The «Рассылка запущена» banner: shown while the latest dispatch's job runs (or right after
    «Отправить», ``?started=<id>``); it polls ``outreach_dispatch_status`` and gives way to the
    outcome when the job ends."""
    started = request.GET.get("started", "")
    show = dispatch is not None and dispatch.job is not None and (
        not dispatch.job.is_finished or started == str(dispatch.pk))
    return {"banner": selectors.dispatch_progress(dispatch) if show and dispatch else None}


@login_required
def dispatch_status(request: HttpRequest, pk: int, dispatch_pk: int) -> HttpResponse:
    """The banner's fragment, polled every two seconds until the dispatch's job ends."""
    letter = _letter(request, pk)
    if not can(request.user, "track", letter):
        raise PermissionDenied
    dispatch = get_object_or_404(Dispatch.objects.filter(letter=letter).select_related("job"), pk=dispatch_pk)
    return render(request, "outreach/_dispatch_banner.html",
                  {"letter": letter, "banner": selectors.dispatch_progress(dispatch)})


@login_required
def letter_tracking_table(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    if not can(request.user, "track", letter):
        raise PermissionDenied
    return render(request, "outreach/_tracking_table.html", _tracking_context(request, letter))


@login_required
@require_POST
def letter_render(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    if not can(request.user, "track", letter):
        raise PermissionDenied
    form = RenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите хотя бы один формат.")
        return redirect("outreach_letter_tracking", pk=letter.pk)
    try:
        job = tasks.start_render(actor=Actor.from_request(request), letter=letter,
                                    formats=tuple(form.cleaned_data["formats"]))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("outreach_letter_tracking", pk=letter.pk)
    return redirect("job_detail", pk=job.pk)


@login_required
@require_POST
def letter_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _letter(request, pk)
    if not can(request.user, "cascade", parent):
        raise PermissionDenied
    try:
        letter = services.cascade_letter(actor=Actor.from_request(request), parent=parent)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("outreach_letter_detail", pk=parent.pk)
    messages.success(request, "Черновик письма организациям региона готов: проверьте текст и зарегистрируйте его.")
    return redirect("outreach_letter_edit", pk=letter.pk)


# --- Letterhead, registers, templates -------------------------------------------------------------

@login_required
def letterhead(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "change", Sender):
        raise PermissionDenied
    sender = selectors.senders_for(request.user).first()
    organisation = None
    initial = {}
    # A coordinator's first letterhead is their authority's; the operator's has no organisation.
    if sender is None and not can(request.user, "change", Sender(is_operator=True)):
        authorities = selectors.authorities_for(request.user)
        if not authorities:
            raise Http404
        organisation = authorities[0]
        initial = {"name": organisation.name.upper(), "short_name": organisation.name[:120],
                   "address": organisation.address, "phone": organisation.phone, "email": organisation.email,
                   "website": organisation.website}
    form = SenderForm(_posted(request), instance=Sender.objects.get(pk=sender.pk) if sender else None,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_sender(actor=Actor.from_request(request), sender=sender, organisation=organisation,
                                 **{k: form.cleaned_data[k] for k in SenderForm.Meta.fields})
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, "Бланк оператора заполняет администратор оператора.")
        else:
            messages.success(request, "Бланк сохранён.")
            return redirect("outreach_letterhead")
    return render(request, "outreach/letterhead.html", {"form": form, "sender": sender})


@login_required
def register_list(request: HttpRequest) -> HttpResponse:
    senders = selectors.senders_for(request.user)
    if not can(request.user, "change", Register):
        raise PermissionDenied
    sender = senders.first()
    form = RegisterForm(_posted(request), initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        if sender is None:
            form.add_error(None, "Сначала заполните бланк.")
        else:
            try:
                services.save_register(actor=Actor.from_request(request), sender=sender, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Журнал сохранён.")
                return redirect("outreach_registers")
    return render(request, "outreach/register_list.html", {
        "registers": selectors.registers_for(request.user), "form": form, "sender": sender})


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "view", LetterTemplate):
        raise PermissionDenied
    return render(request, "outreach/template_list.html", {
        "templates": selectors.templates_for(request.user),
        "may_change": can(request.user, "change", LetterTemplate)})


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can(request.user, "change", LetterTemplate):
        raise PermissionDenied
    template = get_object_or_404(LetterTemplate, pk=pk) if pk else None
    form = TemplateForm(_posted(request), instance=LetterTemplate.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_template(actor=Actor.from_request(request), template=template, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Шаблон сохранён.")
            return redirect("outreach_templates")
    return render(request, "outreach/template_form.html", {"form": form, "template": template})


# --- Public: authenticity check and acknowledgement ------------------------------------------------

def letter_check(request: HttpRequest, token: str) -> HttpResponse:
    """The page the QR code opens: is this letter genuine?"""
    letter = (Letter.objects.select_related("sender", "campaign")
              .filter(verify_token=token, status=Letter.Status.REGISTERED, campaign__in=visible_campaigns(None))
              .first() if len(token) <= 40 else None)
    if letter is None:
        return render(request, "outreach/letter_check.html", {"letter": None}, status=404)
    return render(request, "outreach/letter_check.html", {"letter": letter, "content": content_for(letter)})


def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery = services.find_delivery(token)
    except services.AcknowledgementInvalid as exc:
        return render(request, "outreach/acknowledge.html", {"error": str(exc)}, status=404)
    if request.method == "POST":
        try:
            delivery = services.acknowledge(token=token, ip=request.META.get("REMOTE_ADDR"))
        except services.AcknowledgementInvalid as exc:
            return render(request, "outreach/acknowledge.html", {"error": str(exc), "delivery": delivery},
                          status=410)
        return render(request, "outreach/acknowledge.html", {"delivery": delivery, "done": True})
    if delivery.status == Delivery.Status.ACKNOWLEDGED:
        return render(request, "outreach/acknowledge.html", {"delivery": delivery, "done": True})
    return render(request, "outreach/acknowledge.html", {"delivery": delivery})


# --- Materials ------------------------------------------------------------------------------------

def material_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    audience = request.GET.get("audience", "")
    campaign = request.GET.get("campaign", "")
    flt = selectors.MaterialFilter(
        kind=kind if kind in Material.Kind.values else "",
        audience=audience if audience in Audience.values else "",
        campaign=int(campaign) if campaign.isdigit() and len(campaign) == 4 else None,
    )
    materials = selectors.materials_for(request.user, flt).distinct()
    return render(request, "outreach/material_list.html", {
        "materials": materials, "filter": flt, "kinds": Material.Kind.choices,
        "audiences": Audience.choices,
        "campaigns": visible_campaigns(request.user).values_list("year", flat=True),
        "may_change": can(request.user, "change", Material),
        "site": request.build_absolute_uri("/")[:-1],
    })


def _material(request: HttpRequest, pk: int) -> Material:
    return get_object_or_404(selectors.materials_for(request.user), pk=pk)


def material_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    material = _material(request, pk)
    services.count_download(material=material)
    if not material.file:
        return redirect(material.url)
    return _serve(material, attachment=True)


def material_image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The banner itself, for the snippet organisations paste into their sites (not counted)."""
    material = _material(request, pk)
    if material.kind != Material.Kind.BANNER or not material.file:
        raise Http404
    response = _serve(material, attachment=False)
    response["Cache-Control"] = "public, max-age=86400"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _serve(material: Material, *, attachment: bool) -> FileResponse:
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = Path(material.file.name or "material").name
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=attachment, filename=name, content_type=mime)


@login_required
def material_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can(request.user, "change", Material):
        raise PermissionDenied
    material = get_object_or_404(Material, pk=pk) if pk else None
    form = MaterialForm(_posted(request), request.FILES or None,
                        instance=Material.objects.get(pk=pk) if pk else None,
                        campaigns=visible_campaigns(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("upload")
        try:
            services.save_material(
                actor=Actor.from_request(request), material=material, audiences=data["audiences"],
                upload=(upload.name, upload.read()) if upload else None,
                **{k: data[k] for k in MaterialForm.Meta.fields})
        except ValidationError as exc:
            apply_errors(form, exc, default_field="upload")
        else:
            messages.success(request, "Материал сохранён.")
            return redirect("outreach_materials")
    return render(request, "outreach/material_form.html", {"form": form, "material": material})


# --- Requests mailbox -----------------------------------------------------------------------------

def request_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and over_limit(request, "public_form", email=request.POST.get("email")):
        return limited_response(request)
    form = RequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = services.submit_request(
                name=data["name"], email=data["email"], topic=data["topic"], message=data["message"],
                organisation_name=data["organisation_name"], region=data["region"],
                ip=request.META.get("REMOTE_ADDR"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Обращение № {req.pk} принято. Ответ придёт на {req.email}.")
            return redirect("outreach_request_new")
    return render(request, "outreach/request_form.html", {"form": form})


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "view", Request):
        raise PermissionDenied
    status = request.GET.get("status", "")
    status = status if status in Request.Status.values else ""
    qs = selectors.requests_for(request.user, status)
    counts = dict(selectors.requests_for(request.user).order_by().values_list("status").annotate(
        n=Count("id")).values_list("status", "n"))
    return render(request, "outreach/request_list.html", {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": [(v, label, counts.get(v, 0)) for v, label in Request.Status.choices]})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(selectors.requests_for(request.user), pk=pk)
    form = ReplyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            tasks.answer_request(actor=Actor.from_request(request), request=req, body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_errors(form, exc, default_field="body")
        else:
            messages.success(request, f"Ответ отправляется на {req.email}.")
            return redirect("outreach_request_detail", pk=req.pk)
    return render(request, "outreach/request_detail.html", {
        "req": req, "form": form, "replies": req.replies.select_related("author"),
        "actions": actions_for(request.user, req)})


@login_required
@require_POST
def request_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = get_object_or_404(selectors.requests_for(request.user), pk=pk)
    if action not in REQUEST_MOVES:
        raise Http404
    try:
        services.move_request(actor=Actor.from_request(request), request=req, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("outreach_request_detail", pk=req.pk)

