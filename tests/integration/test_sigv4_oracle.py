"""albatross's SigV4 signer against botocore and the aws CLI.

Each request albatross sends is signed twice: by build/tools/sigv4_tool
(api/sigv4.c) and by botocore's SigV4Auth or SigV4QueryAuth with the
clock pinned. The canonical requests and the signatures must be equal.
The EKS token must match `aws eks get-token`, run offline with fake keys.
Nothing here opens a network connection.
"""

import base64
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import types
import unittest
from unittest import mock
from urllib.parse import parse_qsl, quote, urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("ALBATROSS_BUILD", "build"))
TOOL = os.path.join(BUILD, "tools", "sigv4_tool")

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = ("IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMiJHMEUCIQ"
                 "Dexample+token/with=padding==")
WHEN = datetime.datetime(2026, 3, 14, 9, 26, 53)
STAMP = WHEN.strftime("%Y%m%dT%H%M%SZ")
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# The requests albatross sends. "host" is the Host header albatross sends
# for base_url. botocore derives its own from the URL, so a wrong port rule
# shows up as a signature mismatch.
REQUESTS = [
    {
        "name": "sts get-caller-identity post",
        "base_url": "https://sts.us-east-2.amazonaws.com",
        "host": "sts.us-east-2.amazonaws.com",
        "region": "us-east-2", "service": "sts",
        "method": "POST", "path": "/", "query": [],
        "headers": [["Content-Type", FORM]],
        "body": "Action=GetCallerIdentity&Version=2011-06-15",
    },
    {
        "name": "iam list-roles with marker",
        "base_url": "https://iam.amazonaws.com",
        "host": "iam.amazonaws.com",
        "region": "us-east-1", "service": "iam",
        "method": "POST", "path": "/", "query": [],
        "headers": [["Content-Type", FORM]],
        "body": ("Action=ListRoles&Marker=AAIAAQAAAAEXAMPLE%2Bm%2Fk%3D"
                 "&MaxItems=100&Version=2010-05-08"),
    },
    {
        "name": "eks list-clusters next page",
        "base_url": "https://eks.eu-west-1.amazonaws.com",
        "host": "eks.eu-west-1.amazonaws.com",
        "region": "eu-west-1", "service": "eks",
        "method": "GET", "path": "/clusters",
        "query": [["maxResults", "100"],
                  ["nextToken", "eyJhbGciOiJIUzI1NiJ9.eyJ0IjoiYiJ9+/="]],
        "headers": [], "body": "",
    },
    {
        "name": "eks describe-cluster",
        "base_url": "https://eks.us-west-2.amazonaws.com",
        "host": "eks.us-west-2.amazonaws.com",
        "region": "us-west-2", "service": "eks",
        "method": "GET", "path": "/clusters/prod-blue_2", "query": [],
        "headers": [], "body": "",
    },
    {
        "name": "sts with session token",
        "base_url": "https://sts.us-east-2.amazonaws.com",
        "host": "sts.us-east-2.amazonaws.com",
        "region": "us-east-2", "service": "sts",
        "method": "POST", "path": "/", "query": [],
        "headers": [["Content-Type", FORM]],
        "body": "Action=GetCallerIdentity&Version=2011-06-15",
        "session_token": SESSION_TOKEN,
    },
    {
        "name": "eks on loopback port 8443",
        "base_url": "https://127.0.0.1:8443",
        "host": "127.0.0.1:8443",
        "region": "us-east-2", "service": "eks",
        "method": "GET", "path": "/clusters", "query": [["maxResults", "100"]],
        "headers": [], "body": "",
    },
    {
        "name": "default port left out of host",
        "base_url": "https://eks.us-east-2.amazonaws.com:443",
        "host": "eks.us-east-2.amazonaws.com",
        "region": "us-east-2", "service": "eks",
        "method": "GET", "path": "/clusters", "query": [],
        "headers": [], "body": "",
    },
    {
        "name": "query value with spaces slashes utf-8",
        "base_url": "https://eks.us-east-2.amazonaws.com",
        "host": "eks.us-east-2.amazonaws.com",
        "region": "us-east-2", "service": "eks",
        "method": "GET", "path": "/clusters",
        "query": [["nextToken", "a b/c+d=e&f~g\u00e9\u2603"],
                  ["na me/\u00fc", "x"], ["empty", ""]],
        "headers": [], "body": "",
    },
    {
        "name": "path with space and utf-8",
        "base_url": "https://eks.us-east-2.amazonaws.com",
        "host": "eks.us-east-2.amazonaws.com",
        "region": "us-east-2", "service": "eks",
        "method": "GET", "path": "/clusters/a b/\u00e9~x", "query": [],
        "headers": [], "body": "",
    },
]


