"""What every app's API shares: token authentication, problem details, idempotent creates, and
the schema's error responses. The apps' own endpoints live in their ``api`` modules."""
