"""Request and response bodies (pydantic), with OpenAPI examples."""
