from django import forms

from .models import HistoricalTotal


class HistoricalTotalForm(forms.ModelForm):
    class Meta:
        model = HistoricalTotal
        fields = ["year", "activities", "organisations", "regions", "participants", "pupils_in_lesson", "source"]
        widgets = {f: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
                   for f in ["activities", "organisations", "regions", "participants", "pupils_in_lesson"]}

    def validate_unique(self) -> None:
        """A year entered again corrects the existing row (the service upserts)."""
