"""The operator's contacts for the footer and the legal pages: ``{% load legal %}{% operator as op %}``."""

from django import template

from qualityweek.core.legal import OPERATOR, Operator

register = template.Library()


@register.simple_tag
def operator() -> Operator:
    return OPERATOR
