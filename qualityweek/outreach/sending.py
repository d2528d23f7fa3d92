"""The work behind the sending and rendering jobs: each e-mail sent on its own, each addressee's
fate recorded (sent, or failed with the SMTP server's reason)."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from qualityweek.core import events, files, mail
from qualityweek.core.jobs import ChunkProgress
from qualityweek.core.text import date_ru, ru_number

from . import render
from .content import content_for, letter_values, personal_content, qr_images, verify_url
from .models import Delivery, Dispatch, Letter, RequestReply
from .tokens import new_ack_token
from .typography import plain


def letter_filename(letter: Letter, ext: str, suffix: str = "") -> str:
    number = (letter.reg_number or f"draft-{letter.pk}").replace("/", "-")
    return f"letter-{number}{suffix}.{ext}"


ATTEMPTED = (Delivery.Status.SENDING, Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.UNKNOWN,
             Delivery.Status.ACKNOWLEDGED)


def send_dispatch(*, dispatch_id: int, on_progress: Callable[[int, int, str], None]) -> tuple[int, int]:
    """Send every queued delivery of a dispatch, each exactly once; returns (sent, failed) of this run.

    Each addressee is claimed («sending», committed on its own) before the SMTP call and its outcome
    written after, so a rerun after a crash (a resume, the reaper's restart) mails only addressees never
    attempted; one left «sending» by a dead worker becomes «unknown» for the coordinator to decide."""
    dispatch = Dispatch.objects.select_related("letter__sender", "letter__campaign").get(pk=dispatch_id)
    letter = dispatch.letter
    mark_lost(dispatch)
    qr = qr_images(verify_url(letter)) if letter.with_qr else None
    ids = list(Delivery.objects.filter(dispatch=dispatch, status=Delivery.Status.QUEUED)
               .order_by("pk").values_list("pk", flat=True))
    before = Delivery.objects.filter(dispatch=dispatch, status__in=ATTEMPTED).count()
    total, sent, failed = before + len(ids), 0, 0
    # Mail clients show a subject as plain text: no typographic non-breaking spaces there.
    base, values = content_for(letter, qr=qr), letter_values(letter)
    dated = f" от {plain(date_ru(letter.reg_date))}" if letter.reg_date else ""
    subject = f"Письмо № {letter.reg_number}{dated}: {plain(base.title)}"
    with mail.session() as session:
        for done, pk in enumerate(ids, start=before + 1):
            delivery = (Delivery.objects.select_related("organisation")
                        .filter(pk=pk, dispatch=dispatch, status=Delivery.Status.QUEUED).first())
            if delivery is None:  # a later dispatch took it over, or another run claimed it
                continue
            token = new_ack_token(delivery)
            content = personal_content(base, values, addressee=delivery.addressee, salutation=delivery.salutation)
            body = render_to_string("outreach/email/letter.txt", {
                "letter": letter, "content": content, "delivery": delivery,
                "ack_url": settings.SITE_URL + reverse("outreach_acknowledge", args=[token]),
                "check_url": content.qr_url,
            })
            message = mail.message(to=[delivery.email], subject=subject, body=body,
                                   reply_to=[letter.sender.email] if letter.sender.email else None,
                                   attachments=[(letter_filename(letter, "pdf"), render.render_pdf(content),
                                                 "application/pdf")],
                                   message_id=mail.stable_message_id("letter", letter.pk, "delivery", pk,
                                                                     "dispatch", dispatch.pk))
            # The claim is committed before the SMTP call (no transaction is held while talking to it).
            if not Delivery.objects.filter(pk=pk, dispatch=dispatch, status=Delivery.Status.QUEUED).update(
                    status=Delivery.Status.SENDING, attempts=F("attempts") + 1, error="",
                    token_hash=delivery.token_hash):
                continue
            changes: dict[str, object]
            try:
                session.send(message)
            except mail.DeliveryError as exc:
                if exc.uncertain:  # the ack link may be in a mailbox: keep its token
                    changes = {"status": Delivery.Status.UNKNOWN, "error": exc.reason}
                else:
                    changes = {"status": Delivery.Status.FAILED, "error": exc.reason, "token_hash": ""}
                failed += 1
            else:
                changes = {"status": Delivery.Status.SENT, "error": "", "sent_at": timezone.now()}
                sent += 1
            Delivery.objects.filter(pk=pk, dispatch=dispatch,
                                    status__in=[Delivery.Status.SENDING, Delivery.Status.UNKNOWN]).update(**changes)
            if changes["status"] == Delivery.Status.SENT:
                events.emit("letter.received", delivery=delivery)
            on_progress(done, total, f"Отправлено: {ru_number(sent)}, ошибок: {ru_number(failed)}")
    return sent, failed


def mark_lost(dispatch: Dispatch) -> int:
    """Addressees a stopped run left «sending» become «unknown»: the message may have gone out."""
    return Delivery.objects.filter(dispatch=dispatch, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.UNKNOWN,
        error="Отправка прервалась (обработчик задач остановился): письмо могло уйти. Решите, отправить ли ещё раз.")


def render_chunk(*, job_id: str, letter_id: int, delivery_ids: list[int], formats: list[str]) -> int:
    """Render one chunk of personal copies into one ZIP part in the job's folder (a file per chunk,
    not per copy: on a busy disk every file opened costs milliseconds); returns the number of copies.
    The part is built in a scratch folder and stored whole, so a rerun replaces it whole."""
    letter = Letter.objects.select_related("sender", "campaign").get(pk=letter_id)
    qr = qr_images(verify_url(letter)) if letter.with_qr and letter.is_registered else None
    deliveries = (Delivery.objects.filter(pk__in=delivery_ids).select_related("organisation__region")
                  .order_by("organisation__region__code", "pk"))
    done = 0
    base, values = content_for(letter, qr=qr), letter_values(letter)
    name = f"part-{min(delivery_ids):012d}.zip"
    # Built in a local scratch folder, then kept in the file storage, which every worker shares: the
    # chunk that packs the result may run on another machine.
    with files.scratch() as scratch:
        with zipfile.ZipFile(scratch / name, "w", zipfile.ZIP_STORED) as z:
            for delivery in deliveries:
                content = personal_content(base, values, addressee=delivery.addressee,
                                           salutation=delivery.salutation)
                stem = f"{delivery.organisation.region.code}-{delivery.pk}"
                if "pdf" in formats:
                    z.writestr(_member(f"{stem}.pdf"), render.render_pdf(content))
                    done += 1
                if "docx" in formats:
                    z.writestr(_member(f"{stem}.docx"), render.render_docx(content))
                    done += 1
        files.store_path(f"{_folder(job_id)}/{name}", scratch / name)
    return done


def _member(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])


def _folder(job_id: str) -> str:
    return f"private/letters/{job_id}"


def _append_part(z: zipfile.ZipFile, part: Path) -> int:
    """Copy a part's members into ``z`` as they are (headers and stored bytes, no CRC computed again),
    block by block; returns how many."""
    with zipfile.ZipFile(part) as source:
        members, end = source.infolist(), source.start_dir
    out = z.fp
    if out is None:
        raise ValueError("the ZIP is closed")
    base = out.tell()
    with part.open("rb") as f:
        left = end
        while left:
            block = f.read(min(left, 1 << 20))
            if not block:
                raise ValueError(f"{part.name} is shorter than its directory says")
            out.write(block)
            left -= len(block)
    for info in members:
        info.header_offset += base
        z.filelist.append(info)
        z.NameToInfo[info.filename] = info
    z.start_dir = out.tell()
    return len(members)


def finish_render(*, progress: ChunkProgress, letter_id: int) -> bool:
    """Count this chunk as done; the chunk that completes the set packs the ZIP and finishes the job.
    True for the call that did it."""
    if not progress.chunk_done():
        return False
    job_id = str(progress.job.pk)
    letter = Letter.objects.get(pk=letter_id)
    folder = _folder(job_id)
    parts = sorted(name for name in default_storage.listdir(folder)[1] if name.startswith("part-"))
    # The parts' members are copied into the result as they are, a block at a time: memory stays flat
    # whatever the count; the directory lists the copies by name (region code, then delivery).
    count = 0
    with files.scratch() as scratch:
        with zipfile.ZipFile(scratch / "copies.zip", "w", zipfile.ZIP_STORED) as z:
            for name in parts:
                local = scratch / name
                with files.open_stored(f"{folder}/{name}") as source, local.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                count += _append_part(z, local)
                local.unlink()
            z.filelist.sort(key=lambda info: info.filename)
        relative = files.store_path(f"private/letters/{job_id}.zip", scratch / "copies.zip")
    for name in parts:
        files.delete(f"{folder}/{name}")
    progress.finish(result_file=relative, result_name=letter_filename(letter, "zip", "-copies"),
                    message=f"Готово файлов: {ru_number(count)}")
    return True


def send_reply(*, reply_id: int) -> bool:
    """E-mail one reply, once: claimed «sending» before the SMTP call; a rerun of its job sends nothing
    more (one left «sending» by a dead worker becomes «unknown»)."""
    reply = RequestReply.objects.select_related("request").get(pk=reply_id)
    req = reply.request
    if reply.status == RequestReply.Status.SENDING:
        RequestReply.objects.filter(pk=reply.pk, status=RequestReply.Status.SENDING).update(
            status=RequestReply.Status.UNKNOWN, error="Отправка прервалась: ответ мог уйти.")
        return False
    body = render_to_string("outreach/email/request_reply.txt", {"request": req, "reply": reply})
    message = mail.message(to=[req.email], subject=f"Ответ на обращение № {req.pk} — Неделя качества", body=body,
                           message_id=mail.stable_message_id("request", req.pk, "reply", reply.pk))
    if not RequestReply.objects.filter(pk=reply.pk, status=RequestReply.Status.QUEUED).update(
            status=RequestReply.Status.SENDING):
        return reply.status == RequestReply.Status.SENT  # tried before: never twice
    try:
        mail.send_now(message)
    except mail.DeliveryError as exc:
        status = RequestReply.Status.UNKNOWN if exc.uncertain else RequestReply.Status.FAILED
        RequestReply.objects.filter(pk=reply.pk).update(status=status, error=exc.reason)
        return False
    RequestReply.objects.filter(pk=reply.pk).update(status=RequestReply.Status.SENT, error="", sent_at=timezone.now())
    return True
