"""Russian full-text search for best practices on both databases (decision 0032).

- PostgreSQL: the stored ``search_vector`` (``to_tsvector('russian', search_text)``, GIN-indexed,
  migration 0002) queried with ``websearch_to_tsquery('russian', …)`` — the Snowball stemmer folds
  «уроки» and «урок» together.
- SQLite: an FTS5 table ``showcase_practice_fts`` (migration 0003) whose one column holds the
  *lemmas* of the practice's text (pymorphy3 with its Russian dictionaries, already a dependency
  for letters); a query is lemmatised the same way, so «уроки» finds «урок», «уроком» and «урока».

A region named in the query («уроки качества Кировская область», «квиз в Татарстане») does not
search the texts for the region's words: it becomes a filter on the practice's region.

The index is kept up to date by :func:`reindex`, which the best-practice services call after every
save and publish; ``manage.py rebuild_search_index`` rebuilds it from scratch.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pymorphy3
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from qualityweek.directory.models import Region

from .models import BestPractice

FTS_TABLE = "showcase_practice_fts"
_WORD_RE = re.compile(r"[0-9a-zа-яё]+(?:-[0-9a-zа-яё]+)*")
# Words that only say what kind of federal subject a region is: never enough to name one.
_GENERIC = frozenset({"область", "обл", "край", "республика", "респ", "автономный", "округ", "ао", "город",
                      "г", "федеральный", "значение", "регион", "в", "во", "на", "из"})


@functools.cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold().replace("ё", "е"))


@functools.lru_cache(maxsize=50_000)
def word_lemmas(word: str) -> tuple[str, ...]:
    """The word itself and every dictionary form pymorphy3 reads it as («уроки» → урок)."""
    forms = [word]
    for parse in _morph().parse(word):
        lemma = parse.normal_form.replace("ё", "е")
        if lemma not in forms:
            forms.append(lemma)
    return tuple(forms)


def lemma(word: str) -> str:
    """The most likely dictionary form of one word."""
    return word_lemmas(word)[1] if len(word_lemmas(word)) > 1 else word


def lemma_text(text: str) -> str:
    """What the SQLite index stores for a text: every lemma of every word, space-separated."""
    return " ".join(" ".join(word_lemmas(w)) for w in words(text))


# --- region names in the query --------------------------------------------------------------------------------

@functools.cache
def _region_variants() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(lemmas that name the region, region code), longest first: «кировский», «северный осетия»…"""
    out: set[tuple[tuple[str, ...], str]] = set()
    for code, *names in Region.objects.values_list("code", "name", "short_name"):
        for name in names:
            key = tuple(lemma(w) for w in words(name) if lemma(w) not in _GENERIC)
            if key:
                out.add((key, code))
    return tuple(sorted(out, key=lambda v: (-len(v[0]), v[1])))


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the words left to search for
    region: str = ""  # the code of the region the query named, if any


def parse_query(q: str) -> ParsedQuery:
    """Split a region name off the query: «уроки Кировская область» → text «уроки», region 43."""
    tokens = words(q)
    lemmas = [lemma(w) for w in tokens]
    for key, code in _region_variants():
        n = len(key)
        for start in range(len(lemmas) - n + 1):
            if tuple(lemmas[start:start + n]) == key:
                rest = [w for i, (w, lm) in enumerate(zip(tokens, lemmas, strict=True))
                        if not start <= i < start + n and lm not in _GENERIC]
                return ParsedQuery(text=" ".join(rest), region=code)
    return ParsedQuery(text=" ".join(tokens))


# --- the index ------------------------------------------------------------------------------------------------

def _fts_query(text: str) -> str:
    """«уроки хлеба» → ("уроки" OR "урок") AND ("хлеба" OR "хлеб") — every word, in any form."""
    groups = []
    for word in words(text):
        forms = " OR ".join('"{}"'.format(f.replace('"', "")) for f in word_lemmas(word))
        groups.append(f"({forms})")
    return " AND ".join(groups)


def reindex(practices: Iterable[BestPractice] | QuerySet[BestPractice]) -> int:
    """Bring the search index of these practices up to date with their ``search_text``."""
    if connection.vendor == "postgresql":
        if not isinstance(practices, QuerySet):
            practices = BestPractice.objects.filter(pk__in=[p.pk for p in practices])
        return practices.update(search_vector=SearchVector("search_text", config="russian"))
    if connection.vendor != "sqlite":
        return 0
    rows = (practices.values_list("pk", "search_text") if isinstance(practices, QuerySet)
            else [(p.pk, p.search_text) for p in practices])
    entries = [(pk, lemma_text(text)) for pk, text in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(entries), 500):
            chunk = entries[start:start + 500]
            cursor.executemany("DELETE FROM showcase_practice_fts WHERE rowid = %s", [(pk,) for pk, _ in chunk])
            cursor.executemany("INSERT INTO showcase_practice_fts (rowid, lemmas) VALUES (%s, %s)", chunk)
    return len(entries)


def clear_index() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM showcase_practice_fts")


def matching(qs: QuerySet[BestPractice], text: str) -> QuerySet[BestPractice]:
    """The practices of ``qs`` whose text has every word of ``text`` in some form, best first."""
    if not words(text):
        return qs.order_by("-published_at", "-id")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from django.db.models import F

        query = SearchQuery(text, config="russian", search_type="websearch")
        return qs.annotate(rank=SearchRank(F("search_vector"), query)).filter(search_vector=query).order_by(
            "-rank", "-id")
    match = _fts_query(text)
    # A constant statement; the user's words only ever travel as the bound parameter.
    ids = RawSQL("SELECT rowid FROM showcase_practice_fts WHERE showcase_practice_fts MATCH %s", [match])
    return qs.filter(pk__in=ids).order_by("-published_at", "-id")
