from django.contrib import admin

from qualityweek.core.audit import Actor

from . import services
from .models import HistoricalTotal


@admin.register(HistoricalTotal)
class HistoricalTotalAdmin(admin.ModelAdmin):
    """Past years' totals; saved through the service so every change is audited."""

    list_display = ("year", "activities", "organisations", "regions", "participants", "pupils_in_lesson", "source")
    exclude = ("updated_by",)

    def save_model(self, request, obj, form, change) -> None:
        fields = {f: getattr(obj, f) for f in services.HISTORY_FIELDS}
        saved = services.save_historical_total(actor=Actor.from_request(request), year=obj.year, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        services.delete_historical_total(actor=Actor.from_request(request), total=obj)
