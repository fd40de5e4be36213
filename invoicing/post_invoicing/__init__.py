"""Post-invoicing tasks: Auto-Send, Auto-Charge and Auto-Sync.

`scheduling.post_invoicing_schedule` is called by the invoice writer inside the generating
transaction; it records which tasks each new invoice needs and queues them to run
after commit. The rest of the package:

- models: tasks, emails sent, payments;      - scheduling: recording and queueing;
- running: one attempt of a task;            - sending, charging, syncing: the work;
- gateways: manual and Stripe;               - pdf: the invoice document;
- interventions: what a person does (Retry, Send again, transfer received);
- export: the CSV of invoices;               - tasks: the Celery doors;
- admin, invoice_admin: the task and payment lists, and the invoice admin's post-invoicing
  inlines, buttons and actions; views: the PDF download.

Nothing is imported here: invoicing.models loads this package's models, and PDF, mail
and gateway code have no business in every process that loads models.
"""
