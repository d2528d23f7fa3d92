import pytest

from qualityweek.core.audit import Actor
from qualityweek.showcase import services

STORY = "Учащиеся сравнили составы трёх марок молока и разобрали маркировку на упаковке."


@pytest.fixture
def nominate(world, make_activity):
    def make(status: str = "nominated", *, consent: bool = True, title: str = "Урок качества с дегустацией"):
        activity = make_activity(status="approved")
        if consent:
            type(activity).objects.filter(pk=activity.pk).update(consent_on_file=True)
            activity.refresh_from_db()
        practice = services.nominate(actor=Actor(user=world.kirov_edu), activity=activity, title=title,
                                     story=STORY, results="Памятка покупателя")
        editor = Actor(user=world.editor)
        if status == "published":
            practice = services.publish(actor=editor, practice=practice)
        elif status == "rejected":
            practice = services.reject(actor=editor, practice=practice, comment="Повтор")
        elif status == "changes":
            practice = services.request_changes(actor=editor, practice=practice, comment="Добавьте результаты")
        return practice

    return make
