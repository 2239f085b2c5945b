"""Route modules. Each module here may define ``setup(app)`` adding its routes; ``init_app``
calls them all in name order.

The contract for a page or API route:

- Declare the audience: ``@access(Access.STAFF)`` (admins and managers), ``Access.ADMIN``,
  ``Access.CALLER`` (may make calls), ``Access.USER`` or ``Access.PUBLIC`` (``web.access``).
  Undeclared handlers are admin-only; ``tests/web/test_access.py`` walks every route.
- Pages: ``render(request, "x.html", {...})`` (``web.render``) with templates extending
  ``base.html`` (blocks ``title``, ``content``, ``scripts``); admin pages may extend
  ``admin/index.html`` (block ``admin_content``). Autoescape is on; no inline scripts or
  styles (the CSP forbids them): put code in ``web/static/`` and link it with
  ``{{ static('file.js') }}`` (cache-busted).
- Forms: ``<input type="hidden" name="_csrf" value="{{ csrf_token }}">``. Scripts: send the
  ``X-CSRF-Token`` header (``phonebankApi.post(url, body)`` in ``static/api.js`` does).
  The form field makes the middleware read the whole body (up to 64 MB); a large upload
  that the handler wants to stream (``request.multipart()``) sends the header instead.
- API routes live under ``/api/``: refusals come back as JSON ``{"error", "message"}``.
- The signed-in user: ``current_user(request)`` (``web.access``).
"""
