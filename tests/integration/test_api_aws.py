"""The AWS client of the API layer, end to end, through build/tools/aws_tool.

FakeAwsTest serves canned AWS replies from a loopback HTTP server written
here. It checks every request albatross sends (method, path, body,
headers) and recomputes its SigV4 signature with botocore, so a request
that botocore would sign differently fails. SandboxAwsTest runs the same
operations against albatross-sandbox and compares them with the aws CLI.
"""

import base64
import datetime
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sandbox import Sandbox

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("ALBATROSS_BUILD", "build"))
TOOL = os.path.join(BUILD, "tools", "aws_tool")

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# Keys handed out by the fake STS for web identity.
WEB_KEY = "ASIAWEBIDENTITYEXAMPLE"
WEB_SECRET = "web/secret+key"
WEB_TOKEN = "FwoGZXIvYXdzEXAMPLE//token=="


def botocore_signature(method, url, headers, body, secret, token):
    """Authorization header botocore computes for the same request at the
    time in its X-Amz-Date, signing the same headers albatross signed."""
    auth_header = headers["Authorization"]
    scope = auth_header.split("Credential=")[1].split(",")[0].split("/")
    signed = auth_header.split("SignedHeaders=")[1].split(",")[0].split(";")
    when = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    keep = {k: v for k, v in headers.items()
            if k.lower() in signed and k.lower() not in
            ("host", "x-amz-date", "x-amz-security-token")}
    request = AWSRequest(method=method, url=url, data=body, headers=keep)
    creds = Credentials(scope[0], secret, token)
    signer = botocore.auth.SigV4Auth(creds, scope[3], scope[2])
    if hasattr(botocore.auth, "get_current_datetime"):
        patch = mock.patch.object(botocore.auth, "get_current_datetime",
                                  return_value=when)
    else:
        fake = mock.Mock(wraps=datetime.datetime)
        fake.utcnow.return_value = when
        patch = mock.patch.object(botocore.auth.datetime, "datetime", fake)
    with patch:
        signer.add_auth(request)
    return request.headers["Authorization"]


class FakeAws:
    """A loopback server; handler(exchange) returns (status, headers, body)
    for each request. Every request is kept in self.requests."""

    def __init__(self, handler):
        self.handler = handler
        self.requests = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                exchange = {
                    "method": self.command, "path": self.path,
                    "headers": dict(self.headers.items()), "body": body,
                    "form": dict(parse_qsl(body, keep_blank_values=True)),
                    "query": dict(parse_qsl(urlsplit(self.path).query)),
                }
                with fake.lock:
                    fake.requests.append(exchange)
                    fake.in_flight += 1
                    fake.peak = max(fake.peak, fake.in_flight)
                try:
                    status, headers, reply = fake.handler(exchange)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1
                data = reply.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def region_of(exchange):
    auth = exchange["headers"].get("Authorization", "")
    return auth.split("Credential=")[1].split("/")[2] if auth else None


def xml_reply(body):
    return 200, {"Content-Type": "text/xml",
                 "x-amzn-RequestId": "req-ok"}, body


ROLE_XML = ("<member><Path>/</Path><RoleName>{0}</RoleName>"
            "<RoleId>AROA{0}</RoleId>"
            "<Arn>arn:aws:iam::111122223333:role/{0}</Arn>"
            "<CreateDate>2024-01-01T00:00:00Z</CreateDate>"
            "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D"
            "</AssumeRolePolicyDocument></member>")


def list_roles_reply(names, marker):
    more = "<IsTruncated>true</IsTruncated><Marker>%s</Marker>" % marker \
        if marker else "<IsTruncated>false</IsTruncated>"
    return xml_reply(
        '<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<ListRolesResult>%s<Roles>%s</Roles></ListRolesResult>"
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
        "</ListRolesResponse>" % (more, "".join(ROLE_XML.format(n) for n in names)))


IDENTITY_XML = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn>"
    "<UserId>AIDAALICE</UserId><Account>111122223333</Account>"
    "</GetCallerIdentityResult></GetCallerIdentityResponse>")

