"""Every write to certificates: issue (one holder, or in bulk as a job), revoke, re-issue, the ZIP of
many, and mailing them.

Idempotence: a source names each holder by a stable key; at most one certificate is valid per
(source, subject, holder key) — a partial unique constraint says so to the database. Issuing again
leaves a valid certificate alone when the holder's name, reason and place are unchanged; when they
changed, the old certificate is revoked («Переоформлен») and a new one with a new number replaces it.

Numbers: a ``NumberRegister`` row per kind and year is locked while a number is taken; the unique
(kind, year, number) constraint is the last word and a lost race is retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, files, jobs
from qualityweek.core import mail as core_mail
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from qualityweek.core.permissions import can, require
from qualityweek.core.text import date_ru, ru_number, strip_control

from . import render
from .kinds import ISSUER, SIGNER_NAME, SIGNER_POSITION, SPECS, format_number, spec
from .models import Certificate, NumberRegister
from .morph import dative
from .rules import IssueScope, allows
from .sources import SOURCES, Holder, Source, Subject, subject_label

log = logging.getLogger(__name__)

REISSUED = "Переоформлен: изменились данные получателя."
REPLACED = "Переоформлен по запросу."


# --- Reading a source -------------------------------------------------------------------------------

def source_for(code: str) -> Source:
    source = SOURCES.get(code)
    if source is None:
        raise ValidationError({"source": "Такого источника сертификатов нет."})
    if source.kind not in SPECS:
        raise ValidationError({"source": f"Источник «{source.label}» выдаёт неизвестный вид документа."})
    return source


def scope_of(source: Source, subject: Subject) -> IssueScope:
    return IssueScope(kind=source.kind, region_id=subject.region_id, sector=subject.sector,
                      organisation_id=subject.organisation_id)


def in_scope(holder: Holder, subject: Subject) -> bool:
    """A holder the source returned is issued to only inside the scope asked for, whatever the source
    did: a region's coordinator never issues to another region through a careless source."""
    return ((subject.region_id is None or holder.region_id == subject.region_id)
            and (not subject.sector or holder.sector == subject.sector)
            and (subject.organisation_id is None or holder.organisation_id == subject.organisation_id))


def holders_of(source: Source, subject: Subject) -> list[Holder]:
    """The source's holders within the scope, each key once (the first wins)."""
    seen: set[str] = set()
    out = []
    for holder in source.holders(subject):
        if holder.key not in seen and in_scope(holder, subject):
            seen.add(holder.key)
            out.append(holder)
    return out


@dataclass(frozen=True)
class Identity:
    """What is printed about the campaign (the same for every certificate of one issue)."""

    subject_label: str
    campaign_line: str
    motto: str


def identity_of(source: Source, subject_id: int, today: dt.date) -> Identity:
    year = source.campaign_year(subject_id) if source.campaign_year is not None else None
    campaign = Campaign.objects.filter(year=year or today.year).first()
    label = subject_label(source, subject_id) or (f"Неделя качества {campaign.year}" if campaign else source.label)
    if campaign is not None:
        day_month = date_ru(campaign.quality_day).split(" ")[0]  # «12 ноября» (the year is said already)
        line = f"Всемирная неделя качества {campaign.year} · День качества {day_month}"
        motto = campaign.motto
    else:
        line, motto = f"Всемирная неделя качества {year or today.year}", ""
    return Identity(subject_label=label[:300], campaign_line=line[:300], motto=motto)


# --- Issuing ---------------------------------------------------------------------------------------

@dataclass
class IssueResult:
    created: int = 0
    unchanged: int = 0
    reissued: int = 0
    ids: tuple[int, ...] = ()

    def message(self) -> str:
        return (f"Выдано новых: {self.created}; переоформлено: {self.reissued}; "
                f"уже были выданы: {self.unchanged}.")


def _take_number(kind: str, year: int) -> int:
    register = NumberRegister.objects.select_for_update().filter(kind=kind, year=year).first()
    if register is None:
        try:
            with transaction.atomic():
                NumberRegister.objects.create(kind=kind, year=year)
        except IntegrityError:
            pass  # another issuer opened it at the same moment
        register = NumberRegister.objects.select_for_update().get(kind=kind, year=year)
    NumberRegister.objects.filter(pk=register.pk).update(next_number=F("next_number") + 1)
    return register.next_number


