"""Role x URL rows of the forum (see tests/test_url_matrix.py)."""

from __future__ import annotations

from qualityweek.campaigns import services as campaign_services
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Region, RoleAssignment
from qualityweek.forum import services
from qualityweek.forum.models import Registration, Venue
from qualityweek.forum.services import Applicant
from tests.matrix import Route, all_, signed_in

from .conftest import make_forum, plenary, regional_session


def _register(forum, email, *, session=None, venue=None, region=None):
    session = session or plenary(forum)
    registration, token = services.register(
        actor=Actor.system(), forum=forum, session=session, venue=venue or session.venue,
        applicant=Applicant(name="Сидоров Пётр", email=email, region=region), consent=True)
    return registration, token


def objects(world) -> dict:
    campaign = current_campaign()
    forum = make_forum(world.operator, campaign=campaign)
    # The staff member of the matrix works at this forum's check-in.
    RoleAssignment.objects.filter(user=world.forum_staff, role="forum_staff").update(event_id=forum.pk)
    other_campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=campaign.year + 1,
                                                       motto="Девиз", phase="announced")
    other = make_forum(world.operator, campaign=other_campaign)
    kirov, moscow = Region.objects.get(code="43"), Region.objects.get(code="77")
    venue = services.register_regional_venue(actor=Actor.system(), forum=forum, region=kirov, name="Киров, площадка",
                                             address="Киров, ул. Ленина, 1", capacity=30, contact="Иванова И. И.",
                                             connection="Трансляция в актовом зале")
    mine, token = _register(forum, "mine@example.ru", region=kirov)
    pending, _ = _register(forum, "pending@example.ru", region=kirov)
    Registration.objects.filter(pk=pending.pk).update(status="pending")
    moscow_pending, _ = _register(forum, "moscow@example.ru", region=moscow)
    Registration.objects.filter(pk=moscow_pending.pk).update(status="pending")
    online = forum.venues.get(kind=Venue.Kind.ONLINE)
    joiner, _ = _register(forum, "online@example.ru", session=regional_session(forum), venue=online)
    delegation, delegation_token = services.register(
        actor=Actor.system(), forum=forum, session=plenary(forum), venue=plenary(forum).venue, consent=True,
        applicant=Applicant(name="Руководитель Делегации", email="lead@example.ru", region=kirov, kind="delegation",
                            adults=3))
    member = services.add_member(actor=Actor.system(), registration=delegation, name="Участник Первый")
    return {"forum": forum, "other_forum": other, "forum_session": plenary(forum), "forum_mine": mine,
            "forum_token": token, "forum_pending": pending, "forum_moscow_pending": moscow_pending,
            "forum_venue": venue, "forum_joiner": joiner, "forum_delegation": delegation,
            "forum_delegation_token": delegation_token, "forum_member": member}


def _forum(o):
    return {"pk": o["forum"].pk}


def _session(o):
    return {"pk": o["forum_session"].pk}


def _link(o):
    return {"pk": o["forum_mine"].pk, "token": o["forum_token"]}


def _delegation(o):
    return {"pk": o["forum_delegation"].pk, "token": o["forum_delegation_token"]}


def _member(o):
    return {**_delegation(o), "member_pk": o["forum_member"].pk}


COORDINATORS = {"kirov_edu": 200, "kirov_business": 200}
OPERATORS = {"operator": 200, "editor": 200}
STAFF_ONLY = signed_in(404, operator=200, editor=200, forum_staff=200)
REVIEWERS = signed_in(404, operator=302, editor=302, kirov_edu=302, kirov_business=302)

