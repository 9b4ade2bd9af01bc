#!/usr/bin/env python3
"""tests/lib/cb-servers.py: the two servers the callback tests talk to, on 127.0.0.1.

    cb-servers.py app --secret FILE --mode-file FILE --log FILE
        An application behind callback_forward.  It checks X-Ossign-Signature as README
        ("Callbacks") tells an application to: t= within 300 s of its clock, v1= equal (in
        constant time) to hex HMAC-SHA256 keyed with secret_file's bytes over
        "ossign-forward-v1\\n" + t + "\\n" + the body as received; and it keeps each event id
        once.  The mode file's first word says how it answers: ok (200 {"app":"accepted",...}
        when the signature holds, 401 otherwise), fail (500), slow (2.5 s, then ok), nojson
        (200 text/plain).  Each request is logged: "valid=0|1 event=ID repeat=0|1".
    cb-servers.py keys --dir DIR --cert PEM --key PEM --log FILE
        HTTPS (the test CA's certificate): GET /NAME serves DIR/NAME; each GET is logged.

Both print "listening PORT" once ready and run until killed.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import time


def app(a):
    secret = open(a.secret, "rb").read()
    seen = set()

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, ctype="application/json"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            mode = (open(a.mode_file).read().split() or ["ok"])[0]
            sig = dict(p.split("=", 1) for p in self.headers.get("X-Ossign-Signature", "").split(",") if "=" in p)
            t = sig.get("t", "")
            want = hmac.new(secret, b"ossign-forward-v1\n" + t.encode() + b"\n" + body, hashlib.sha256).hexdigest()
            valid = t.isdigit() and abs(time.time() - int(t)) <= 300 and hmac.compare_digest(want, sig.get("v1", ""))
            event = self.headers.get("X-Ossign-Event", "")
            try:
                valid = valid and json.loads(body)["event"] == event
            except (ValueError, KeyError):
                valid = False
            repeat = event in seen
            seen.add(event)
            with open(a.log, "a") as f:
                f.write("valid=%d event=%s repeat=%d mode=%s\n" % (valid, event, repeat, mode))
            if mode == "fail":
                return self.answer(500, '{"error":"down"}')
            if mode == "nojson":
                return self.answer(200, "thanks", "text/plain")
            if mode == "slow":
                time.sleep(2.5)
            if not valid:
                return self.answer(401, '{"error":"bad signature"}')
            self.answer(200, json.dumps({"app": "accepted", "event": event}))

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)


def keys(a):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            with open(a.log, "a") as f:
                f.write("GET %s\n" % self.path)
            p = os.path.join(a.dir, os.path.basename(self.path))
            if not os.path.isfile(p):
                self.send_error(404)
                return
            data = open(p, "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
    return s


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("app")
    p.add_argument("--secret", required=True)
    p.add_argument("--mode-file", required=True)
    p.add_argument("--log", required=True)
    p = sub.add_parser("keys")
    p.add_argument("--dir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--log", required=True)
    a = ap.parse_args()
    s = app(a) if a.cmd == "app" else keys(a)
    print("listening %d" % s.server_address[1], flush=True)
    s.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
