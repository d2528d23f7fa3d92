from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def paginate_ids(queryset: QuerySet, number, per_page: int) -> Page:
    """A page of a long, ordered list: skip rows by id alone (an index-only scan), then load only
    the rows shown with their joins — deep pages cost no more than the first one."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = queryset.in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
