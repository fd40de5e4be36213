"""factory-boy factories: the one place tests build data."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from contracts.models import BillingContract, ContractChange, ContractLine, Customer


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class AdminFactory(UserFactory):
    username = "admin"
    is_staff = True
    is_superuser = True


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:05d}")
    billing_email = factory.Sequence(lambda n: f"billing{n}@customer.example")


class BillingContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingContract

    number = factory.Sequence(lambda n: f"BC-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    name = factory.LazyAttribute(lambda contract: f"Subscription {contract.number}")
    start_date = datetime.date(2026, 1, 1)
    billing_frequency = BillingContract.Frequency.MONTHLY
    billing_timing = BillingContract.Timing.ADVANCE
    invoice_offset_days = 1
    currency = "EUR"
    payment_terms_days = 30
    status = BillingContract.Status.ACTIVE


class ContractLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractLine

    contract = factory.SubFactory(BillingContractFactory)
    position = factory.Sequence(lambda n: n)
    description = factory.Sequence(lambda n: f"Seat licence {n}")
    quantity = Decimal("10")
    unit_price = Decimal("12.50")
    tax_rate = Decimal("20")


class ContractChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractChange

    line = factory.SubFactory(ContractLineFactory)
    effective_date = datetime.date(2026, 1, 10)
    quantity_before = Decimal("10")
    quantity_after = Decimal("15")
