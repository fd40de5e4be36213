"""Names the nightly beat entry; shared by its migration and the code that looks it up."""

TASK_NAME = "Nightly invoice generation"
