"""Database access: the embedded server, migrations and connection pools."""