class _PinnedDatetime(datetime.datetime):
    """datetime whose utcnow is WHEN, for botocore 1.29's clock."""

    @classmethod
    def utcnow(cls):
        return WHEN


def pin_botocore_clock():
    """Patch botocore.auth's clock: get_current_datetime in botocore 1.43,
    the datetime module in 1.29."""
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch.object(botocore.auth, "get_current_datetime",
                                 return_value=WHEN)
    fake = types.SimpleNamespace(datetime=_PinnedDatetime)
    return mock.patch.object(botocore.auth, "datetime", fake)


def run_tool(description):
    res = subprocess.run([TOOL], input=json.dumps(description),
                         capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise AssertionError("sigv4_tool failed (%d): %s"
                             % (res.returncode, res.stderr.strip()))
    return json.loads(res.stdout)


def wire_url(case):
    """The URL on the wire: the decoded path encoded once."""
    return case["base_url"] + quote(case["path"], safe="/~")


class _RecordingSigV4Auth(botocore.auth.SigV4Auth):
    """SigV4Auth that keeps the canonical request it signed."""

    canonical = None

    def canonical_request(self, request):
        self.canonical = super().canonical_request(request)
        return self.canonical


def botocore_sign(case):
    """Signs case with SigV4Auth; returns (canonical request, Authorization)."""
    creds = Credentials(ACCESS_KEY, SECRET_KEY, case.get("session_token"))
    auth = _RecordingSigV4Auth(creds, case["service"], case["region"])
    request = AWSRequest(method=case["method"], url=wire_url(case),
                         headers=dict(case["headers"]),
                         params=[tuple(p) for p in case["query"]],
                         data=case["body"].encode())
    with pin_botocore_clock():
        auth.add_auth(request)
    return auth.canonical, request.headers["Authorization"]


def tool_sign(case):
    """Signs case with sigv4_tool, given the headers albatross sends."""
    headers = [["Host", case["host"]]] + case["headers"]
    headers.append(["X-Amz-Date", STAMP])
    if case.get("session_token"):
        headers.append(["X-Amz-Security-Token", case["session_token"]])
    return run_tool({
        "mode": "header", "method": case["method"], "path": case["path"],
        "query": case["query"], "headers": headers, "body": case["body"],
        "region": case["region"], "service": case["service"], "time": STAMP,
        "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
        "session_token": case.get("session_token"),
    })


def decode_token(token):
    """The presigned URL inside a k8s-aws-v1. token."""
    prefix = "k8s-aws-v1."
    if not token.startswith(prefix):
        raise AssertionError("token does not start with %s: %.40s"
                             % (prefix, token))
    body = token[len(prefix):]
    if "=" in body:
        raise AssertionError("token keeps base64 padding")
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def tool_token(sts_url, cluster, stamp, session_token=None, region="us-east-2"):
    return run_tool({
        "mode": "eks-token", "sts_url": sts_url, "cluster_name": cluster,
        "region": region, "time": stamp, "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY, "session_token": session_token,
    })["token"]


def botocore_presign(sts_url, cluster, region, session_token=None):
    """The presigned GetCallerIdentity URL made with SigV4QueryAuth, as
    aws-cli's get-token makes it: expires 60, header x-k8s-aws-id."""
    creds = Credentials(ACCESS_KEY, SECRET_KEY, session_token)
    auth = botocore.auth.SigV4QueryAuth(creds, "sts", region, expires=60)
    # botocore's _urljoin: the endpoint's own path, else "/".
    url = sts_url if urlsplit(sts_url).path else sts_url + "/"
    request = AWSRequest(method="GET", url=url,
                         headers={"x-k8s-aws-id": cluster},
                         params={"Action": "GetCallerIdentity",
                                 "Version": "2011-06-15"})
    with pin_botocore_clock():
        auth.add_auth(request)
    return request.url


class ToolBuilt(unittest.TestCase):
    def setUp(self):
        if not os.access(TOOL, os.X_OK):
            self.fail("%s is missing; run `make unit` first" % TOOL)


class HeaderSigningTest(ToolBuilt):
    def test_requests_match_botocore(self):
        for case in REQUESTS:
            with self.subTest(case["name"]):
                canonical, authorization = botocore_sign(case)
                mine = tool_sign(case)
                self.assertEqual(mine["canonical_request"], canonical)
                self.assertEqual(mine["authorization"], authorization)

    def test_signed_headers_as_real_clients(self):
        expected = {
            "sts get-caller-identity post": "content-type;host;x-amz-date",
            "eks describe-cluster": "host;x-amz-date",
            "sts with session token":
                "content-type;host;x-amz-date;x-amz-security-token",
        }
        cases = {c["name"]: c for c in REQUESTS}
        for name, signed in expected.items():
            with self.subTest(name):
                authorization = tool_sign(cases[name])["authorization"]
                self.assertIn("SignedHeaders=%s," % signed, authorization)

    def test_other_body_changes_signature(self):
        case = REQUESTS[0]
        _, authorization = botocore_sign(case)
        mine = tool_sign(dict(case, body=case["body"] + "&x=1"))
        self.assertNotEqual(mine["authorization"], authorization)


class EksTokenTest(ToolBuilt):
    def run_get_token(self):
        """`aws eks get-token` offline: fake keys, a scratch HOME, no IMDS."""
        aws = shutil.which("aws")
        if not aws:
            self.fail("the aws CLI is not on PATH; run `make deps`")
        home = tempfile.mkdtemp(prefix="albatross-aws-")
        self.addCleanup(shutil.rmtree, home, True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k != "KUBERNETES_EXEC_INFO"}
        env.update(HOME=home, AWS_EC2_METADATA_DISABLED="true",
                   AWS_MAX_ATTEMPTS="1", AWS_ACCESS_KEY_ID=ACCESS_KEY,
                   AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                   AWS_CONFIG_FILE=os.path.join(home, "config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "creds"))
        res = subprocess.run([aws, "--region", "us-east-2", "eks",
                              "get-token", "--cluster-name", "demo"],
                             env=env, capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout)["status"]["token"]

    def test_token_equals_aws_cli(self):
        cli_token = self.run_get_token()
        cli_url = decode_token(cli_token)
        stamp = dict(parse_qsl(urlsplit(cli_url).query))["X-Amz-Date"]
        mine = tool_token("https://sts.us-east-2.amazonaws.com", "demo", stamp)
        self.assertEqual(decode_token(mine), cli_url)
        self.assertEqual(mine, cli_token)

    def test_token_structure_as_aws_cli(self):
        cli_url = urlsplit(decode_token(self.run_get_token()))
        mine = urlsplit(decode_token(tool_token(
            "https://sts.us-east-2.amazonaws.com", "demo", STAMP)))
        self.assertEqual((mine.scheme, mine.netloc, mine.path),
                         (cli_url.scheme, cli_url.netloc, cli_url.path))
        cli_query = parse_qsl(cli_url.query)
        my_query = parse_qsl(mine.query)
        self.assertEqual([k for k, _ in my_query], [k for k, _ in cli_query])
        cli = dict(cli_query)
        got = dict(my_query)
        for key in ("Action", "Version", "X-Amz-Algorithm", "X-Amz-Expires",
                    "X-Amz-SignedHeaders"):
            self.assertEqual(got[key], cli[key], key)
        self.assertEqual(got["X-Amz-SignedHeaders"], "host;x-k8s-aws-id")
        self.assertEqual(got["X-Amz-Expires"], "60")
        self.assertEqual(got["X-Amz-Credential"],
                         "%s/%s/us-east-2/sts/aws4_request"
                         % (ACCESS_KEY, STAMP[:8]))

    def test_token_matches_botocore_presigner(self):
        cases = [
            ("https://sts.us-east-2.amazonaws.com", "demo", "us-east-2", None),
            ("https://sts.eu-west-1.amazonaws.com", "prod_blue-2",
             "eu-west-1", SESSION_TOKEN),
            ("https://127.0.0.1:8443", "demo", "us-east-2", None),
            ("https://sts.us-east-2.amazonaws.com:443", "demo", "us-east-2",
             None),
            ("http://127.0.0.1:80", "demo", "us-east-2", None),
            ("http://127.0.0.1:8080/sts", "demo", "us-east-2", None),
            ("https://[::1]:8443", "demo", "us-east-2", None),
        ]
        for sts_url, cluster, region, token in cases:
            with self.subTest(sts_url=sts_url, session_token=bool(token)):
                expected = botocore_presign(sts_url, cluster, region, token)
                mine = decode_token(tool_token(sts_url, cluster, STAMP,
                                               token, region))
                self.assertEqual(dict(parse_qsl(urlsplit(mine).query)),
                                 dict(parse_qsl(urlsplit(expected).query)))
                self.assertEqual(mine, expected)

    def test_token_names_cluster_in_signature(self):
        one = decode_token(tool_token("https://sts.us-east-2.amazonaws.com",
                                      "one", STAMP))
        two = decode_token(tool_token("https://sts.us-east-2.amazonaws.com",
                                      "two", STAMP))
        self.assertNotEqual(one, two)


if __name__ == "__main__":
    unittest.main()
