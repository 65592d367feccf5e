"""The HTTP API's shared machinery (/api/v1/): personal tokens (tokens.py), the Bearer
authentication and scopes (auth.py), throttling per token, pagination, and the router each
app registers its endpoints into (router.py), as the pages register their hooks."""
