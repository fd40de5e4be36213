from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking the table against writes: the nightly run may be writing invoices.
    atomic = False

    dependencies = [("invoicing", "0010_invoice_list_order_and_totals")]

    operations = [
        AddIndexConcurrently(
            model_name="invoice",
            index=models.Index(fields=["currency"], name="invoice_currency_idx"),
        ),
    ]
