"""Two small web apps the harness has never seen (Shelf: WSGI + Swagger 2.0; Notes: ASGI, no API description).

See README.md here for their faults and the user-style project files beside them.
"""
