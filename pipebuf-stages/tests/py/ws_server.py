"""The Python `websockets` echo server, for the tests' WebSocket client.

Usage: ws_server.py HOST COUNT [CERTFILE KEYFILE]. It listens on a free port of HOST (over TLS
with CERTFILE and KEYFILE), prints {"listening": PORT}, echoes every message on each of COUNT
connections, choosing the subprotocol "v1" when offered, and prints one JSON line for each
connection once it ends, with what the client asked for and the Close frame it sent. It exits
after COUNT connections, or within 20 seconds whatever happens.
"""

import json
import signal
import ssl
import sys
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve


def main():
    host, count = sys.argv[1], int(sys.argv[2])
    context = None
    if len(sys.argv) > 4:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
    # Whatever goes wrong, the process ends: SIGALRM's default action terminates it.
    signal.alarm(20)
    ended = threading.Semaphore(0)

    def handler(ws):
        try:
            for message in ws:
                ws.send(message)
        except ConnectionClosed:
            # A close code other than 1000 or 1001 ends the loop with this exception; the code
            # and the reason below say how the connection ended.
            pass
        headers = ws.request.headers
        print(
            json.dumps(
                {
                    "path": ws.request.path,
                    "protocols": headers.get("Sec-WebSocket-Protocol"),
                    "x_test": headers.get("X-Test"),
                    "code": ws.close_code,
                    "reason": ws.close_reason,
                }
            ),
            flush=True,
        )
        ended.release()

    with serve(
        handler,
        host,
        0,
        ssl=context,
        # Unlike `subprotocols=["v1"]`, this accepts a client that offers none.
        select_subprotocol=lambda ws, offered: "v1" if "v1" in offered else None,
        compression=None,
        ping_interval=None,
        max_size=None,
    ) as server:
        print(json.dumps({"listening": server.socket.getsockname()[1]}), flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        for _ in range(count):
            ended.acquire()
        server.shutdown()


main()