def _printed_name(kind: str, holder: Holder) -> str:
    return dative(holder.name) if holder.is_person and spec(kind).dative else holder.name


def _new_certificate(*, actor: Actor, source: Source, subject_id: int, holder: Holder, identity: Identity,
                     now: dt.datetime) -> Certificate:
    year = timezone.localtime(now).year
    number = _take_number(source.kind, year)
    name = strip_control(holder.name).strip()[:300]
    cert = Certificate(
        kind=source.kind, year=year, number=number, number_text=format_number(source.kind, year, number),
        source=source.code, subject_id=subject_id, subject_label=identity.subject_label,
        holder_key=holder.key[:100], holder_name=name, holder_printed=_printed_name(source.kind, holder)[:300],
        holder_is_person=holder.is_person, holder_email=holder.email[:254], reason=strip_control(holder.reason)[:500],
        place=strip_control(holder.place)[:100], region_id=holder.region_id, sector=holder.sector,
        organisation_id=holder.organisation_id, user_id=holder.user_id, campaign_line=identity.campaign_line,
        motto=identity.motto, issuer=ISSUER, signer_position=SIGNER_POSITION, signer_name=SIGNER_NAME,
        issued_at=now, issued_by=actor.user,
    )
    with transaction.atomic():  # a lost race on a constraint rolls back only this insert
        cert.save()
    return cert


def _changed(cert: Certificate, holder: Holder) -> bool:
    return (cert.holder_name != strip_control(holder.name).strip()[:300]
            or cert.reason != strip_control(holder.reason)[:500] or cert.place != strip_control(holder.place)[:100])


@transaction.atomic
def _issue_one(*, actor: Actor, source: Source, subject_id: int, holder: Holder, identity: Identity,
               at: dt.datetime | None = None) -> tuple[str, int]:
    """Issue to one holder: ("unchanged" | "created" | "reissued", the valid certificate's id)."""
    now = at or timezone.now()
    existing = (Certificate.objects.select_for_update(of=("self",))
                .filter(source=source.code, subject_id=subject_id, holder_key=holder.key[:100],
                        status=Certificate.Status.VALID).first())
    if existing is not None and not _changed(existing, holder):
        # The e-mail may be filled in later without a new number.
        if holder.email and existing.holder_email != holder.email[:254]:
            Certificate.objects.filter(pk=existing.pk).update(holder_email=holder.email[:254])
        return "unchanged", existing.pk
    if existing is not None:
        before = audit.snapshot(existing, ["status", "holder_name", "reason", "place"])
        Certificate.objects.filter(pk=existing.pk).update(status=Certificate.Status.REVOKED, revoked_at=now,
                                                          revoke_reason=REISSUED, revoked_by=actor.user)
    cert = _new_certificate(actor=actor, source=source, subject_id=subject_id, holder=holder, identity=identity,
                            now=now)
    if existing is not None:
        Certificate.objects.filter(pk=existing.pk).update(replaced_by=cert)
        audit.record(actor=actor, action="certificate.reissue", obj=existing, before=before,
                     after={"status": "revoked", "revoke_reason": REISSUED, "replaced_by": cert.number_text})
    audit.record(actor=actor, action="certificate.issue", obj=cert,
                 after=audit.snapshot(cert, ["number_text", "source", "subject_id", "holder_key", "holder_name"]))
    return ("reissued" if existing is not None else "created"), cert.pk


def issue_one(*, actor: Actor, source: Source, subject_id: int, holder: Holder, identity: Identity,
              at: dt.datetime | None = None) -> tuple[str, int]:
    """``_issue_one`` in its own transaction, run again when a concurrent issue won a race on a number
    or on the one-valid constraint (the rerun then finds its certificate and leaves it alone)."""
    for attempt in range(4):
        try:
            return _issue_one(actor=actor, source=source, subject_id=subject_id, holder=holder, identity=identity,
                              at=at)
        except IntegrityError:
            if attempt == 3:
                raise
    raise RuntimeError("unreachable")


