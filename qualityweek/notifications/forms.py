from django import forms

from .kinds import CHOICES, MAILED


class PreferenceForm(forms.Form):
    email_on = forms.MultipleChoiceField(label="Присылать на почту", required=False,
                                         choices=[(code, label) for code, label in CHOICES if code in MAILED],
                                         widget=forms.CheckboxSelectMultiple)
    daily_digest = forms.BooleanField(label="Одно письмо в день со сводкой вместо отдельных писем", required=False)

    def __init__(self, *args: object, digest_allowed: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not digest_allowed:
            del self.fields["daily_digest"]
