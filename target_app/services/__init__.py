"""Business logic on SQLAlchemy sessions, shared by the JSON API and the pages."""