def check_issue(*, actor: Actor, source_code: str, subject: Subject) -> Source:
    """The checks a request makes before a job starts: the source exists, the scope is the actor's."""
    source = source_for(source_code)
    if source.subjects is not None and all(pk != subject.subject_id for pk, _ in source.subjects()):
        raise ValidationError({"subject": "Выберите, за что выдать, из списка."})
    require(actor, "issue", scope_of(source, subject), "Выдавать такие сертификаты в этой области вы не можете.")
    return source


def issue(*, actor: Actor, source_code: str, subject: Subject,
          progress: Callable[[int, int], None] | None = None, at: dt.datetime | None = None) -> IssueResult:
    """Issue to every holder of the source within the scope (each holder in its own transaction, so a
    long issue never holds locks for long and a crash keeps what was issued; running it again
    continues where it stopped). ``at`` dates the new certificates (the demo's past campaign); only
    the system may give it."""
    if at is not None and not actor.is_system:
        raise PermissionDenied("Дату выдачи задаёт только система.")
    source = check_issue(actor=actor, source_code=source_code, subject=subject)
    holders = holders_of(source, subject)
    identity = identity_of(source, subject.subject_id, timezone.localdate())
    result = IssueResult()
    ids = []
    for n, holder in enumerate(holders, start=1):
        outcome, pk = issue_one(actor=actor, source=source, subject_id=subject.subject_id, holder=holder,
                                identity=identity, at=at)
        setattr(result, outcome, getattr(result, outcome) + 1)
        ids.append(pk)
        if progress is not None:
            progress(n, len(holders))
    result.ids = tuple(ids)
    return result


@transaction.atomic
def start_issue(*, actor: Actor, source_code: str, subject: Subject) -> Job:
    """The bulk issue as a job with a progress bar; its result is the ZIP of the certificates."""
    source = check_issue(actor=actor, source_code=source_code, subject=subject)
    label = subject_label(source, subject.subject_id)
    job = jobs.start_job(owner=actor.user, kind="certificates.issue",
                         title=f"Выдача: {source.label}" + (f" — {label}" if label else ""),
                         task="qualityweek.certificates.tasks.issue_task",
                         source_code=source.code, subject=asdict(subject),
                         user_id=actor.user.pk if actor.user is not None else None)
    audit.record(actor=actor, action="certificate.issue_start", obj=job,
                 after={"source": source.code, **asdict(subject)})
    return job


# --- Revoking and re-issuing -----------------------------------------------------------------------

def _locked(cert: Certificate) -> Certificate:
    return Certificate.objects.select_for_update(of=("self",)).get(pk=cert.pk)


@transaction.atomic
def revoke(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    cert = _locked(certificate)
    if not allows(cert, "revoke"):
        raise ValidationError("Сертификат уже отозван.")
    require(actor, "revoke", cert, "Отозвать этот сертификат вы не можете.")
    reason = strip_control(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Укажите причину отзыва: её увидит каждый, кто проверит сертификат."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Причина — не длиннее 500 символов."})
    before = audit.snapshot(cert, ["status", "revoked_at", "revoke_reason"])
    cert.status, cert.revoked_at, cert.revoke_reason, cert.revoked_by = (
        Certificate.Status.REVOKED, timezone.now(), reason, actor.user)
    cert.save(update_fields=["status", "revoked_at", "revoke_reason", "revoked_by"])
    audit.record(actor=actor, action="certificate.revoke", obj=cert, before=before,
                 after=audit.snapshot(cert, ["status", "revoked_at", "revoke_reason"]))
    return cert


