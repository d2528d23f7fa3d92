from django import forms


class PracticeForm(forms.Form):
    title = forms.CharField(label="Заголовок", max_length=200)
    story = forms.CharField(label="Как это было", widget=forms.Textarea(attrs={"rows": 8}),
                            help_text="Что придумали, как провели, кто участвовал — так, чтобы другим захотелось "
                                      "повторить.")
    results = forms.CharField(label="Результаты", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ModerationForm(forms.Form):
    comment = forms.CharField(label="Комментарий для организации", widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=3000)


class ProblemForm(forms.Form):
    message = forms.CharField(label="Что не так на странице", widget=forms.Textarea(attrs={"rows": 5}),
                              max_length=3000)
    contact = forms.CharField(label="Как с вами связаться (необязательно)", max_length=200, required=False)
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "tabindex": "-1", "autocomplete": "off", "class": "sr-only", "aria-hidden": "true"}), label="Сайт")
