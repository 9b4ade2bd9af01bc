#!/usr/bin/env python3
"""tests/lib/cb-request.py: one OSS upload callback, made and sent as a test wants it.

    cb-request.py --body FILE [--type json|form] [--sign-key PEM | --authorization B64 | --no-auth]
                  [--key-url URL | --key-url-raw B64 | --no-key-url] [--path /ossign/callback?q]
                  [--signed-path P] [--signed-body FILE]
                  (--url http://127.0.0.1:PORT | --cgi PROGRAM) [--out FILE]

Signs as OSS does (RSA PKCS#1 v1.5 with MD5, openssl dgst -md5 -sign) over urldecode(path), then
"?" and the raw query when there is one, then "\\n", then the body; Authorization is base64 of the
signature, x-oss-pub-key-url base64 of the key URL (default OSS's own).  --signed-path signs another
path than the one sent, --signed-body another body (a tampered request).  Sends it with http.client to --url, or runs --cgi
PROGRAM (through $OSSIGN_WRAP, e.g. valgrind) with the CGI variables a web server would set and the
body on stdin.  Prints the HTTP status; the answer's body goes to --out.
"""
import argparse
import base64
import http.client
import os
import subprocess
import sys
import urllib.parse

OSS_KEY_URL = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem"


def signed_string(path, body):
    p, q, query = path.partition("?")
    return urllib.parse.unquote_to_bytes(p) + (b"?" + query.encode() if query else b"") + b"\n" + body


def sign(key, data):
    r = subprocess.run(["openssl", "dgst", "-md5", "-sign", key], input=data, capture_output=True, check=True)
    return base64.b64encode(r.stdout).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--body", required=True)
    ap.add_argument("--type", default="json", choices=["json", "form", "none"])
    ap.add_argument("--sign-key")
    ap.add_argument("--authorization")
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--key-url", default=OSS_KEY_URL)
    ap.add_argument("--key-url-raw")
    ap.add_argument("--no-key-url", action="store_true")
    ap.add_argument("--path", default="/ossign/callback")
    ap.add_argument("--signed-path")
    ap.add_argument("--signed-body")
    ap.add_argument("--url")
    ap.add_argument("--cgi")
    ap.add_argument("--out", default=os.devnull)
    a = ap.parse_args()

    body = open(a.body, "rb").read()
    headers = {}
    if a.type != "none":
        headers["Content-Type"] = {"json": "application/json", "form": "application/x-www-form-urlencoded"}[a.type]
    if a.authorization is not None:
        headers["Authorization"] = a.authorization
    elif not a.no_auth:
        signed = open(a.signed_body, "rb").read() if a.signed_body else body
        headers["Authorization"] = sign(a.sign_key, signed_string(a.signed_path or a.path, signed))
    if a.key_url_raw is not None:
        headers["x-oss-pub-key-url"] = a.key_url_raw
    elif not a.no_key_url:
        headers["x-oss-pub-key-url"] = base64.b64encode(a.key_url.encode()).decode()

    if a.url:
        u = urllib.parse.urlsplit(a.url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
        c.request("POST", a.path, body=body, headers={**headers, "User-Agent": "aliyun-oss-callback"})
        r = c.getresponse()
        data = r.read()
        status = r.status
        if r.getheader("Content-Length") != str(len(data)):
            print("no valid Content-Length", file=sys.stderr)
            status = 0
    else:
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "OSSIGN_CONFIG", "LD_LIBRARY_PATH",
                                                            "ALIBABA_CLOUD_ACCESS_KEY_ID",
                                                            "ALIBABA_CLOUD_ACCESS_KEY_SECRET")}
        env.update(GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD="POST", REQUEST_URI=a.path,
                   QUERY_STRING=a.path.partition("?")[2], SCRIPT_NAME=a.path.partition("?")[0],
                   CONTENT_LENGTH=str(len(body)), REMOTE_ADDR="127.0.0.1", SERVER_PROTOCOL="HTTP/1.1")
        for k, v in headers.items():
            env["CONTENT_TYPE" if k == "Content-Type" else "HTTP_" + k.upper().replace("-", "_")] = v
        wrap = os.environ.get("OSSIGN_WRAP", "").split()
        r = subprocess.run(wrap + [a.cgi], input=body, capture_output=True, env=env)
        sys.stderr.buffer.write(r.stderr)
        if r.returncode != 0 and wrap:
            print("the checker failed (exit %d)" % r.returncode, file=sys.stderr)
            status = 0
        head, _, data = r.stdout.partition(b"\r\n\r\n")
        status = 0 if wrap and r.returncode != 0 else int(head.split(b"\r\n")[0].split()[1])
        if b"\r\nContent-Length: %d\r\n" % len(data) not in head + b"\r\n":
            print("no valid Content-Length", file=sys.stderr)
            status = 0
    with open(a.out, "wb") as f:
        f.write(data)
    print(status)


if __name__ == "__main__":
    main()
