from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def apply_errors(form: forms.BaseForm, exc: ValidationError, default_field: str | None = None) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target: str | None = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for error in errors:
                form.add_error(target, error.messages[0] if hasattr(error, "messages") else str(error))
    else:
        fallback = default_field if default_field in form.fields else None
        for message in exc.messages:
            form.add_error(fallback, message)
