"""The API's own messages; the billing rules' messages come from the apps' errors modules."""

KEY_UNKNOWN = "This API key is not valid."
KEY_REVOKED = "This API key was revoked."
KEY_OWNER_INACTIVE = "The owner of this API key can no longer sign in."
NOT_FOUND = "Not found."
UNKNOWN_FIELDS = "Unknown field{s}: {fields}."
UNKNOWN_PARAMETERS = "Unknown query parameter{s}: {names}."
IDEMPOTENCY_KEY_INVALID = (
    "An Idempotency-Key is 1 to 255 printable ASCII characters (a UUID is a good one)."
)
IDEMPOTENCY_KEY_REUSED = (
    "This Idempotency-Key was used for another request ({method} {path} with another body): "
    "nothing was done. Use a new key for a new request."
)
IDEMPOTENCY_IN_PROGRESS = (
    "A request with this Idempotency-Key is still being processed: nothing more was done. "
    "Retry in a moment to get its answer."
)
