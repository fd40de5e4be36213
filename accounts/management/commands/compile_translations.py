from django.core.management.base import BaseCommand, CommandError

from billing_site.translations import catalog_compile, catalogs


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/django.po into its .mo (with Babel: no gettext)."

    def handle(self, *args, **options):
        found = catalogs()
        if not found:
            raise CommandError("No django.po under the LOCALE_PATHS folders.")
        for po_path in found:
            self.stdout.write(f"compiled {catalog_compile(po_path)}")
