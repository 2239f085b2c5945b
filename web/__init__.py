"""aiohttp + jinja2 web app: admin pages, volunteer call screen, JSON API, websockets."""
