"""Server-rendered pages (Jinja2): the marketplace's human interface."""
