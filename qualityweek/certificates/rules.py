"""Who may do what with certificates (see qualityweek.core.permissions).

- **issue** (an ``IssueScope``: a kind of certificate for a region and sector, or an organisation):
  the operator admin anything; a regional coordinator their (region, sector); an organisation's
  representative letters of thanks for its own staff.
- **view** / **download** a certificate: whoever manages it (the operator — admin or editor — the
  coordinator of its region and sector, the representative of its organisation for a letter of
  thanks) and its holder (the user it names, or the people of the organisation it was issued to).
- **revoke**, **reissue**, **send**: whoever may issue it, while it is valid (``CERTIFICATE_ACTIONS``).

The public only verifies (the verification page reads by the random id; no rule is needed); the
system (demo, jobs, commands) does everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qualityweek.core.permissions import allow, rule, system_rule
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from .kinds import Kind
from .models import Certificate

S = Certificate.Status

CERTIFICATE_ACTIONS: dict[str, frozenset[str]] = {
    S.VALID: frozenset({"revoke", "reissue", "send"}),
    S.REVOKED: frozenset(),
}


@dataclass(frozen=True)
class IssueScope:
    """What a person asks to issue: a kind, for a region and sector or for one organisation."""

    kind: str
    region_id: int | None = None
    sector: str = ""
    organisation_id: int | None = None


def _issues(user: Any, kind: str, region_id: int | None, sector: str, organisation_id: int | None) -> bool:
    p = principal(user)
    if p.is_operator_admin:
        return True
    if region_id is not None and sector and p.covers(region_id, sector):
        return True
    return kind == Kind.THANKS and organisation_id is not None and p.represents(organisation_id, Role.ORG_REP)


@rule(IssueScope, "issue")
def issue(user: Any, scope: IssueScope) -> bool:
    return _issues(user, scope.kind, scope.region_id, scope.sector, scope.organisation_id)


@rule(Certificate, "issue")
def open_issue_form(user: Any, _: Any) -> bool:
    """May open the issue form at all (``can(user, "issue", Certificate)``)."""
    p = principal(user)
    return p.is_operator_admin or p.is_coordinator or any(Role.ORG_REP in r for r in p.organisations.values())


def manages(user: Any, cert: Certificate) -> bool:
    return _issues(user, cert.kind, cert.region_id, cert.sector, cert.organisation_id)


def holds(user: Any, cert: Certificate) -> bool:
    if cert.user_id is not None and cert.user_id == user.pk:
        return True
    return not cert.holder_is_person and principal(user).represents(cert.organisation_id)


@rule(Certificate, "view", "download")
def view(user: Any, cert: Certificate) -> bool:
    return principal(user).is_operator or manages(user, cert) or holds(user, cert)


def allows(cert: Certificate, action: str) -> bool:
    return action in CERTIFICATE_ACTIONS.get(cert.status, frozenset())


def _changes(action: str) -> Any:
    def check(user: Any, cert: Certificate) -> bool:
        return manages(user, cert) and allows(cert, action)

    def check_system(_: Any, cert: Certificate) -> bool:
        return allows(cert, action)

    rule(Certificate, action)(check)
    system_rule(Certificate, action)(check_system)
    return check


revoke = _changes("revoke")
reissue = _changes("reissue")
send = _changes("send")

system_rule(IssueScope, "issue")(allow)
system_rule(Certificate, "issue", "view", "download")(allow)
