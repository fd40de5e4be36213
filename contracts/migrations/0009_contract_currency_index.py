from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking the table against writes: a large book keeps billing meanwhile.
    atomic = False

    dependencies = [("contracts", "0008_posting_periods")]

    operations = [
        AddIndexConcurrently(
            model_name="billingcontract",
            index=models.Index(fields=["currency"], name="contract_currency_idx"),
        ),
    ]
