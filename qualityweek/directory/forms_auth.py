from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True,
                                                                               "autocomplete": "email"}))
    error_messages = {
        "invalid_login": "Неверный e-mail или пароль. Проверьте раскладку и регистр букв.",
        "inactive": "Учётная запись отключена. Обратитесь к координатору.",
    }


class RussianPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        # Case-insensitive match, since e-mails are stored lower-cased.
        return super().get_users(email.lower())
