"""What the pages request, recorded, and which of it would leave the machine."""

import urllib.parse


def record_requests(context):
    """Every URL the pages of `context` request (documents, scripts, images, XHR, websockets)."""
    urls = []
    context.on("request", lambda r: urls.append(r.url))
    context.on("page", lambda p: p.on("websocket", lambda ws: urls.append(ws.url)))
    return urls


def outside(urls, hosts=()):
    """The URLs that would leave the machine: not file: or data:, and not to one of `hosts`."""
    bad = []
    for url in urls:
        u = urllib.parse.urlsplit(url)
        if u.scheme in ("file", "data", "blob") or (u.scheme in ("http", "https", "ws", "wss") and u.hostname in hosts):
            continue
        bad.append(url[:120])
    return bad