WEB_IDENTITY_XML = (
    '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<AssumeRoleWithWebIdentityResult><Credentials>"
    "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
    "<SessionToken>%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
    "</Credentials></AssumeRoleWithWebIdentityResult>"
    "</AssumeRoleWithWebIdentityResponse>" % (WEB_KEY, WEB_SECRET, WEB_TOKEN))


class FakeAwsTest(unittest.TestCase):
    """Requests on the wire, checked against botocore, with canned replies."""

    def setUp(self):
        if not os.access(TOOL, os.X_OK):
            self.fail("%s is missing: run make unit" % TOOL)
        self.dir = tempfile.TemporaryDirectory(prefix="albatross-aws-")
        self.log = os.path.join(self.dir.name, "tool.log")
        self.bad_signatures = []
        self.secrets = {ACCESS_KEY: (SECRET_KEY, None),
                        WEB_KEY: (WEB_SECRET, WEB_TOKEN)}
        self.fake = None

    def tearDown(self):
        if self.fake:
            self.fake.close()
        self.dir.cleanup()

    def serve(self, route):
        """Starts the fake with route(exchange) behind a signature check."""
        def handler(exchange):
            if exchange["form"].get("Action") != "AssumeRoleWithWebIdentity":
                self.check_signature(exchange)
            return route(exchange)
        self.fake = FakeAws(handler)

    def check_signature(self, exchange):
        headers = exchange["headers"]
        auth = headers.get("Authorization", "")
        key = auth.split("Credential=")[1].split("/")[0] if auth else None
        if key not in self.secrets:
            self.bad_signatures.append(("unknown key", exchange["path"]))
            return
        secret, token = self.secrets[key]
        url = "http://%s%s" % (headers["Host"], exchange["path"])
        expected = botocore_signature(exchange["method"], url, headers,
                                      exchange["body"], secret, token)
        if expected != auth:
            self.bad_signatures.append((exchange["path"], auth, expected))

    def run_tool(self, *args, **env_extra):
        env = {"PATH": os.environ["PATH"], "HOME": self.dir.name,
               "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_ACCESS_KEY_ID": ACCESS_KEY,
               "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
               "AWS_REGION": "us-east-1",
               "AWS_ENDPOINT_URL": self.fake.url,
               "AWS_TOOL_LOG": self.log}
        env.update(env_extra)
        env = {k: v for k, v in env.items() if v is not None}
        res = subprocess.run([TOOL] + list(args), env=env, capture_output=True,
                             text=True, timeout=60)
        out = json.loads(res.stdout) if res.stdout.strip() else None
        return res.returncode, out, res.stderr

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def test_identity_query_request(self):
        self.serve(lambda ex: xml_reply(IDENTITY_XML))
        rc, out, err = self.run_tool("identity")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["account"], "111122223333")
        self.assertEqual(out["arn"], "arn:aws:iam::111122223333:user/alice")
        ex = self.fake.requests[0]
        self.assertEqual(ex["method"], "POST")
        self.assertEqual(ex["path"], "/")
        self.assertEqual(ex["body"], "Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual(ex["headers"]["Content-Type"], FORM)
        self.assertIn("SignedHeaders=content-type;host;x-amz-date,",
                      ex["headers"]["Authorization"])
        self.assertIn("/us-east-1/sts/aws4_request", ex["headers"]["Authorization"])
        self.assertEqual(self.bad_signatures, [])

    def test_roles_follow_marker(self):
        pages = {None: (["r%03d" % i for i in range(100)], "m/2+=="),
                 "m/2+==": (["r%03d" % i for i in range(100, 150)], None)}

        def route(ex):
            names, marker = pages[ex["form"].get("Marker")]
            return list_roles_reply(names, marker)
        self.serve(route)
        rc, out, err = self.run_tool("roles")
        self.assertEqual(rc, 0, err)
        self.assertEqual([r["name"] for r in out["roles"]],
                         ["r%03d" % i for i in range(150)])
        self.assertEqual(out["roles"][0]["trust_policy"],
                         '{"Version":"2012-10-17"}')
        forms = [ex["form"] for ex in self.fake.requests]
        self.assertEqual(len(forms), 2)
        self.assertEqual(forms[0], {"Action": "ListRoles", "Version": "2010-05-08",
                                    "MaxItems": "100"})
        self.assertEqual(forms[1]["Marker"], "m/2+==")
        for ex in self.fake.requests:
            self.assertIn("/us-east-1/iam/aws4_request", ex["headers"]["Authorization"])
        self.assertEqual(self.bad_signatures, [])

    def test_role_details_pages(self):
        def route(ex):
            form = ex["form"]
            action = form["Action"]
            self.assertEqual(form["RoleName"], "app")
            if action == "GetRole":
                return xml_reply("<GetRoleResponse><GetRoleResult><Role>%s</Role>"
                                 "</GetRoleResult></GetRoleResponse>"
                                 % ROLE_XML.format("app")[8:-9])
            if action == "ListAttachedRolePolicies":
                first = "Marker" not in form
                return xml_reply(
                    "<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult>"
                    "<AttachedPolicies><member><PolicyName>P%d</PolicyName>"
                    "<PolicyArn>arn:aws:iam::aws:policy/P%d</PolicyArn></member>"
                    "</AttachedPolicies><IsTruncated>%s</IsTruncated>%s"
                    "</ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>"
                    % (1 if first else 2, 1 if first else 2,
                       "true" if first else "false",
                       "<Marker>next</Marker>" if first else ""))
            return xml_reply(
                "<ListRolePoliciesResponse><ListRolePoliciesResult><PolicyNames>"
                "<member>inline-a</member></PolicyNames><IsTruncated>false"
                "</IsTruncated></ListRolePoliciesResult></ListRolePoliciesResponse>")
        self.serve(route)
        rc, out, err = self.run_tool("role", "app")
        self.assertEqual(rc, 0, err)
        role = out["role"]
        self.assertEqual(role["arn"], "arn:aws:iam::111122223333:role/app")
        self.assertEqual([p["name"] for p in role["attached"]], ["P1", "P2"])
        self.assertEqual(role["inline"], ["inline-a"])
        actions = sorted(ex["form"]["Action"] for ex in self.fake.requests)
        self.assertEqual(actions, ["GetRole", "ListAttachedRolePolicies",
                                   "ListAttachedRolePolicies", "ListRolePolicies"])
        self.assertEqual(self.bad_signatures, [])

    def test_clusters_across_regions_concurrently(self):
        clusters = {"us-east-1": ["a1", "a2", "a3"], "eu-west-1": ["b1"],
                    "ap-south-1": []}

        def route(ex):
            region = region_of(ex)
            url = urlsplit(ex["path"])
            if url.path == "/clusters":
                time.sleep(0.3)  # long enough for all regions to overlap
                names = clusters[region]
                token = ex["query"].get("nextToken")
                page = names[2:] if token == "p+2/=" else names[:2]
                reply = {"clusters": page}
                if token is None and len(names) > 2:
                    reply["nextToken"] = "p+2/="
                return 200, {"Content-Type": "application/json"}, json.dumps(reply)
            name = url.path.rsplit("/", 1)[1]
            return 200, {"Content-Type": "application/json"}, json.dumps({
                "cluster": {"name": name, "status": "ACTIVE", "version": "1.29",
                            "arn": "arn:aws:eks:%s:1:cluster/%s" % (region, name),
                            "createdAt": 1700000000,
                            "identity": {"oidc": {"issuer": "https://oidc/%s" % name}}}})
        self.serve(route)
        rc, out, err = self.run_tool("clusters", "us-east-1", "eu-west-1", "ap-south-1")
        self.assertEqual(rc, 0, err)
        got = [(c["region"], c["name"]) for c in out["clusters"]]
        self.assertEqual(got, [("eu-west-1", "b1"), ("us-east-1", "a1"),
                               ("us-east-1", "a2"), ("us-east-1", "a3")])
        self.assertEqual(out["clusters"][0]["created_at"], "2023-11-14T22:13:20Z")
        self.assertGreaterEqual(self.fake.peak, 3)
        lists = [ex for ex in self.fake.requests if ex["path"].startswith("/clusters?")]
        self.assertEqual(len(lists), 4)
        for ex in self.fake.requests:
            self.assertEqual(ex["method"], "GET")
            self.assertIn("SignedHeaders=host;x-amz-date,", ex["headers"]["Authorization"])
            self.assertEqual(ex["body"], "")
        self.assertEqual(self.bad_signatures, [])

    def test_regions_ec2_protocol(self):
        self.serve(lambda ex: xml_reply(
            '<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            "<requestId>x</requestId><regionInfo><item><regionName>us-east-1"
            "</regionName></item><item><regionName>eu-north-1</regionName></item>"
            "</regionInfo></DescribeRegionsResponse>"))
        rc, out, err = self.run_tool("regions")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["regions"], ["us-east-1", "eu-north-1"])
        ex = self.fake.requests[0]
        self.assertEqual(ex["form"], {"Action": "DescribeRegions", "Version": "2016-11-15"})
        self.assertIn("/us-east-1/ec2/aws4_request", ex["headers"]["Authorization"])
        self.assertEqual(self.bad_signatures, [])

    def test_rest_json_error_reply(self):
        self.serve(lambda ex: (404, {"Content-Type": "application/json",
                                     "x-amzn-ErrorType": "ResourceNotFoundException:http://x/",
                                     "x-amzn-RequestId": "req-404"},
                               '{"message":"No cluster found for name: gone."}'))
        rc, out, err = self.run_tool("clusters", "us-east-1")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "ResourceNotFoundException")
        self.assertEqual(out["error"]["message"], "No cluster found for name: gone.")
        self.assertEqual(out["error"]["request_id"], "req-404")
        self.assertEqual(out["error"]["http_status"], 404)

    def test_query_error_reply(self):
        self.serve(lambda ex: (403, {"Content-Type": "text/xml"},
                               "<ErrorResponse><Error><Type>Sender</Type>"
                               "<Code>AccessDenied</Code><Message>not allowed"
                               "</Message></Error><RequestId>q-1</RequestId>"
                               "</ErrorResponse>"))
        rc, out, err = self.run_tool("roles")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "AccessDenied")
        self.assertEqual(out["error"]["request_id"], "q-1")

    def test_web_identity_then_signed_call(self):
        token_file = os.path.join(self.dir.name, "token")
        with open(token_file, "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.web-identity-token\n")

        def route(ex):
            if ex["form"].get("Action") == "AssumeRoleWithWebIdentity":
                return xml_reply(WEB_IDENTITY_XML)
            return xml_reply(IDENTITY_XML)
        self.serve(route)
        rc, out, err = self.run_tool(
            "identity", AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
            AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
            AWS_ROLE_ARN="arn:aws:iam::111122223333:role/irsa",
            AWS_ROLE_SESSION_NAME="test-session")
        self.assertEqual(rc, 0, err)
        assume, call = self.fake.requests
        self.assertNotIn("Authorization", assume["headers"])
        self.assertEqual(assume["form"], {
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
            "RoleArn": "arn:aws:iam::111122223333:role/irsa",
            "RoleSessionName": "test-session",
            "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.web-identity-token"})
        self.assertIn("Credential=%s/" % WEB_KEY, call["headers"]["Authorization"])
        self.assertEqual(call["headers"]["X-Amz-Security-Token"], WEB_TOKEN)
        self.assertIn("x-amz-security-token", call["headers"]["Authorization"])
        self.assertEqual(self.bad_signatures, [])
        self.assertNotIn(WEB_SECRET, self.log_text())
        self.assertNotIn("web-identity-token", self.log_text())

    def test_web_identity_rejected(self):
        token_file = os.path.join(self.dir.name, "token")
        with open(token_file, "w") as f:
            f.write("bad-token")
        self.serve(lambda ex: (400, {"Content-Type": "text/xml"},
                               "<ErrorResponse><Error><Code>InvalidIdentityToken"
                               "</Code><Message>Incorrect token audience</Message>"
                               "</Error></ErrorResponse>"))
        rc, out, err = self.run_tool(
            "identity", AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
            AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
            AWS_ROLE_ARN="arn:aws:iam::111122223333:role/irsa")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "NoCredentials")
        self.assertIn("InvalidIdentityToken", out["error"]["message"])
        self.assertIn("Incorrect token audience", out["error"]["message"])
        self.assertEqual(len(self.fake.requests), 1)

    def test_one_log_line_per_exchange(self):
        self.serve(lambda ex: (200, {"Content-Type": "application/json"},
                               '{"clusters": []}'))
        rc, out, err = self.run_tool("clusters", "us-east-1", "eu-west-1")
        self.assertEqual(rc, 0, err)
        lines = [l for l in self.log_text().splitlines() if " http GET " in l]
        self.assertEqual(len(lines), 2)
        for line in lines:
            self.assertRegex(line, r" info http GET http://127\.0\.0\.1:\d+/clusters "
                                   r"200 \d+ bytes \d+ ms$")
        self.assertNotIn(SECRET_KEY, self.log_text())
        self.assertNotIn("maxResults", self.log_text())

    def test_truncated_reply_is_an_error(self):
        self.serve(lambda ex: xml_reply(IDENTITY_XML[:120]))
        rc, out, err = self.run_tool("identity")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "InvalidReply")

    def test_profile_endpoint_and_credentials_file(self):
        self.serve(lambda ex: xml_reply(IDENTITY_XML))
        config = os.path.join(self.dir.name, "config")
        creds = os.path.join(self.dir.name, "credentials")
        with open(config, "w") as f:
            f.write("[profile fake]\nregion = eu-west-3\nservices = local\n"
                    "[services local]\nsts =\n  endpoint_url = %s\n" % self.fake.url)
        with open(creds, "w") as f:
            f.write("[fake]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (ACCESS_KEY, SECRET_KEY))
        rc, out, err = self.run_tool(
            "--profile", "fake", "identity", AWS_REGION=None, AWS_ENDPOINT_URL=None,
            AWS_ACCESS_KEY_ID="AKIDIGNORED", AWS_CONFIG_FILE=config,
            AWS_SHARED_CREDENTIALS_FILE=creds)
        self.assertEqual(rc, 0, err)
        auth = self.fake.requests[0]["headers"]["Authorization"]
        self.assertIn("Credential=%s/" % ACCESS_KEY, auth)
        self.assertIn("/eu-west-3/sts/aws4_request", auth)
        self.assertEqual(self.bad_signatures, [])


def irsa_role(box):
    """The first role of box's world whose trust policy federates an OIDC
    provider for one service account (StringEquals on :sub), as (name,
    arn, trust statement) from the aws CLI; None when there is none."""
    for role in json.loads(box.aws("iam", "list-roles").stdout)["Roles"]:
        statement = role["AssumeRolePolicyDocument"]["Statement"][0]
        equals = statement.get("Condition", {}).get("StringEquals", {})
        if ("Federated" in statement.get("Principal", {}) and
                any(k.endswith(":sub") for k in equals)):
            return role["RoleName"], role["Arn"], statement
    return None


def write_web_identity_token(path, statement, subject):
    """Writes a token whose claims name statement's OIDC provider and
    subject. The sandbox checks the claims, not the signature."""
    provider = statement["Principal"]["Federated"].split("oidc-provider/")[1]
    claims = {"iss": "https://" + provider, "sub": subject,
              "aud": "sts.amazonaws.com", "exp": int(time.time()) + 3600}

    def part(obj):
        raw = json.dumps(obj).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with open(path, "w") as f:
        f.write("%s.%s.%s" % (part({"alg": "RS256"}), part(claims), "c2ln"))


def trusted_subject(statement):
    """The service account subject that statement's condition allows."""
    return [v for k, v in statement["Condition"]["StringEquals"].items()
            if k.endswith(":sub")][0]


class SandboxAwsTest(unittest.TestCase):
    """The same operations against albatross-sandbox's demo world."""

    @classmethod
    def setUpClass(cls):
        cls.sandbox = Sandbox().start()

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()

    def run_tool(self, *args, **extra):
        res = subprocess.run([TOOL] + list(args),
                             env=self.sandbox.client_env(**extra),
                             capture_output=True, text=True, timeout=60)
        out = json.loads(res.stdout) if res.stdout.strip() else None
        return res.returncode, out, res.stderr

    def aws(self, *args):
        return json.loads(self.sandbox.aws(*args).stdout)

    def test_identity_matches_cli(self):
        rc, out, err = self.run_tool("identity")
        self.assertEqual(rc, 0, err)
        cli = self.aws("sts", "get-caller-identity")
        self.assertEqual(out["account"], cli["Account"])
        self.assertEqual(out["arn"], cli["Arn"])
        self.assertEqual(out["user_id"], cli["UserId"])

    def test_roles_every_page(self):
        rc, out, err = self.run_tool("roles")
        self.assertEqual(rc, 0, err)
        cli = self.aws("iam", "list-roles")["Roles"]
        self.assertGreater(len(cli), 100, "the demo world should need two pages")
        self.assertEqual([r["name"] for r in out["roles"]],
                         [r["RoleName"] for r in cli])
        self.assertEqual([r["arn"] for r in out["roles"]], [r["Arn"] for r in cli])

    def irsa_role(self):
        role = irsa_role(self.sandbox)
        if role is None:
            self.fail("the demo world should have an IRSA role")
        return role

    def test_role_details_match_cli(self):
        name, _, _ = self.irsa_role()
        rc, out, err = self.run_tool("role", name)
        self.assertEqual(rc, 0, err)
        cli = self.aws("iam", "get-role", "--role-name", name)["Role"]
        attached = self.aws("iam", "list-attached-role-policies", "--role-name",
                            name)["AttachedPolicies"]
        inline = self.aws("iam", "list-role-policies", "--role-name",
                          name)["PolicyNames"]
        self.assertEqual(out["role"]["arn"], cli["Arn"])
        self.assertEqual(json.loads(out["role"]["trust_policy"]),
                         cli["AssumeRolePolicyDocument"])
        self.assertEqual([p["arn"] for p in out["role"]["attached"]],
                         [p["PolicyArn"] for p in attached])
        self.assertEqual(out["role"]["inline"], inline)

    def web_identity(self, subject):
        """Runs `aws_tool identity` with only a web identity token for the
        IRSA role, whose claims name subject."""
        name, arn, statement = self.irsa_role()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "token")
            write_web_identity_token(path, statement, subject)
            return name, self.run_tool(
                "identity", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                AWS_WEB_IDENTITY_TOKEN_FILE=path, AWS_ROLE_ARN=arn,
                AWS_ROLE_SESSION_NAME="irsa-test")

    def test_web_identity_assumes_role(self):
        _, _, statement = self.irsa_role()
        name, (rc, out, err) = self.web_identity(trusted_subject(statement))
        self.assertEqual(rc, 0, err)
        self.assertTrue(out["arn"].startswith("arn:aws:sts::"), out["arn"])
        self.assertTrue(out["arn"].endswith(":assumed-role/%s/irsa-test" % name),
                        out["arn"])

    def test_web_identity_wrong_subject_denied(self):
        _, (rc, out, err) = self.web_identity("system:serviceaccount:x:intruder")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "NoCredentials")
        self.assertIn("AccessDenied", out["error"]["message"])

    def metadata_identity(self, roles):
        """Runs `aws_tool identity` with no keys and a fake instance
        metadata service on loopback that lists roles (text, "" for none)
        and hands out the sandbox's keys for node-role. Returns the fake
        and the tool's exit status and output."""
        keys = self.sandbox.env
        creds_path = "/latest/meta-data/iam/security-credentials/"

        def route(ex):
            headers = ex["headers"]
            if ex["method"] == "PUT" and ex["path"] == "/latest/api/token":
                ttl = headers.get("X-aws-ec2-metadata-token-ttl-seconds")
                return (200, {}, "imds-token") if ttl else (400, {}, "")
            if headers.get("X-aws-ec2-metadata-token") != "imds-token":
                return 401, {}, ""
            if ex["path"] == creds_path and roles:
                return 200, {}, roles
            if ex["path"] == creds_path + "node-role":
                doc = {"Code": "Success",
                       "AccessKeyId": keys["AWS_ACCESS_KEY_ID"],
                       "SecretAccessKey": keys["AWS_SECRET_ACCESS_KEY"],
                       "Expiration": "2099-01-01T00:00:00Z"}
                if keys.get("AWS_SESSION_TOKEN"):
                    doc["Token"] = keys["AWS_SESSION_TOKEN"]
                return 200, {"Content-Type": "text/plain"}, json.dumps(doc)
            return 404, {}, ""
        fake = FakeAws(route)
        self.addCleanup(fake.close)
        rc, out, err = self.run_tool(
            "identity", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
            AWS_SESSION_TOKEN="", AWS_EC2_METADATA_DISABLED="false",
            AWS_EC2_METADATA_SERVICE_ENDPOINT=fake.url)
        return fake, rc, out

    def test_instance_metadata_credentials(self):
        fake, rc, out = self.metadata_identity("node-role\n")
        self.assertEqual(rc, 0, out)
        cli = self.aws("sts", "get-caller-identity")
        self.assertEqual(out["arn"], cli["Arn"])
        self.assertEqual([(ex["method"], ex["path"]) for ex in fake.requests],
                         [("PUT", "/latest/api/token"),
                          ("GET", "/latest/meta-data/iam/security-"
                                  "credentials/"),
                          ("GET", "/latest/meta-data/iam/security-"
                                  "credentials/node-role")])

    def test_instance_metadata_without_role(self):
        fake, rc, out = self.metadata_identity("")
        self.assertEqual(rc, 1, out)
        self.assertEqual(out["error"]["code"], "NoCredentials")
        self.assertIn("no AWS credentials found", out["error"]["message"])
        self.assertNotIn("AWS_EC2_METADATA_DISABLED", out["error"]["message"])
        self.assertEqual(len(fake.requests), 2)

    def test_missing_role_is_no_such_entity(self):
        rc, out, err = self.run_tool("role", "no-such-role-here")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "NoSuchEntity")
        self.assertEqual(out["error"]["http_status"], 404)

    def test_clusters_every_region(self):
        rc, out, err = self.run_tool("clusters")
        self.assertEqual(rc, 0, err)
        regions = self.aws("ec2", "describe-regions")["Regions"]
        expected = []
        for region in sorted(r["RegionName"] for r in regions):
            res = self.sandbox.aws("--region", region, "eks", "list-clusters")
            names = json.loads(res.stdout)["clusters"]
            expected += [(region, n) for n in sorted(names)]
        got = [(c["region"], c["name"]) for c in out["clusters"]]
        self.assertEqual(got, expected)
        self.assertTrue(expected, "the demo world should have clusters")
        for c in out["clusters"]:
            self.assertTrue(c["arn"].startswith("arn:aws:eks:%s:" % c["region"]))
            self.assertIsNotNone(c["status"])

    def test_wrong_secret_is_signature_mismatch(self):
        rc, out, err = self.run_tool("identity",
                                     AWS_SECRET_ACCESS_KEY="not-the-secret")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out["error"]["code"], "SignatureDoesNotMatch")
        self.assertIn("signature", out["error"]["message"].lower())
        self.assertEqual(out["error"]["http_status"], 403)


if __name__ == "__main__":
    unittest.main()
