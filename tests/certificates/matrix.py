"""Role x URL rows for certificates (see tests/test_url_matrix.py).

One certificate of participation, issued by the system to the Kirov school (education): the
operator and the Kirov education coordinator manage it, the editor only sees it, the school's
representative and teacher hold it (they see it, they cannot revoke it), the Kirov business
coordinator, the juror and the forum staff member do not see it (404)."""

from __future__ import annotations

from qualityweek.certificates import selectors, services
from qualityweek.certificates.models import Certificate
from qualityweek.certificates.sources import Holder, get
from qualityweek.core.audit import Actor
from tests.matrix import Route, all_, signed_in

FOREIGN = {"kirov_business": 404, "juror": 404, "forum_staff": 404}
HOLDERS_ONLY = {"editor": 403, "school_rep": 403, "teacher": 403}
NOT_ISSUERS = {"editor": 403, "teacher": 403, "juror": 403, "forum_staff": 403}


def objects(world) -> dict:
    source = get("activities.participation")
    school = world.kirov_school
    holder = Holder(key=f"org:{school.pk}", name=school.name, reason="за участие во Всемирной неделе качества",
                    email=school.email, region_id=school.region_id, sector=school.sector, organisation_id=school.pk)
    identity = services.Identity(subject_label="Неделя качества", campaign_line="Всемирная неделя качества",
                                 motto="")
    _, pk = services.issue_one(actor=Actor.system(), source=source, subject_id=1, holder=holder, identity=identity)
    return {"certificate": Certificate.objects.get(pk=pk)}


def _cert(o: dict) -> dict:
    return {"pk": o["certificate"].pk}


ROUTES: dict[str, Route] = {
    "certificate_list": Route(expect=signed_in(200)),
    "certificate_mine": Route(expect=signed_in(200)),
    "certificate_issue": Route(expect=signed_in(200, **NOT_ISSUERS)),
    # Nothing to pack for someone who sees no certificate: a message, back to the list.
    "certificate_zip": Route(method="POST", expect=signed_in(302)),
    "certificate_send_many": Route(method="POST", expect=signed_in(302, **NOT_ISSUERS)),
    "certificate_detail": Route(kwargs=_cert, expect=signed_in(200, **FOREIGN)),
    "certificate_pdf": Route(kwargs=_cert, expect=signed_in(200, **FOREIGN)),
    "certificate_revoke": Route(kwargs=_cert, expect=signed_in(200, **FOREIGN, **HOLDERS_ONLY)),
    "certificate_reissue": Route(kwargs=_cert, method="POST", expect=signed_in(302, **FOREIGN, **HOLDERS_ONLY)),
    "certificate_send": Route(kwargs=_cert, method="POST", expect=signed_in(302, **FOREIGN, **HOLDERS_ONLY)),
    "certificate_verify": Route(kwargs=lambda o: {"public_id": o["certificate"].public_id}, expect=all_(200)),
}


# can(user, "view", certificate) agrees with the scoped read (tests/test_url_matrix.py).
SCOPED_READS = {Certificate: lambda user, cert: selectors.certificates_for(user).filter(pk=cert.pk).exists()}
