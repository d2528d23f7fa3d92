from django.core.management.base import BaseCommand

from qualityweek.directory.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Печатает демо-логины."

    def handle(self, *args, **options):
        self.stdout.write(f"Демо-логины (пароль у всех: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.email:<38} {user.label}")
