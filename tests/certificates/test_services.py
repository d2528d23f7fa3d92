from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from qualityweek.certificates import selectors, services
from qualityweek.certificates.models import Certificate
from qualityweek.certificates.sources import Subject
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry, Job
from qualityweek.core.permissions import can

pytestmark = pytest.mark.django_db


def _kirov_edu(campaign) -> Subject:
    return Subject(subject_id=campaign.pk, region_id=43, sector="education")


def test_coordinator_issues_to_every_kirov_school_with_approved_activities(world, campaign, kirov):
    result = services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                            subject=_kirov_edu(campaign))
    names = set(Certificate.objects.values_list("holder_name", flat=True))
    assert names == {world.kirov_school.name, kirov["second"].name}  # not the pending one, not business, not Moscow
    assert (result.created, result.unchanged, result.reissued) == (2, 0, 0)
    cert = Certificate.objects.get(organisation=world.kirov_school)
    assert cert.kind == "participation"
    assert cert.is_valid
    assert cert.number_text.startswith("СУ-")
    assert cert.reason.startswith("за участие во Всемирной неделе качества")
    assert cert.motto == "Россия — страна со Знаком качества"
    assert len(cert.public_id) >= 16
    # Issuing again creates nothing new.
    again = services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                           subject=_kirov_edu(campaign))
    assert (again.created, again.unchanged, again.reissued) == (0, 2, 0)
    assert Certificate.objects.count() == 2


def test_numbers_follow_each_other_per_kind_and_year(world, campaign, kirov):
    services.issue(actor=Actor(user=world.operator), source_code="activities.participation",
                   subject=Subject(subject_id=campaign.pk))
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) == 4  # two Kirov schools, the Kirov company, the Moscow school


def test_a_changed_name_revokes_the_old_certificate_and_issues_a_new_number(world, campaign, kirov):
    actor = Actor(user=world.kirov_edu)
    services.issue(actor=actor, source_code="activities.participation", subject=_kirov_edu(campaign))
    old = Certificate.objects.get(organisation=world.kirov_school)
    world.kirov_school.name = "МБОУ «Лицей № 1» г. Кирова"
    world.kirov_school.save()
    result = services.issue(actor=actor, source_code="activities.participation", subject=_kirov_edu(campaign))
    assert (result.created, result.unchanged, result.reissued) == (0, 1, 1)
    old.refresh_from_db()
    new = Certificate.objects.get(organisation=world.kirov_school, status="valid")
    assert old.status == "revoked"
    assert old.replaced_by == new
    assert old.revoked_at is not None
    assert new.holder_name == "МБОУ «Лицей № 1» г. Кирова"
    assert new.number != old.number
    assert AuditEntry.objects.filter(action="certificate.reissue", object_id=str(old.pk)).exists()


def test_coordinator_cannot_issue_in_another_region_or_sector(world, campaign, kirov):
    for subject in (Subject(subject_id=campaign.pk, region_id=77, sector="education"),
                    Subject(subject_id=campaign.pk, region_id=43, sector="business"),
                    Subject(subject_id=campaign.pk)):
        with pytest.raises(PermissionDenied):
            services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation", subject=subject)
    assert not Certificate.objects.exists()


def test_org_rep_issues_letters_of_thanks_to_own_staff_only(world, campaign, kirov):
    mine = Subject(subject_id=campaign.pk, organisation_id=world.kirov_school.pk)
    result = services.issue(actor=Actor(user=world.school_rep), source_code="activities.thanks", subject=mine)
    assert result.created == 1
    letter = Certificate.objects.get()
    assert letter.kind == "thanks"
    assert letter.user == world.teacher
    assert letter.holder_name == "Петрова Мария Сергеевна"
    assert letter.holder_printed == "Петровой Марии Сергеевне"  # the dative on the letter
    with pytest.raises(PermissionDenied):  # not a participation certificate
        services.issue(actor=Actor(user=world.school_rep), source_code="activities.participation", subject=mine)
    with pytest.raises(PermissionDenied):  # not another organisation's staff
        services.issue(actor=Actor(user=world.school_rep), source_code="activities.thanks",
                       subject=Subject(subject_id=campaign.pk, organisation_id=kirov["second"].pk))
    with pytest.raises(PermissionDenied):  # a teacher issues nothing
        services.issue(actor=Actor(user=world.teacher), source_code="activities.thanks", subject=mine)


def test_unknown_source_or_subject_is_a_message(world, campaign):
    with pytest.raises(ValidationError) as exc:
        services.issue(actor=Actor(user=world.operator), source_code="nope", subject=Subject(subject_id=1))
    assert "source" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.issue(actor=Actor(user=world.operator), source_code="activities.participation",
                       subject=Subject(subject_id=99999))
    assert "subject" in exc.value.error_dict


