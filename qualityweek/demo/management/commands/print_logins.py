from django.core.management.base import BaseCommand

from qualityweek.demo.steps import STEPS
from qualityweek.directory.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Печатает демо-логины."

    def handle(self, *args, **options):
        self.stdout.write(f"Демо-логины (пароль у всех: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.email:<38} {user.label}")
        # Apps whose demo adds people of their own (jurors, forum staff…) list them as DEMO_LOGINS.
        for step in STEPS:
            for email, label in getattr(step, "DEMO_LOGINS", []):
                self.stdout.write(f"  {email:<38} {label}")
