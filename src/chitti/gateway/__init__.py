"""core-api: the HTTP gateway. Validates, authenticates and forwards; no business logic."""
