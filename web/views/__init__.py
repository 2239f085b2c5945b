"""Route modules. Each module here may define ``setup(app)`` adding its routes; ``init_app``
calls them all in name order. Every handler declares its audience with ``web.access.access``.
"""
