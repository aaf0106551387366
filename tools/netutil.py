"""What the tools and the tests share about the network: tests/conftest.py and tests/e2e put tools/ on sys.path."""

import socket


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it), for a server started next."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
