from django.core.management.base import BaseCommand

from qualityweek.contest import services
from qualityweek.core.audit import Actor


class Command(BaseCommand):
    help = "Ставит в очередь напоминания жюри о сроке экспертизы (запускать раз в день из cron)."

    def handle(self, *args, **options):
        job = services.start_reminders(actor=Actor.system())
        self.stdout.write(f"Задача {job.pk} поставлена в очередь.")