@transaction.atomic
def reissue(*, actor: Actor, certificate: Certificate) -> Certificate:
    """A new number and a new verification id for the same holder and reason (a lost or damaged
    copy, a number to replace); the old one is revoked and points to the new one."""
    cert = _locked(certificate)
    if not allows(cert, "reissue"):
        raise ValidationError("Отозванный сертификат переоформить нельзя.")
    require(actor, "reissue", cert, "Переоформить этот сертификат вы не можете.")
    now = timezone.now()
    before = audit.snapshot(cert, ["status", "revoked_at", "revoke_reason"])
    Certificate.objects.filter(pk=cert.pk).update(status=Certificate.Status.REVOKED, revoked_at=now,
                                                  revoke_reason=REPLACED, revoked_by=actor.user)
    year = timezone.localtime(now).year
    number = _take_number(cert.kind, year)
    new = Certificate.objects.get(pk=cert.pk)
    new.pk, new.public_id = None, Certificate._meta.get_field("public_id").get_default()
    new.year, new.number, new.number_text = year, number, format_number(cert.kind, year, number)
    new.status, new.revoked_at, new.revoke_reason, new.revoked_by = Certificate.Status.VALID, None, "", None
    new.replaced_by, new.issued_at, new.issued_by = None, now, actor.user
    new.mail_status, new.mail_at, new.mail_error = Certificate.Mail.NONE, None, ""
    new.save(force_insert=True)
    Certificate.objects.filter(pk=cert.pk).update(replaced_by=new)
    audit.record(actor=actor, action="certificate.reissue", obj=cert, before=before,
                 after={"status": "revoked", "revoke_reason": REPLACED, "replaced_by": new.number_text})
    audit.record(actor=actor, action="certificate.issue", obj=new,
                 after=audit.snapshot(new, ["number_text", "source", "subject_id", "holder_key", "holder_name"]))
    return new


# --- Output ----------------------------------------------------------------------------------------

def verify_url(cert: Certificate) -> str:
    return settings.SITE_URL + reverse("certificate_verify", args=[cert.public_id])


def document_for(cert: Certificate) -> render.Document:
    s = spec(cert.kind)
    kind = render.KindPart(
        document_title=f"{s.title} {s.subtitle}".strip(),
        title=s.title, subtitle=s.subtitle, campaign_line=cert.campaign_line, issuer=cert.issuer, motto=cert.motto,
        signer_position=cert.signer_position, signer_name=cert.signer_name)
    day = timezone.localtime(cert.issued_at).date()
    copy = render.CopyPart(lead=s.lead, holder=cert.holder_printed, place=cert.place, reason=cert.reason,
                           date=date_ru(day), number=cert.number_text, url=verify_url(cert),
                           revoked=(f"Отозван {date_ru(timezone.localtime(cert.revoked_at).date())}"
                                    if cert.revoked_at is not None else ""))
    return render.Document(kind=kind, copy=copy, day=day)


def pdf_of(cert: Certificate) -> bytes:
    return render.render_pdf(document_for(cert))


def filename(cert: Certificate) -> str:
    return f"{cert.number_text}.pdf"


def write_zip(certificates: Iterable[Certificate], path: Path, *, total: int = 0,
              progress: Callable[[int, int], None] | None = None) -> int:
    """Render each certificate and append it to a ZIP file on disk as it comes: memory stays flat
    whatever the count (one PDF at a time). PDFs are compressed already: stored, not deflated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for cert in certificates:
            info = zipfile.ZipInfo(filename(cert), date_time=timezone.localtime(cert.issued_at).timetuple()[:6])
            z.writestr(info, pdf_of(cert))
            count += 1
            if progress is not None:
                progress(count, total)
    return count


def in_order(ids: Iterable[int], chunk: int = 500) -> Iterator[Certificate]:
    """The certificates with these ids, read a chunk at a time (no huge IN list, flat memory)."""
    ids = list(ids)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        found = Certificate.objects.in_bulk(part)
        yield from (found[pk] for pk in part if pk in found)


def store_zip(job: Job, certificates: Iterable[Certificate], *, total: int,
              progress: Callable[[int, int], None] | None = None) -> tuple[str, int]:
    """Write the job's ZIP in a scratch folder and keep it in the file storage: (its key, PDFs in it)."""
    with files.scratch() as folder:
        count = write_zip(certificates, folder / "certificates.zip", total=total, progress=progress)
        relative = files.store_path(f"private/certificates/{job.pk}.zip", folder / "certificates.zip")
    return relative, count


