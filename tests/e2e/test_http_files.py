"""test_http_files.py: documents' files over a real socket. doc/add, doc/version and
round/respond take multipart/form-data whose file part is streamed to a private temp file under
the documents' 50 MB cap (413 beyond it, the store unchanged); a path sent by the client itself
is refused, never read; doc/get answers with the bytes, their type and a file name."""
import hashlib
import os
import time
import uuid

from harness import StoreTest, main
from httpd import PASSWORD, Server, add_account, closed_by_peer, token_of

PDF = b"%PDF-1.4\n% convene test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
FILE_MAX = 50 * 1024 * 1024


def multipart(fields, file_name=None, data=None, part="file"):
    """A multipart/form-data body of fields and one file part: (body, headers)."""
    boundary = uuid.uuid4().hex
    out = []
    for k, v in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                   .encode() + str(v).encode() + b"\r\n")
    if data is not None:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{part}"; '
                   f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                   .encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


class HttpFilesTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.ok("org", "add", "BK", "Tỉnh Bắc Kạn", "--level", "province")
        self.ok("org", "add", "BK-TP", "Thành phố Bắc Kạn", "--level", "district",
                "--parent", "BK")
        self.ok("org", "add", "BK-TP-1", "Phường 1", "--level", "grassroots", "--parent", "BK-TP")
        self.ok("congress", "plan", "BK-TP", "VII", "--start", "2020-08-05")
        add_account(self, "vanphong", "office", "BK-TP")
        self.srv = Server(self).serving()
        self.srv.headers = token_of(self, "vanphong")

    def post(self, path, fields, data=None, name="bien-ban.pdf", part="file"):
        body, headers = multipart(fields, name, data, part)
        return self.srv.request("POST", path, body=body, headers=headers)

    def test_a_document_uploaded_comes_back_byte_identical_with_its_type(self):
        r = self.post("/api/v1/doc/add", {"org": "BK-TP", "title": "Biên bản đại hội",
                                          "by": "Văn phòng"}, PDF)
        self.assertEqual(r.status, 200, r.body)
        doc = r.json()
        self.assertEqual(doc["version_list"][0]["sha256"], hashlib.sha256(PDF).hexdigest())
        self.assertEqual(self.js("doc", "show", str(doc["id"]))["versions"], 1)
        second = PDF + b"% v2\n"
        r = self.post("/api/v1/doc/version", {"id": doc["id"], "by": "Văn phòng",
                                              "note": "sửa"}, second)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["versions"], 2)
        got = self.srv.get(f"/api/v1/doc/get?id={doc['id']}")
        self.assertEqual(got.status, 200, got.body)
        self.assertEqual(got.body, second)
        self.assertEqual(got.headers["Content-Type"], "application/pdf")
        self.assertEqual(got.headers["Content-Disposition"],
                         f'attachment; filename="document-{doc["id"]}-v2.pdf"')
        first = self.srv.get(f"/api/v1/doc/get?id={doc['id']}&version=1")
        self.assertEqual(first.body, PDF)
        out = self.dir + "/v1.pdf"
        self.ok("doc", "get", str(doc["id"]), "--version", "1", "--output", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), PDF)

    def test_an_answer_to_a_round_carries_its_file(self):
        doc = self.post("/api/v1/doc/add", {"org": "BK-TP", "title": "Dự thảo", "by": "Tổ"},
                        PDF).json()
        rnd = self.js("round", "open", str(doc["id"]), "--deadline",
                      "2020-06-14", "--children", "BK-TP")
        r = self.post("/api/v1/round/respond", {"id": rnd["id"], "recipient": "BK-TP-1",
                                                "summary": "Nhất trí", "on": "2020-05-22"},
                      b"y kien gop y\n", "gop-y.txt")
        self.assertEqual(r.status, 200, r.body)
        [answered] = [x for x in r.json()["recipients"] if x["key"] == "BK-TP-1"]
        self.assertEqual(answered["responded_on"], "2020-05-22")

    def test_a_path_sent_by_the_client_is_refused_and_never_read(self):
        doc = self.post("/api/v1/doc/add", {"org": "BK-TP", "title": "Dự thảo"}).json()
        before = self.snapshot()
        r = self.srv.request("POST", "/api/v1/doc/version",
                             {"id": doc["id"], "file": "/etc/passwd", "by": "A"})
        self.assertEqual(r.status, 422, r.body)
        self.assertIn("multipart/form-data", r.json()["detail"])
        r = self.post(f"/api/v1/doc/version?file=/etc/passwd", {"id": doc["id"], "by": "A"})
        self.assertEqual(r.status, 422, r.body)
        r = self.srv.get(f"/api/v1/doc/get?id={doc['id']}&output=/tmp/convene-stolen")
        self.assertEqual(r.status, 422, r.body)
        r = self.post("/api/v1/doc/version", {"id": doc["id"], "by": "A", "colour": "đỏ"}, PDF)
        self.assertEqual(r.status, 422, r.body)
        self.assertIn("colour", r.json()["detail"])
        self.assertEqual(self.snapshot(), before)

    def test_a_file_over_the_cap_is_413_and_changes_nothing(self):
        doc = self.post("/api/v1/doc/add", {"org": "BK-TP", "title": "Dự thảo"}).json()
        before = self.snapshot()
        r = self.post("/api/v1/doc/version", {"id": doc["id"], "by": "A"},
                      b"x" * (FILE_MAX + 1), "lon.bin")
        self.assertEqual(r.status, 413, r.body)
        self.assertEqual(self.snapshot(), before)
        r = self.post("/api/v1/doc/version", {"id": doc["id"], "by": "A"}, PDF)
        self.assertEqual(r.status, 200, r.body)

    def refused_before_the_body(self, srv, path, headers):
        """Sends the head of a 40 MB multipart POST and 64 KB of its body, then reads the answer
        (it must come with most of the body unsent); its status."""
        body, mp = multipart({"org": "BK-TP", "title": "X"}, "lon.bin", b"x" * (40 << 20))
        head = "".join(f"{k}: {v}\r\n" for k, v in {**mp, **headers}.items())
        sock = srv.raw_socket()
        try:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n{head}"
                         f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:65536])
            got = closed_by_peer(sock)
        finally:
            sock.close()
        return int(got.split(b" ", 2)[1])

    def test_an_upload_is_refused_from_its_head_and_no_temp_file_is_made(self):
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(tmp)
        token = self.srv.headers
        self.srv.stop()
        srv = Server(self, env={**self.env(), "TMPDIR": tmp}).serving()
        srv.headers = {}
        self.assertEqual(srv.login("vanphong", PASSWORD).status, 200)
        cookie = srv.headers["Cookie"]
        before = self.snapshot()
        self.assertEqual(self.refused_before_the_body(srv, "/api/v1/doc/add", {}), 401)
        self.assertEqual(self.refused_before_the_body(
            srv, "/api/v1/doc/add", {"Authorization": "Bearer nope"}), 401)
        self.assertEqual(self.refused_before_the_body(
            srv, "/api/v1/doc/add", {"Cookie": cookie}), 403)  # no CSRF token
        self.assertEqual(self.refused_before_the_body(
            srv, "/api/v1/doc/add", {**srv.headers, "Origin": "http://evil.example"}), 403)
        self.assertEqual(self.refused_before_the_body(
            srv, "/api/v1/doc/nothing", token), 404)
        self.assertEqual(os.listdir(tmp), [])
        self.assertEqual(self.snapshot(), before)
        body, mp = multipart({"org": "BK-TP", "title": "Dự thảo", "by": "Tổ"}, "a.pdf", PDF)
        r = srv.request("POST", "/api/v1/doc/add", body=body, headers={**token, **mp})
        self.assertEqual(r.status, 200, r.body)
        # the accepted upload's temp file goes when its exchange ends, just after the answer
        end = time.monotonic() + 10
        while os.listdir(tmp) and time.monotonic() < end:
            time.sleep(0.01)
        self.assertEqual(os.listdir(tmp), [])

    def test_an_upload_retried_with_its_idempotency_key_is_done_once(self):
        fields = {"org": "BK-TP", "title": "Biên bản", "by": "Văn phòng"}
        key = {"Idempotency-Key": "upload-1"}
        body, mp = multipart(fields, "a.pdf", PDF)
        first = self.srv.request("POST", "/api/v1/doc/add", body=body, headers={**mp, **key})
        self.assertEqual(first.status, 200, first.body)
        body, mp = multipart(fields, "a.pdf", PDF)  # the same bytes, a new temp file
        again = self.srv.request("POST", "/api/v1/doc/add", body=body, headers={**mp, **key})
        self.assertEqual(again.status, 200, again.body)
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertEqual(len(self.js("doc", "list", "BK-TP")), 1)
        body, mp = multipart(fields, "a.pdf", PDF + b"% other\n")
        other = self.srv.request("POST", "/api/v1/doc/add", body=body, headers={**mp, **key})
        self.assertEqual(other.status, 422, other.body)
        self.assertIn("different request", other.json()["detail"])

    def test_the_openapi_document_shows_files_as_multipart_binary(self):
        doc = self.srv.get("/api/v1/openapi.json").json()
        body = doc["paths"]["/api/v1/doc/version"]["post"]["requestBody"]["content"]
        form = body["multipart/form-data"]["schema"]["properties"]
        self.assertEqual(form["file"], {"type": "string", "format": "binary"})
        self.assertNotIn("file", body["application/json"]["schema"]["properties"])
        get = doc["paths"]["/api/v1/doc/get"]["get"]
        self.assertNotIn("output", [p["name"] for p in get["parameters"]])
        self.assertIn("application/octet-stream", get["responses"]["200"]["content"])


if __name__ == "__main__":
    main()