def test_revoke_needs_a_reason_and_is_audited(world, campaign, kirov):
    services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                   subject=_kirov_edu(campaign))
    cert = Certificate.objects.get(organisation=world.kirov_school)
    with pytest.raises(ValidationError) as exc:
        services.revoke(actor=Actor(user=world.operator), certificate=cert, reason="  ")
    assert "reason" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.revoke(actor=Actor(user=world.kirov_business), certificate=cert, reason="Ошибка")
    with pytest.raises(PermissionDenied):
        services.revoke(actor=Actor(user=world.school_rep), certificate=cert, reason="Ошибка")
    cert = services.revoke(actor=Actor(user=world.operator), certificate=cert, reason="Отчёт признан недостоверным")
    assert cert.status == "revoked"
    assert cert.revoke_reason == "Отчёт признан недостоверным"
    entry = AuditEntry.objects.get(action="certificate.revoke")
    assert entry.after["status"] == "revoked"
    assert entry.actor == world.operator
    with pytest.raises(ValidationError):
        services.revoke(actor=Actor(user=world.operator), certificate=cert, reason="Ещё раз")
    # A revoked certificate is not issued again by a repeated issue while its holder still qualifies? It is:
    # the holder has no valid one, so a new number is issued.
    result = services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                            subject=_kirov_edu(campaign))
    assert result.created == 1


def test_reissue_gives_a_new_number_and_id(world, campaign, kirov):
    services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                   subject=_kirov_edu(campaign))
    cert = Certificate.objects.get(organisation=world.kirov_school)
    new = services.reissue(actor=Actor(user=world.kirov_edu), certificate=cert)
    cert.refresh_from_db()
    assert cert.status == "revoked"
    assert cert.replaced_by == new
    assert new.is_valid
    assert new.public_id != cert.public_id
    assert new.number_text != cert.number_text
    assert new.holder_name == cert.holder_name
    with pytest.raises(ValidationError):
        services.reissue(actor=Actor(user=world.kirov_edu), certificate=cert)


def test_scoped_reads_agree_with_can_view(world, campaign, kirov):
    services.issue(actor=Actor(user=world.operator), source_code="activities.participation",
                   subject=Subject(subject_id=campaign.pk))
    services.issue(actor=Actor(user=world.operator), source_code="activities.thanks",
                   subject=Subject(subject_id=campaign.pk))
    users = [world.operator, world.editor, world.kirov_edu, world.kirov_business, world.moscow_edu,
             world.school_rep, world.teacher, world.company_rep, world.juror, world.forum_staff]
    for user in users:
        visible = set(selectors.certificates_for(user).values_list("pk", flat=True))
        for cert in Certificate.objects.all():
            assert (cert.pk in visible) == can(user, "view", cert), (user.email, cert.holder_name)
    # The teacher sees their own letter and the school's certificate, the juror nothing.
    teacher = {c.holder_name for c in selectors.mine(world.teacher)}
    assert teacher == {"Петрова Мария Сергеевна", world.kirov_school.name}
    assert not selectors.certificates_for(world.juror).exists()


def test_pdf_holds_holder_number_and_verification_link(world, campaign, kirov):
    services.issue(actor=Actor(user=world.school_rep), source_code="activities.thanks",
                   subject=Subject(subject_id=campaign.pk, organisation_id=world.kirov_school.pk))
    cert = Certificate.objects.get()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(services.pdf_of(cert))).pages)
    text = " ".join(text.split())
    assert "Петровой Марии Сергеевне" in text
    assert cert.number_text in text
    assert services.verify_url(cert) in text
    assert "БЛАГОДАРСТВЕННОЕ ПИСЬМО" in text
    assert "Россия — страна со Знаком качества" in text
    assert "ОТОЗВАН" not in text


def test_issue_job_writes_a_zip_of_every_certificate(world, campaign, kirov, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                                   subject=_kirov_edu(campaign))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.done == job.total == 4
    assert "Выдано новых: 2" in job.message
    with zipfile.ZipFile(settings.MEDIA_ROOT / job.result_file) as z:
        names = sorted(z.namelist())
        assert names == sorted(f"{c.number_text}.pdf" for c in Certificate.objects.all())
        pdf = PdfReader(io.BytesIO(z.read(names[0])))
        assert "Действителен" not in pdf.pages[0].extract_text()  # the page says it, not the paper
        assert "/c/" in pdf.pages[0].extract_text()


def test_an_issue_with_nobody_to_issue_to_says_so(world, players, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_issue(actor=Actor(user=world.operator), source_code="tests.players",
                                   subject=Subject(subject_id=1))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.message == "Некому выдавать: в выбранной области получателей нет."
    assert not job.result_file
