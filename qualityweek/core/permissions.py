"""The one access predicate: ``can(who, action, obj)``.

Each feature app registers its rules (in its ``rules.py``, imported by its AppConfig) for its own
models; views call ``can`` (or ask ``actions_for`` which steps to offer) and read through scoped
selectors, so access is decided in one place. An object a user may not see is fetched through a
scoped queryset and so answers 404.

There are three kinds of subject, each with its own explicit rules:

- a signed-in **user** (``@rule``) — the rule receives the user;
- the **system** (``@system_rule``) — the demo loader, jobs and management commands, acting as
  ``Actor.system()``; the rule receives the actor;
- the **public** (``@public_rule``) — a visitor who is not signed in (``Actor.public(ip)``, an
  anonymous user or ``None``); the rule receives the actor or the anonymous user.

An action that no rule of any kind knows for the object's class is a programming error and raises
``UnknownAction``; an action known for another kind of subject is simply refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

Rule = Callable[[Any, Any], bool]

USER, SYSTEM, PUBLIC = "user", "system", "public"
_rules: dict[tuple[str, type, str], Rule] = {}


class UnknownAction(LookupError):
    """``can`` was asked about an action no rule is registered for."""


def _register(kind: str, model: type, actions: tuple[str, ...]) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            key = (kind, model, action)
            if key in _rules:
                raise RuntimeError(f"{kind} rule {action!r} for {model.__name__} is registered twice.")
            _rules[key] = fn
        return fn

    return register


def rule(model: type, *actions: str) -> Callable[[Rule], Rule]:
    """Register what a signed-in user may do."""
    return _register(USER, model, actions)


def system_rule(model: type, *actions: str) -> Callable[[Rule], Rule]:
    """Register what the system (demo, jobs, commands) may do."""
    return _register(SYSTEM, model, actions)


def public_rule(model: type, *actions: str) -> Callable[[Rule], Rule]:
    """Register what a visitor who is not signed in may do."""
    return _register(PUBLIC, model, actions)


def allow(*_: Any) -> bool:
    """A rule body for actions always allowed to its kind of subject (``system_rule(...)(allow)``)."""
    return True


def _subject(who: Any) -> tuple[str, Any]:
    """(kind, what the rule receives). ``who`` is an Actor, a user, an anonymous user or None."""
    kind = getattr(who, "kind", None)
    if kind == SYSTEM:
        return SYSTEM, who
    if kind is not None:  # an Actor: a user's or the public's
        who = who.user if who.user is not None else who
        if kind == PUBLIC:
            return PUBLIC, who
    if who is not None and getattr(who, "is_authenticated", False):
        return USER, who
    return PUBLIC, who


def _lookup(kind: str, cls: type, action: str) -> Rule | None:
    for klass in cls.__mro__:
        fn = _rules.get((kind, klass, action))
        if fn is not None:
            return fn
    return None


def is_known(action: str, obj: Any) -> bool:
    cls = obj if isinstance(obj, type) else type(obj)
    return any(_lookup(kind, cls, action) is not None for kind in (USER, SYSTEM, PUBLIC))


def can(who: Any, action: str, obj: Any) -> bool:
    """True when ``who`` may do ``action`` on ``obj`` (an instance, or a model class for create)."""
    cls = obj if isinstance(obj, type) else type(obj)
    kind, subject = _subject(who)
    fn = _lookup(kind, cls, action)
    if fn is None:
        if not is_known(action, cls):
            raise UnknownAction(f"No rule for {action!r} on {cls.__name__}.")
        return False
    if kind == USER and not subject.is_active:
        return False
    return bool(fn(subject, obj))


def require(who: Any, action: str, obj: Any, message: str = "Недостаточно прав для этого действия.") -> None:
    """``can`` or ``PermissionDenied`` — what every service calls before it writes."""
    if not can(who, action, obj):
        raise PermissionDenied(message)


def actions_for(who: Any, obj: Any) -> frozenset[str]:
    """Every action ``who`` may take on ``obj``: what a template offers as buttons."""
    cls = obj if isinstance(obj, type) else type(obj)
    kind, _ = _subject(who)
    names = {action for (k, model, action) in _rules if k == kind and issubclass(cls, model)}
    return frozenset(action for action in names if can(who, action, obj))
