"""Load the lab's own content: profile, people, keywords, six themes and their papers,
and the starter vocabulary of the field (research/content/vocabulary.toml).

python manage.py load_lab_content            # (re)load; a second run changes nothing
python manage.py load_lab_content --if-empty # only when there are no themes yet (make run)
"""

from django.core.management.base import BaseCommand, CommandError

from research.content.loader import ContentError, load_lab_content
from research.models import ResearchTheme


class Command(BaseCommand):
    help = (
        "Load the lab's research page (themes, keywords, papers) from research/content/lab.toml"
        " and the field's vocabulary from research/content/vocabulary.toml."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has research themes.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and ResearchTheme.objects.exists():
            self.stdout.write("The database already has content; nothing loaded.")
            return
        try:
            summary = load_lab_content()
        except ContentError as error:
            raise CommandError(f"Nothing loaded:\n{error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Lab content loaded: {summary}.")
            if summary.changed
            else "Lab content is up to date: nothing changed."
        )
