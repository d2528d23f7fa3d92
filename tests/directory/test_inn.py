import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from qualityweek.directory.validators import inn_is_valid, make_inn10, validate_inn


@pytest.mark.parametrize("inn", ["7707083893", "7830002293", "500100732259", "7736050003"])
def test_real_inns_are_valid(inn):
    assert inn_is_valid(inn)
    validate_inn(inn)


@pytest.mark.parametrize(("inn", "message"), [
    ("7707083894", "Неверный ИНН: не сходится контрольное число."),
    ("500100732258", "Неверный ИНН: не сходится контрольное число."),
    ("77070838", "ИНН организации — 10 цифр, ИНН индивидуального предпринимателя — 12 цифр."),
    ("77О7083893", "ИНН состоит только из цифр."),  # Cyrillic О
    ("７７０７０８３８９３", "ИНН состоит только из цифр."),  # full-width digits pass str.isdigit()
])
def test_bad_inns_get_a_russian_message(inn, message):
    with pytest.raises(ValidationError) as exc:
        validate_inn(inn)
    assert exc.value.messages == [message]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_generated_inns_are_valid_and_any_single_digit_change_breaks_them(first9):
    inn = make_inn10(first9)
    assert inn_is_valid(inn)
    changed = inn[:9] + str((int(inn[9]) + 1) % 10)
    assert not inn_is_valid(changed)
