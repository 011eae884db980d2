"""Security headers on every response the frontend server makes itself.

Login tokens travel in URLs (in the fragment, /join#<token>, which no request carries; older
cards put them in the path), hence ``Referrer-Policy: no-referrer`` all the same.
The SPA has no inline script or style element, so the CSP can be strict; React sets
style attributes through the CSSOM, which ``style-src 'self'`` allows.
"""

from __future__ import annotations

from flask import Flask, Response

_CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_CSP_DIRECTIVES)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Responses forwarded from the BFF keep its own policy (GraphiQL needs inline scripts);
# only the headers that cannot hurt are added to them.
PROXIED_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        names = PROXIED_HEADERS if getattr(response, "proxied", False) else HEADERS
        for name in names:
            response.headers.setdefault(name, HEADERS[name])
        return response
