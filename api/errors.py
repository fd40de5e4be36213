"""The API's own messages; the billing rules' messages come from the apps' errors modules."""

KEY_UNKNOWN = "This API key is not valid."
KEY_REVOKED = "This API key was revoked."
KEY_OWNER_INACTIVE = "The owner of this API key can no longer sign in."
NOT_FOUND = "Not found."
UNKNOWN_FIELDS = "Unknown field{s}: {fields}."
UNKNOWN_PARAMETERS = "Unknown query parameter{s}: {names}."
