"""Page objects: one class per page of the target, taking a Playwright ``Page``."""
