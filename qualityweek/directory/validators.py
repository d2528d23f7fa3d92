from django.core.exceptions import ValidationError

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_A = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_B = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(inn: str) -> bool:
    """Checksum of a Russian taxpayer number: 10 digits (legal entity) or 12 (individual)."""
    if not inn.isdigit() or len(inn) not in (10, 12) or not inn.isascii():
        return False
    d = [int(c) for c in inn]
    if len(d) == 10:
        return d[9] == _check_digit(d, _INN10)
    return d[10] == _check_digit(d, _INN12_A) and d[11] == _check_digit(d, _INN12_B)


def validate_inn(value: str) -> None:
    if not value:
        return
    if not value.isdigit() or not value.isascii():
        raise ValidationError("ИНН состоит только из цифр.", code="inn_digits")
    if len(value) not in (10, 12):
        raise ValidationError(
            "ИНН организации — 10 цифр, ИНН индивидуального предпринимателя — 12 цифр.", code="inn_length"
        )
    if not inn_is_valid(value):
        raise ValidationError("Неверный ИНН: не сходится контрольное число.", code="inn_checksum")


def make_inn10(first9: str) -> str:
    """Complete nine digits to a valid 10-digit INN (used by demo data and tests)."""
    return first9 + str(_check_digit([int(c) for c in first9], _INN10))
