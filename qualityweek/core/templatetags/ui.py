"""Small rendering helpers shared by all templates; loaded as a builtin."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from qualityweek.core.permissions import actions_for

register = template.Library()


@register.filter
def accessible(field: BoundField) -> SafeString:
    """Render a field's widget tied to its error and help text for screen readers."""
    attrs: dict[str, str | bool] = {}
    described = []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def actions_on(context: dict, obj: object) -> frozenset[str]:
    """What the signed-in person may do to ``obj`` (``permissions.actions_for``), for the buttons."""
    request = context.get("request")
    return actions_for(getattr(request, "user", None), obj)