ROUTES: dict[str, Route] = {
    "forum_programme": Route(expect=all_(200)),
    "forum_detail": Route(kwargs=_forum, expect=all_(200)),
    "forum_session": Route(kwargs=_session, expect=all_(200)),
    "forum_session_ics": Route(kwargs=_session, expect=all_(200)),
    "forum_register": Route(kwargs=_session, expect=all_(200)),
    "forum_registration": Route(kwargs=_link, expect=all_(200)),
    "forum_registration_edit": Route(kwargs=_link, method="POST", data={"name": "Сидоров Пётр"}, expect=all_(302)),
    "forum_registration_cancel": Route(kwargs=_link, method="POST", expect=all_(302)),
    "forum_registration_accept": Route(kwargs=_link, method="POST", expect=all_(302)),
    "forum_ticket_pdf": Route(kwargs=_link, expect=all_(200)),
    # A delegation's link holder names its members (the link is the key, as for the registration itself).
    "forum_members": Route(kwargs=_delegation, expect=all_(200)),
    "forum_member_remove": Route(kwargs=_member, method="POST", expect=all_(302)),
    "forum_member_ticket": Route(kwargs=_member, expect=all_(200)),
    "forum_my": Route(expect=signed_in(200)),
    "forum_my_ics": Route(expect=signed_in(200)),
    "forum_join": Route(kwargs=lambda o: {"token": o["forum_joiner"].join_token}, expect=all_(302)),
    "forum_regional": Route(kwargs=_forum, expect=signed_in(403, **COORDINATORS)),
    "forum_venue_watchers": Route(kwargs=lambda o: {"pk": o["forum_venue"].pk}, method="POST", data={"count": "25"},
                                  expect=signed_in(404, operator=302, editor=302, kirov_edu=302, kirov_business=302)),
    "forum_group": Route(kwargs=_forum, expect=signed_in(200, juror=403, forum_staff=403)),
    "forum_approvals": Route(kwargs=_forum, expect=signed_in(403, **OPERATORS, **COORDINATORS)),
    "forum_approve": Route(kwargs=lambda o: {"pk": o["forum_pending"].pk}, method="POST", expect=REVIEWERS),
    "forum_decline": Route(kwargs=lambda o: {"pk": o["forum_pending"].pk}, method="POST",
                           data={"reason": "Нет мест."}, expect=REVIEWERS),
    "forum_registrations": Route(kwargs=_forum, expect=signed_in(403, **OPERATORS, **COORDINATORS)),
    "forum_dashboard": Route(kwargs=_forum, expect=signed_in(403, **OPERATORS)),
    "forum_create": Route(expect=signed_in(403, **OPERATORS)),
    "forum_manage": Route(kwargs=_forum, expect=signed_in(403, **OPERATORS)),
    "forum_export": Route(kwargs=_forum, method="POST", expect=signed_in(403, operator=302, editor=302)),
    "forum_checkin": Route(kwargs=_forum, expect=STAFF_ONLY),
    "forum_checkin_scan": Route(kwargs=_forum, method="POST", data={"code": "ABCD-EFGH-JKLM"}, expect=STAFF_ONLY),
    "forum_checkin_list": Route(kwargs=lambda o: {"pk": o["forum"].pk, "venue_pk": o["forum_venue"].pk},
                                expect=STAFF_ONLY),
    "forum_checkin_sync": Route(kwargs=_forum, method="POST", data={"checkins": "[]"}, expect=STAFF_ONLY),
}


def _registration_visible(user, registration) -> bool:
    from qualityweek.forum import selectors as forum_selectors

    return forum_selectors.registrations_for(user, registration.forum).filter(pk=registration.pk).exists()


def _found(read):
    from django.http import Http404

    def visible(user, obj) -> bool:
        try:
            read(user, obj.pk)
        except Http404:
            return False
        return True
    return visible


def _scoped_reads() -> dict:
    from qualityweek.forum import selectors as forum_selectors
    from qualityweek.forum.models import Forum, Registration, Venue

    return {Registration: _registration_visible,
            Forum: lambda user, forum: forum_selectors.visible_forums(user).filter(pk=forum.pk).exists(),
            Venue: _found(forum_selectors.venue_for)}


SCOPED_READS = _scoped_reads()
