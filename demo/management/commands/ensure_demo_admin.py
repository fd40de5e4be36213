"""Create the demo admin account if it is missing, and print how to log in."""

from django.core.management.base import BaseCommand

from demo.book import demo_admin_ensure

DEMO_PASSWORD = "billing-demo"


class Command(BaseCommand):
    help = "Create a superuser for the local demo unless it exists; print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, password, url, **options):
        if demo_admin_ensure(username=username, password=password):
            self.stdout.write(self.style.SUCCESS(f"Created the demo admin account {username!r}."))
            login = f"username {username}, password {password}"
        else:
            login = f"username {username}, password {password} (unless you have changed it)"
        self.stdout.write(f"Log in at {url} with {login}")
