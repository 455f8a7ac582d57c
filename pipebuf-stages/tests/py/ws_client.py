"""The Python `websockets` client against a WebSocket echo server (the tests' `EchoServer`).

Usage: ws_client.py HOST PORT [CAFILE]. With CAFILE, it connects over TLS to the name
`localhost` and trusts that certificate. It prints one JSON line per check, in a fixed order, so
that the test can compare the whole output with what it expects, and exits within 20 seconds
whatever happens.
"""

import json
import signal
import ssl
import sys

from websockets.sync.client import connect

SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20]
TIMEOUT = 10


def text(length):
    """A text of exactly `length` UTF-8 bytes, with characters of one to four bytes each."""
    chars, size = [], 0
    for i in range(length):
        c = "a\u00e9\u20ac\U0001f600"[i % 4]
        if size + len(c.encode()) > length:
            break
        chars.append(c)
        size += len(c.encode())
    return "".join(chars) + "z" * (length - size)


def binary(length):
    return bytes((i * 31 + length) % 251 for i in range(length))


def report(case, **result):
    print(json.dumps({"case": case, **result}), flush=True)


def echoed(ws, message):
    ws.send(message)
    reply = ws.recv(timeout=TIMEOUT)
    if reply == message:
        return "echoed"
    return f"got {type(reply).__name__} of {len(reply)}, sent {type(message).__name__} of {len(message)}"


def open_connection(host, port, cafile, path, compression=None):
    context = None
    scheme = "ws"
    if cafile:
        scheme = "wss"
        context = ssl.create_default_context(cafile=cafile)
    return connect(
        f"{scheme}://{host}:{port}{path}",
        ssl=context,
        server_hostname="localhost" if cafile else None,
        # No proxy from the environment, and no keepalive pings at random moments: the exchange
        # is the same on every run.
        proxy=None,
        compression=compression,
        ping_interval=None,
        open_timeout=TIMEOUT,
        close_timeout=TIMEOUT,
        max_size=None,
    )


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    cafile = sys.argv[3] if len(sys.argv) > 3 else None
    # Whatever goes wrong, the process ends: SIGALRM's default action terminates it.
    signal.alarm(20)

    first = open_connection(host, port, cafile, "/first")
    for size in SIZES:
        report(f"text {size}", result=echoed(first, text(size)))
    for size in SIZES:
        report(f"binary {size}", result=echoed(first, binary(size)))

    first.send(["frag", "mented ", "text"])
    report("fragmented text", result=first.recv(timeout=TIMEOUT))
    first.send([b"\x00\x01", b"\x02"])
    report("fragmented binary", result=list(first.recv(timeout=TIMEOUT)))

    for payload in [b"", b"ping", b"\x07" * 125]:
        pong = first.ping(payload)
        report(f"ping {len(payload)}", result="pong" if pong.wait(TIMEOUT) else "no pong")

    messages = [f"message {i}" for i in range(1000)]
    for message in messages:
        first.send(message)
    replies = [first.recv(timeout=TIMEOUT) for _ in messages]
    report("pipelined", result="echoed" if replies == messages else "differs")

    # A second connection is served while the first one stays open.
    second = open_connection(host, port, cafile, "/second")
    report("second", result=echoed(second, "hello"))
    second.close(4001, "second")
    report("second close", code=second.close_code, reason=second.close_reason)

    # By default the client offers permessage-deflate, which the server does not take up.
    third = open_connection(host, port, cafile, "/third", compression="deflate")
    extensions = third.response.headers.get("Sec-WebSocket-Extensions")
    report("deflate offered", extensions=extensions, result=echoed(third, "x" * 1000))
    third.close(1000, "")
    report("third close", code=third.close_code, reason=third.close_reason)

    report("first after second", result=echoed(first, "still here"))
    first.close(4000, "bye")
    report("close", code=first.close_code, reason=first.close_reason)


main()