@transaction.atomic
def start_zip(*, actor: Actor, certificates: QuerySet[Certificate]) -> Job:
    """A ZIP of the chosen certificates (the caller passes a scoped queryset), built by a job."""
    ids = list(certificates.values_list("pk", flat=True)[:50000])
    if not ids:
        raise ValidationError("Нет сертификатов для архива.")
    for cert in Certificate.objects.filter(pk__in=ids[:1]):
        require(actor, "download", cert)
    job = jobs.start_job(owner=actor.user, kind="certificates.zip", title=f"Архив сертификатов ({ru_number(len(ids))})",
                         task="qualityweek.certificates.tasks.zip_task", total=len(ids), ids=ids)
    audit.record(actor=actor, action="certificate.zip", obj=job, after={"count": len(ids)})
    return job


# --- Mail ------------------------------------------------------------------------------------------

@transaction.atomic
def start_send(*, actor: Actor, certificates: QuerySet[Certificate]) -> Job:
    """Mail each chosen valid certificate with an address, never mailed before, to its holder."""
    open_ = certificates.filter(status=Certificate.Status.VALID,
                                mail_status__in=[Certificate.Mail.NONE, Certificate.Mail.FAILED])
    chosen = [c for c in open_.exclude(holder_email="")[:20000] if can(actor, "send", c)]
    if not chosen:
        raise ValidationError("Некому отправлять: у выбранных сертификатов нет адресов или они уже отправлены.")
    ids = [c.pk for c in chosen]
    job = jobs.start_job(owner=actor.user, kind="certificates.send",
                         title=f"Рассылка сертификатов ({ru_number(len(ids))})",
                         task="qualityweek.certificates.tasks.send_task", total=len(ids), ids=ids)
    audit.record(actor=actor, action="certificate.send", obj=job, after={"count": len(ids)})
    return job


def _claim(pk: int) -> Certificate | None:
    """Mark the certificate «sending» in its own committed write; None when it was attempted already."""
    with transaction.atomic():
        claimed = Certificate.objects.filter(pk=pk, status=Certificate.Status.VALID,
                                             mail_status__in=[Certificate.Mail.NONE, Certificate.Mail.FAILED]
                                             ).exclude(holder_email="").update(mail_status=Certificate.Mail.SENDING,
                                                                               mail_at=timezone.now())
    return Certificate.objects.get(pk=pk) if claimed else None


def _outcome(pk: int, status: str, error: str = "") -> None:
    Certificate.objects.filter(pk=pk).update(mail_status=status, mail_error=error[:500], mail_at=timezone.now())


def message_for(cert: Certificate) -> Any:
    s = spec(cert.kind)
    body = (f"Здравствуйте!\n\nВо вложении — {s.title.lower()} {s.subtitle}".rstrip()
            + f" № {cert.number_text}: {cert.holder_name}, {cert.reason}.\n\n"
            f"Проверить подлинность: {verify_url(cert)}\n\n{cert.issuer}\n")
    return core_mail.message(to=[cert.holder_email], subject=f"{s.title} № {cert.number_text}", body=body,
                             attachments=[(filename(cert), pdf_of(cert), "application/pdf")],
                             message_id=core_mail.stable_message_id("certificate", cert.public_id))


def send_certificates(ids: Iterable[int], progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Send each certificate once: «sending» is committed before the SMTP call and the outcome after;
    a rerun skips every certificate already attempted (one left «sending» by a dead worker stays for a
    person to decide — it may have gone out)."""
    ids = list(ids)
    counts = {"sent": 0, "failed": 0, "unknown": 0, "skipped": 0}
    with core_mail.session() as smtp:
        for n, pk in enumerate(ids, start=1):
            cert = _claim(pk)
            if cert is None:
                counts["skipped"] += 1
            else:
                try:
                    smtp.send(message_for(cert))
                except core_mail.DeliveryError as exc:
                    status = Certificate.Mail.UNKNOWN if exc.uncertain else Certificate.Mail.FAILED
                    _outcome(pk, status, exc.reason)
                    counts["unknown" if exc.uncertain else "failed"] += 1
                else:
                    _outcome(pk, Certificate.Mail.SENT)
                    counts["sent"] += 1
            if progress is not None:
                progress(n, len(ids))
    return counts
