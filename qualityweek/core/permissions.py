"""The one access predicate: ``can(user, action, obj)``.

Each feature app registers its rules (in its ``rules.py``, imported by its AppConfig) for its own
models; views call ``can`` and read through scoped selectors, so access is decided in one place.
An object a user may not see is fetched through a scoped queryset and so answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Rule = Callable[[Any, Any], bool]
_rules: dict[tuple[type, str], Rule] = {}


def rule(model: type, *actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            key = (model, action)
            if key in _rules:
                raise RuntimeError(f"Rule {action!r} for {model.__name__} is registered twice.")
            _rules[key] = fn
        return fn

    return register


def can(user: Any, action: str, obj: Any) -> bool:
    """True when ``user`` may do ``action`` on ``obj`` (an instance, or a model class for create)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cls = obj if isinstance(obj, type) else type(obj)
    for klass in cls.__mro__:
        fn = _rules.get((klass, action))
        if fn is not None:
            return bool(fn(user, obj))
    return False
